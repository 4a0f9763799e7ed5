"""An agent writes to a customer first: the conversation opens with the team's message,
which leaves through the outbox (undo window, claim) to a real SMTP server (aiosmtpd),
and the customer's answer threads back into it through the real ingest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk.actions import ActionError, find_or_create_customer, recount_folders
from calmdesk.desk.inbox import inbox_page, parse_filter
from calmdesk.desk.models import (
    Conversation,
    Event,
    EventKind,
    FolderCount,
    MessageKind,
    Status,
)
from calmdesk.mail import outbox
from calmdesk.mail.actions import do_send_reply, do_undo_send
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.compose import do_start_conversation
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import Outbox
from calmdesk.ops.doctor import counters_differ
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

WORKER = new_worker_id()


def _send_due() -> int:
    Outbox.objects.update(send_at=timezone.now() - timedelta(seconds=1))
    return outbox.run_once(WORKER)


def _folders() -> dict[tuple[int, str, int], int]:
    rows = FolderCount.objects.exclude(count=0).values_list(
        "mailbox_id", "status", "assignee_key", "count"
    )
    return {(m, s, a): n for m, s, a, n in rows}


def test_a_new_conversation_leaves_and_the_answer_threads_back(support, alice, smtp_settings):
    first = do_start_conversation(
        support,
        alice,
        to="Nia@Shop.example",
        subject="Your export is ready",
        body="Hi Nia, the export you asked for is attached to your account.",
        then_status=Status.PENDING,
    )
    conversation = first.conversation
    conversation.refresh_from_db()
    assert conversation.customer.primary_email == "nia@shop.example"
    assert (conversation.assignee_id, conversation.status) == (alice.pk, Status.PENDING)
    assert (conversation.message_count, conversation.customer_message_count) == (1, 0)
    assert conversation.waiting_since is None
    started = Event.objects.get(conversation=conversation, data__started=True)
    assert (started.kind, started.actor_id, started.data["to"]) == (
        EventKind.SEND,
        alice.pk,
        "nia@shop.example",
    )

    assert outbox.run_once(WORKER) == 0  # the undo window holds it
    assert _send_due() == 1
    [mail] = smtp_settings.received
    email = mail.message
    assert mail.recipients == ["nia@shop.example"]
    assert email["Subject"] == f"Your export is ready [CD-{conversation.token}]"
    assert email["Message-ID"] == first.message_id
    assert email["In-Reply-To"] is None  # it answers nothing
    assert "the export you asked for" in email.get_content()

    answer = make_mail(
        sender="Nia <nia@shop.example>",
        subject=f"Re: Your export is ready [CD-{conversation.token}]",
        body="Thanks, got it. One column is empty though.\n",
        extra=f"In-Reply-To: {first.message_id}\r\nReferences: {first.message_id}\r\n",
    )
    stored = ingest_raw(answer, support).message
    assert stored is not None and stored.conversation_id == conversation.pk
    assert stored.inbound.threaded_by == "headers"
    conversation.refresh_from_db()
    assert conversation.status == Status.ACTIVE  # the customer wrote: it waits on us
    assert conversation.customer_message_count == 1

    # A second message of ours answers hers, with "Re:" and the chain.
    second = do_send_reply(conversation, alice, "Fixed the column; export again.")
    assert _send_due() == 1
    email = smtp_settings.received[-1].message
    assert email["In-Reply-To"] == stored.message_id
    assert email["Subject"] == f"Re: Your export is ready [CD-{conversation.token}]"
    assert email["Message-ID"] == second.message_id


def test_a_follow_up_before_any_answer_threads_onto_our_first(support, alice, smtp_settings):
    first = do_start_conversation(
        support, alice, to="nia@shop.example", subject="Renewal", body="Your plan renews soon."
    )
    follow_up = do_send_reply(first.conversation, alice, "One more thing: prices stay.")
    assert _send_due() == 2
    by_id = {m.message_id: m.message for m in smtp_settings.received}
    email = by_id[follow_up.message_id]
    assert email["In-Reply-To"] == first.message_id
    assert email["Subject"] == f"Re: Renewal [CD-{first.conversation.token}]"


def test_an_existing_customer_is_found_and_written_to_at_the_address_typed(support, alice):
    customer = find_or_create_customer("maya@shop.example", "Maya Okafor")
    customer.emails.create(email="maya.okafor@home.example")
    first = do_start_conversation(
        support, alice, to="maya.okafor@home.example", subject="Hello", body="A question."
    )
    assert first.conversation.customer_id == customer.pk
    assert first.outbox.recipient == "maya.okafor@home.example"


def test_folder_counts_match_a_recount_after_start_and_undo(support, alice):
    first = do_start_conversation(
        support,
        alice,
        to="nia@shop.example",
        subject="Hello",
        body="Hi.",
        then_status=Status.PENDING,
    )
    kept = _folders()
    recount_folders()
    assert _folders() == kept == {(support.pk, Status.PENDING, alice.pk): 1}
    assert do_undo_send(first, alice)
    conversation = first.conversation
    conversation.refresh_from_db()
    assert conversation.messages.get().kind == MessageKind.WITHDRAWN
    kept = _folders()
    recount_folders()
    assert _folders() == kept


def test_undoing_the_first_message_leaves_nothing_in_the_inbox(support, alice):
    """The conversation existed only for the message taken back: it is closed (kept, with
    its events, so nothing that named it dangles), out of Active and Mine and their
    counts, and its counters agree with the doctor's recount (DR07)."""
    first = do_start_conversation(support, alice, to="nia@shop.example", subject="Hi", body="Hi.")
    assert do_undo_send(first, alice)
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert (conversation.status, conversation.message_count) == (Status.CLOSED, 0)
    assert conversation.waiting_since is None
    for folder in ({}, {"assignee": "me"}):
        rows, _next = inbox_page(alice, parse_filter(alice, folder))
        assert conversation.pk not in [c.pk for c in rows]
    assert _folders() == {(support.pk, Status.CLOSED, alice.pk): 1}
    kept = _folders()
    recount_folders()
    assert _folders() == kept
    assert counters_differ(None) == []  # type: ignore[arg-type]
    undone = Event.objects.get(
        conversation=conversation, kind=EventKind.SEND, data__undone=first.pk
    )
    assert undone.data["withdrawn"] and undone.data["status"] == Status.CLOSED
    assert Event.objects.filter(conversation=conversation, kind=EventKind.STATUS).count() == 1
    # A reply undone in a conversation the customer opened leaves it where it was.
    second = do_send_reply(conversation, alice, "Hello again.")
    conversation.refresh_from_db()
    assert do_undo_send(second, alice)
    assert Conversation.objects.get(pk=conversation.pk).status == Status.CLOSED


@pytest.mark.parametrize(
    "to,subject,body,problem",
    [
        ("not an address", "Hello", "Hi.", "is not an email address"),
        ("nia@shop.example\r\nBcc: eve@evil.test", "Hello", "Hi.", "is not an email address"),
        ("nia@shop.example", "   ", "Hi.", "needs a subject"),
        ("nia@shop.example", "Hello", "  ", "empty"),
    ],
)
def test_a_bad_new_conversation_is_refused_and_writes_nothing(
    support, alice, to, subject, body, problem
):
    with pytest.raises(ActionError, match=problem):
        do_start_conversation(support, alice, to=to, subject=subject, body=body)
    assert not Outbox.objects.exists()
    assert not FolderCount.objects.exclude(count=0).exists()


def test_an_agent_cannot_write_from_another_mailbox(support, charlie):
    with pytest.raises(ActionError, match="cannot write from this mailbox"):
        do_start_conversation(support, charlie, to="nia@shop.example", subject="Hi", body="Hi.")
    assert not Outbox.objects.exists()


def test_the_page_starts_a_conversation_through_the_coach(support, alice, client):
    client.force_login(alice)
    page = client.get(reverse("conversation_new"))
    assert page.status_code == 200
    assert b"Cc/Bcc" in page.content and b"support@calmdesk.test" in page.content
    coach = client.post(
        reverse("conversation_new_coach"), {"mailbox": support.pk, "body": "This is not our fault."}
    )
    assert coach.status_code == 200 and b"finding" in coach.content
    sent = client.post(
        reverse("conversation_new"),
        {
            "mailbox": support.pk,
            "to": "nia@shop.example",
            "cc": "lee@shop.example",
            "subject": "Your export",
            "body": "Hi Nia, your export is ready.",
            "then_status": "pending",
        },
    )
    conversation = Conversation.objects.get(subject="Your export")
    assert sent.status_code == 302 and sent["Location"] == f"/c/{conversation.pk}/"
    reply = conversation.messages.get()
    assert (reply.outbox.recipient, reply.outbox.cc) == ("nia@shop.example", ["lee@shop.example"])
    shown = client.get(sent["Location"])
    assert b"started this conversation, writing to nia@shop.example" in shown.content
    assert b"lee@shop.example" in shown.content


def test_the_page_refuses_a_bad_address_and_keeps_what_was_typed(support, alice, client):
    client.force_login(alice)
    refused = client.post(
        reverse("conversation_new"),
        {"mailbox": support.pk, "to": "nia@", "subject": "Hello", "body": "Kept text."},
    )
    assert refused.status_code == 400
    assert b"Kept text." in refused.content
    assert not Conversation.objects.filter(subject="Hello").exists()


def test_another_teams_mailbox_cannot_be_chosen(support, charlie, client):
    client.force_login(charlie)
    refused = client.post(
        reverse("conversation_new"),
        {"mailbox": support.pk, "to": "nia@shop.example", "subject": "Hi", "body": "Hi."},
    )
    assert refused.status_code == 400
    assert not Outbox.objects.exists()
