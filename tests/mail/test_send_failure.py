"""A reply that cannot leave says so, against real servers: aiosmtpd answering 550 (a
permanent no) and 451 (try later), and a port where nothing listens. The reason shows on
the message and as a mark on the inbox row; a permanent failure (a 5xx, or the tries
used up) reopens the conversation at the top of the inbox with an event that says why.
alice of Support writes to Maya; bob is her teammate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import Notification
from calmdesk.desk.actions import counters_of
from calmdesk.desk.models import Conversation, Event, EventKind, Mailbox, Message, MessageKind
from calmdesk.mail import outbox
from calmdesk.mail.actions import do_retry_send, do_send_reply
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.models import Outbox, OutboxState
from tests.desk.conftest import make_agent, receive
from tests.mail.conftest import free_port

pytestmark = pytest.mark.django_db

WORKER = new_worker_id()


@pytest.fixture
def desk(db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    alice = make_agent("alice", [support])
    bob = make_agent("bob", [support])
    asked = timezone.now() - timedelta(hours=6)
    conversation = receive(
        support, "maya@shop.example", "Checkout is broken.", "Checkout", received_at=asked
    ).conversation
    # Someone else waited less long: Maya's conversation sorts after it until it fails.
    receive(support, "lee@example.com", "A question about CSV.", "CSV")
    return alice, bob, conversation, asked


def _send(conversation: Conversation, actor, then_status: str = "pending") -> Message:  # type: ignore[no-untyped-def]
    reply = do_send_reply(conversation, actor, "Fixed, please try again.", then_status=then_status)
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(seconds=1))
    return reply


def _due(reply: Message) -> None:
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(seconds=1))


def _page(user, name: str, *args: int, query: str = "") -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    url = reverse(name, args=args) if args else reverse(name)
    return client.get(url + query).content.decode()


def _assert_reopened(conversation: Conversation, asked, reason: str) -> None:  # type: ignore[no-untyped-def]
    conversation.refresh_from_db()
    assert conversation.status == "active"
    assert conversation.waiting_since == asked  # Maya waits since her message
    kept = counters_of(conversation.messages.order_by("id").values_list("kind", "created_at"))
    assert kept.waiting_since == asked and kept.message_count == conversation.message_count
    event = Event.objects.filter(conversation=conversation, kind=EventKind.SEND).last()
    assert event is not None and reason in event.data["error"]


def test_a_550_fails_the_reply_and_reopens_the_conversation(desk, smtp_settings) -> None:
    alice, _bob, conversation, asked = desk
    smtp_settings.refuse_with = "550 5.1.1 mailbox unavailable"
    reply = _send(conversation, alice)
    conversation.refresh_from_db()
    assert conversation.status == "pending" and conversation.waiting_since is None

    assert outbox.run_once(WORKER) == 1
    assert Outbox.objects.get(message=reply).state == OutboxState.FAILED
    assert Message.objects.get(pk=reply.pk).kind == MessageKind.FAILED
    _assert_reopened(conversation, asked, "550 5.1.1 mailbox unavailable")

    thread = _page(alice, "conversation", conversation.pk)
    assert "Not delivered" in thread and "550 5.1.1 mailbox unavailable" in thread
    assert reverse("mail_retry", args=[reply.pk]) in thread
    inbox = _page(alice, "inbox")
    assert "Reply not sent" in inbox
    # alice hears of it in her notifications, with the reason.
    [notice] = Notification.objects.filter(recipient=alice)
    assert "not delivered" in notice.title and "550 5.1.1" in notice.body
    # At the top of the inbox: Maya waited longest, so her row comes before Lee's.
    assert inbox.index("Checkout") < inbox.index("CSV")


def test_a_451_waits_for_the_next_try_and_says_why(desk, smtp_settings) -> None:
    alice, _bob, conversation, _asked = desk
    smtp_settings.refuse_with = "451 4.3.0 try again later"
    reply = _send(conversation, alice)
    outbox.run_once(WORKER)
    row = Outbox.objects.get(message=reply)
    assert row.state == OutboxState.SCHEDULED and row.attempts == 1
    fragment = _page(alice, "mail_send_state", reply.pk)
    assert "Not sent yet" in fragment and "451 4.3.0 try again later" in fragment
    assert "Sending in" not in fragment and "Retry now" in fragment
    conversation.refresh_from_db()
    assert conversation.status == "pending"  # a temporary failure reopens nothing yet
    assert "Reply not sent" in _page(alice, "inbox", query="?status=pending")


def test_451_until_the_tries_run_out_reopens(desk, smtp_settings) -> None:
    alice, _bob, conversation, asked = desk
    smtp_settings.refuse_with = "451 4.3.0 try again later"
    reply = _send(conversation, alice)
    Outbox.objects.filter(message=reply).update(attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.run_once(WORKER)
    row = Outbox.objects.get(message=reply)
    assert row.state == OutboxState.FAILED
    assert row.last_error.startswith(f"gave up after {outbox.MAX_ATTEMPTS} attempts")
    _assert_reopened(conversation, asked, "451 4.3.0 try again later")


def test_nothing_listening_names_the_server(desk, settings) -> None:
    alice, _bob, conversation, asked = desk
    port = free_port()  # bound and released: nothing listens there
    settings.SMTP_HOST, settings.EMAIL_PORT, settings.SMTP_SECURITY = "127.0.0.1", port, "none"
    reply = _send(conversation, alice)
    outbox.run_once(WORKER)
    row = Outbox.objects.get(message=reply)
    assert row.state == OutboxState.SCHEDULED
    assert row.last_error.startswith(f"cannot connect to 127.0.0.1:{port}")
    assert f"cannot connect to 127.0.0.1:{port}" in _page(alice, "conversation", conversation.pk)
    Outbox.objects.filter(message=reply).update(attempts=outbox.MAX_ATTEMPTS - 1)
    _due(reply)
    outbox.run_once(WORKER)
    assert Outbox.objects.get(message=reply).state == OutboxState.FAILED
    _assert_reopened(conversation, asked, f"cannot connect to 127.0.0.1:{port}")


def test_no_server_set_up_waits_without_counting_tries(desk, settings) -> None:
    alice, _bob, conversation, _asked = desk
    settings.SMTP_HOST = ""
    reply = _send(conversation, alice)
    for _ in range(3):
        _due(reply)
        outbox.run_once(WORKER)
    row = Outbox.objects.get(message=reply)
    assert (row.state, row.attempts) == (OutboxState.SCHEDULED, 0)
    assert row.send_at > timezone.now()  # not claimed again on every pass
    fragment = _page(alice, "mail_send_state", reply.pk)
    assert "no mail server is set up" in fragment and "Sending in" not in fragment


def test_try_again_after_a_fix_sends_and_clears_the_mark(desk, smtp_settings) -> None:
    alice, bob, conversation, _asked = desk
    smtp_settings.refuse_with = "550 5.1.1 mailbox unavailable"
    reply = _send(conversation, alice)
    outbox.run_once(WORKER)
    smtp_settings.refuse_with = None
    assert do_retry_send(reply, bob)  # a teammate may send it again
    assert Message.objects.get(pk=reply.pk).kind == MessageKind.REPLY
    conversation.refresh_from_db()
    assert conversation.waiting_since is None  # it answers Maya again
    assert outbox.run_once(WORKER) == 1
    assert Outbox.objects.get(message=reply).state == OutboxState.SENT
    assert len(smtp_settings.received) == 1
    assert "Reply not sent" not in _page(alice, "inbox")
    assert not do_retry_send(reply, bob)  # nothing left to retry


def test_retry_now_through_the_page(desk, smtp_settings) -> None:
    alice, bob, conversation, _asked = desk
    smtp_settings.refuse_with = "451 4.3.0 try again later"
    reply = _send(conversation, alice)
    outbox.run_once(WORKER)
    client = Client()
    client.force_login(bob)
    response = client.post(reverse("mail_retry", args=[reply.pk]))
    assert response.status_code == 302
    assert Outbox.objects.get(message=reply).send_at <= timezone.now()
    smtp_settings.refuse_with = None
    outbox.run_once(WORKER)
    assert Outbox.objects.get(message=reply).state == OutboxState.SENT


def test_a_later_sent_reply_clears_the_inbox_mark(desk, smtp_settings) -> None:
    alice, _bob, conversation, _asked = desk
    smtp_settings.refuse_with = "550 5.1.1 mailbox unavailable"
    _send(conversation, alice)
    outbox.run_once(WORKER)
    smtp_settings.refuse_with = None
    _send(conversation, alice, then_status="")
    outbox.run_once(WORKER)
    assert "Reply not sent" not in _page(alice, "inbox")


def test_an_uncertain_reply_is_not_sent_again_from_the_page(desk) -> None:
    alice, _bob, conversation, _asked = desk
    reply = _send(conversation, alice)
    reason = f"{outbox.UNCERTAIN} after two interrupted attempts; not sent again"
    Outbox.objects.filter(message=reply).update(state=OutboxState.FAILED, last_error=reason)
    assert not do_retry_send(reply, alice)
    assert "Try again" not in _page(alice, "mail_send_state", reply.pk)


def test_a_reply_no_worker_takes_says_so(desk) -> None:
    alice, _bob, conversation, _asked = desk
    reply = do_send_reply(conversation, alice, "On it.")
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(seconds=5))
    assert "Sending…" in _page(alice, "mail_send_state", reply.pk)  # the worker's next pass
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(minutes=2))
    fragment = _page(alice, "mail_send_state", reply.pk)
    assert "no worker has picked it up" in fragment and "Sending" not in fragment
    assert "Reply not sent" in _page(alice, "inbox")
