"""Webhooks of the Support mailbox against a real HTTP server on loopback: what alice
and Maya do arrives signed, once; a failing receiver is tried again after the backoff and
switched off after repeated failures (the admins are told); metadata-only hooks get no
bodies; imported history and another mailbox's work send nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from calmdesk.accounts.models import Notification
from calmdesk.api.models import DeliveryState, Webhook, WebhookDelivery
from calmdesk.api.webhooks import (
    DISABLE_AFTER,
    EVENTS,
    SIGNATURE_HEADER,
    collect,
    deliver_due,
    do_redeliver,
    new_secret,
    run_webhooks,
    verify,
)
from calmdesk.desk.actions import do_add_note, do_assign, do_change_status
from calmdesk.desk.models import Message
from calmdesk.mail.actions import do_record_sent, do_send_reply
from tests.desk.conftest import Desk, receive
from tests.outbound.fakeserver import FakeServer


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def _hook(desk: Desk, server: FakeServer, **extra) -> Webhook:  # type: ignore[no-untyped-def]
    hook = Webhook.objects.create(
        mailbox=desk.support,
        url=f"{server.url}/hook",
        secret=new_secret(),
        events=list(EVENTS),
        allow_private_host=True,
        **extra,
    )
    collect(timezone.now())  # the first run starts the cursor at what exists
    return hook


def test_desk_work_arrives_signed_once(desk: Desk, server: FakeServer) -> None:
    hook = _hook(desk, server)
    server.reply("POST", "/hook", 200)
    conversation = desk.conversation
    do_add_note(conversation, desk.alice, "Checking the sync logs")
    do_assign(conversation, desk.alice, desk.alice)
    reply = do_send_reply(conversation, desk.alice, "Hi Maya, we found it.")
    do_record_sent(reply.outbox.pk)  # type: ignore[attr-defined]
    do_change_status(conversation, desk.alice, "pending")
    receive(desk.support, "maya@shop.example", "Thanks, it works now!", conversation=conversation)
    receive(desk.support, "lee@shop.example", "A new problem", "Export fails")
    receive(desk.billing, "omar@books.example", "Billing's own", conversation=None)

    run_webhooks(timezone.now())
    run_webhooks(timezone.now())  # a second run sends nothing again

    seen = server.seen("POST", "/hook")
    names = sorted(s.headers["calmdesk-event"] for s in seen)
    assert names == sorted(
        [
            "note.added",
            "conversation.assigned",
            "reply.sent",
            "conversation.status_changed",
            "message.received",
            "conversation.created",
            "message.received",
        ]
    ), names
    for request in seen:
        assert verify(
            hook.secret, request.headers[SIGNATURE_HEADER.lower()], request.body, time.time()
        )
        assert not verify(
            "whsec_other", request.headers[SIGNATURE_HEADER.lower()], request.body, time.time()
        )
        assert request.json()["conversation"]["mailbox_id"] == desk.support.pk
    by_event = {s.headers["calmdesk-event"]: s.json() for s in seen}
    note = by_event["note.added"]
    assert note["message"]["body_text"] == "Checking the sync logs"
    assert note["message"]["author"] == "alice"
    assert by_event["conversation.status_changed"]["data"] == {"old": "active", "new": "pending"}
    assert by_event["reply.sent"]["message"]["id"] == reply.pk
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    assert set(WebhookDelivery.objects.values_list("last_status", flat=True)) == {200}


def test_an_old_signature_is_refused(desk: Desk, server: FakeServer) -> None:
    hook = _hook(desk, server)
    server.reply("POST", "/hook", 204)
    do_add_note(desk.conversation, desk.alice, "one")
    run_webhooks(timezone.now())
    (request,) = server.seen("POST", "/hook")
    header = request.headers[SIGNATURE_HEADER.lower()]
    assert verify(hook.secret, header, request.body, time.time())
    assert not verify(hook.secret, header, request.body, time.time() + 600)  # a replay
    assert not verify(hook.secret, header, request.body + b" ", time.time())


def test_a_failing_receiver_is_retried_then_switched_off(desk: Desk, server: FakeServer) -> None:
    hook = _hook(desk, server)
    server.reply("POST", "/hook", 500)
    server.reply("POST", "/hook", 200)
    do_add_note(desk.conversation, desk.alice, "one")
    now = timezone.now()
    collect(now)
    assert deliver_due(now) == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert deliver_due(now + timedelta(seconds=10)) == 0  # not before the backoff
    assert len(server.seen("POST", "/hook")) == 1
    assert deliver_due(now + timedelta(seconds=31)) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)

    # Manual redelivery sends the same body again.
    do_redeliver(delivery, now)
    assert deliver_due(now + timedelta(seconds=32)) == 1
    first, second = server.seen("POST", "/hook")[1:]
    assert first.body == second.body

    server.reply("POST", "/hook", 503)  # after one more 200 (the last answer stays)
    for n in range(DISABLE_AFTER + 1):
        do_add_note(desk.conversation, desk.alice, f"note {n}")
    later = now + timedelta(minutes=1)
    collect(later)
    deliver_due(later)
    hook.refresh_from_db()
    assert not hook.is_active
    assert hook.disabled_at is not None
    assert Notification.objects.filter(recipient=desk.admin, title__contains=hook.url).exists()
    assert deliver_due(later + timedelta(days=1)) == 0  # a switched-off hook sends nothing


def test_metadata_only_imported_and_other_mailboxes(desk: Desk, server: FakeServer) -> None:
    _hook(desk, server, metadata_only=True)
    server.reply("POST", "/hook", 200)
    message = receive(
        desk.support, "maya@shop.example", "Secret details", conversation=desk.conversation
    )
    imported = receive(desk.support, "ann@old.example", "From the archive", "Old thread")
    Message.objects.filter(pk=imported.pk).update(imported_at=timezone.now())
    do_add_note(desk.billing_conversation, desk.charlie, "Billing note")
    run_webhooks(timezone.now())
    (request,) = server.seen("POST", "/hook")
    payload = request.json()
    assert payload["event"] == "message.received"
    assert payload["message"]["id"] == message.pk
    assert "body_text" not in payload["message"]
    assert "subject" not in payload["conversation"]
