"""Copies and forwards against a real SMTP server (aiosmtpd): Cc in the headers and the
envelope, Bcc in the envelope only; a copied address becomes a participant whose answer
threads into the conversation, a blind copy never does; a forward quotes the thread and
keeps its files, and an answer from the forwarded address opens a conversation of its
own that claims to continue this one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import Notification
from calmdesk.desk.actions import ActionError, do_add_note
from calmdesk.desk.models import Attachment, Conversation, Event, MessageKind
from calmdesk.mail import outbox
from calmdesk.mail.actions import do_send_reply, do_undo_send
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.compose import do_forward
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import Outbox, OutboxState, Participant
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

WORKER = new_worker_id()


@pytest.fixture
def thread(support):  # type: ignore[no-untyped-def]
    message = ingest_raw(make_mail(message_id="<c1@example.com>"), support).message
    shot = Attachment(message=message, filename="error.png", content_type="image/png", size=9)
    shot.file.save("error.png", ContentFile(b"\x89PNG fake"), save=False)
    shot.save()
    return message.conversation


def _send_due() -> int:
    Outbox.objects.update(send_at=timezone.now() - timedelta(seconds=1))
    return outbox.run_once(WORKER)


def test_cc_and_bcc_reach_the_server_and_only_cc_is_written(thread, alice, smtp_settings):
    reply = do_send_reply(
        thread,
        alice,
        "Looping in your colleague.",
        cc="Lee@Example.com, sam@example.com",
        bcc="audit@desk.example",
    )
    assert _send_due() == 1
    [mail] = smtp_settings.received
    assert mail.recipients == [
        "dana@example.com",
        "lee@example.com",
        "sam@example.com",
        "audit@desk.example",
    ]
    email = mail.message
    assert email["To"] == "dana@example.com"
    assert email["Cc"] == "lee@example.com, sam@example.com"
    assert email["Bcc"] is None
    assert b"audit@desk.example" not in mail.data
    assert email["Message-ID"] == reply.message_id
    kept = set(Participant.objects.filter(conversation=thread).values_list("email", flat=True))
    assert kept == {"lee@example.com", "sam@example.com"}


def test_the_copied_address_answers_into_the_thread_and_the_blind_one_does_not(
    thread, alice, smtp_settings
):
    reply = do_send_reply(thread, alice, "Copying Lee.", cc="lee@example.com", bcc="bo@example.com")
    assert _send_due() == 1
    answer = dict(
        subject=f"Re: Export fails [CD-{thread.token}]",
        extra=f"In-Reply-To: {reply.message_id}\r\nReferences: {reply.message_id}\r\n",
    )
    from_lee = ingest_raw(make_mail(sender="Lee <lee@example.com>", **answer), thread.mailbox)
    assert from_lee.message is not None
    assert from_lee.message.conversation_id == thread.pk
    from_bo = ingest_raw(make_mail(sender="Bo <bo@example.com>", **answer), thread.mailbox)
    assert from_bo.message is not None
    assert from_bo.message.conversation_id != thread.pk
    assert from_bo.message.inbound.claims_conversation_id == thread.pk
    assert not Participant.objects.filter(conversation=thread, email="bo@example.com").exists()
    # Later replies still go to the customer, never to whoever wrote last.
    do_send_reply(thread, alice, "Thanks both.")
    assert _send_due() == 1
    assert smtp_settings.received[-1].recipients == ["dana@example.com"]


@pytest.mark.parametrize(
    "cc,bcc", [("not-an-address", ""), ("", "eve@evil.test\r\nX-Evil: 1"), ("a@b.example;", "x")]
)
def test_a_bad_copy_address_refuses_the_reply(thread, alice, cc, bcc):
    with pytest.raises(ActionError, match="is not an email address"):
        do_send_reply(thread, alice, "Hello.", cc=cc, bcc=bcc)
    assert not Outbox.objects.exists()
    assert not Participant.objects.filter(conversation=thread).exists()


def test_a_forward_quotes_the_thread_keeps_its_files_and_no_note(thread, alice, smtp_settings):
    do_send_reply(thread, alice, "Which browser do you use?")
    do_add_note(thread, alice, "Internal: probably the sync bug.")
    before = Conversation.objects.get(pk=thread.pk)
    forward = do_forward(
        thread, alice, to="Dev@Vendor.example", note="Can you look at this export error?"
    )
    assert forward.kind == MessageKind.FORWARD
    event = Event.objects.get(conversation=thread, data__forwarded=forward.pk)
    assert (event.actor_id, event.data["to"]) == (alice.pk, "dev@vendor.example")
    after = Conversation.objects.get(pk=thread.pk)
    assert (after.message_count, after.waiting_since, after.status) == (
        before.message_count,
        before.waiting_since,
        before.status,
    )
    assert _send_due() == 2
    mail = next(m for m in smtp_settings.received if m.message_id == forward.message_id)
    assert mail.recipients == ["dev@vendor.example"]
    email = mail.message
    assert email["Subject"] == f"Fwd: Export fails [CD-{thread.token}]"
    assert email["In-Reply-To"] is None
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Can you look at this export error?")
    assert text.count("---------- Forwarded message ----------") == 2
    assert "the CSV export fails with error 500" in text
    assert "Which browser do you use?" in text
    assert "probably the sync bug" not in text  # a note never leaves the desk
    files = [part.get_filename() for part in email.iter_attachments()]
    assert files == ["error.png"]
    assert not Participant.objects.filter(email="dev@vendor.example").exists()

    # The vendor answers the forward: a conversation of its own, claiming this one.
    answer = make_mail(
        sender="Dev <dev@vendor.example>",
        subject=f"Re: Fwd: Export fails [CD-{thread.token}]",
        extra=f"In-Reply-To: {forward.message_id}\r\n",
    )
    stored = ingest_raw(answer, thread.mailbox).message
    assert stored is not None and stored.conversation_id != thread.pk
    assert stored.inbound.claims_conversation_id == thread.pk


def test_one_message_can_be_forwarded_alone(thread, alice, smtp_settings):
    first = thread.messages.get()
    do_send_reply(thread, alice, "A reply that stays out of it.")
    forward = do_forward(thread, alice, to="dev@vendor.example", message=first)
    assert _send_due() == 2
    mail = next(m for m in smtp_settings.received if m.message_id == forward.message_id)
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    assert text.count("---------- Forwarded message ----------") == 1
    assert "stays out of it" not in text


def test_an_undone_forward_never_leaves(thread, alice, smtp_settings):
    forward = do_forward(thread, alice, to="dev@vendor.example", note="FYI")
    assert do_undo_send(forward, alice)
    assert Outbox.objects.get(message=forward).state == OutboxState.UNDONE
    assert Event.objects.filter(conversation=thread, data__undone=forward.pk).exists()
    assert _send_due() == 0
    assert smtp_settings.received == []


def test_a_forward_to_a_bad_address_or_of_another_thread_is_refused(thread, alice, support):
    with pytest.raises(ActionError, match="is not an email address"):
        do_forward(thread, alice, to="dev@vendor.example\r\nBcc: eve@evil.test")
    other = ingest_raw(make_mail(sender="Omar <omar@example.com>"), support).message
    with pytest.raises(ActionError, match="Only a message of this conversation"):
        do_forward(thread, alice, to="dev@vendor.example", message=other)
    assert not Outbox.objects.exists()


def test_the_composer_sends_copies_and_forwards(thread, alice, client):
    client.force_login(alice)
    page = client.get(reverse("conversation", args=[thread.pk]))
    assert b"Cc/Bcc" in page.content and b'data-tab="forward"' in page.content
    seen = thread.messages.latest("id").pk
    sent = client.post(
        reverse("conversation_reply", args=[thread.pk]),
        {
            "body": "Copying Lee.",
            "seen_up_to": seen,
            "cc": "lee@example.com",
            "bcc": "bo@x.example",
        },
    )
    assert sent.status_code == 302
    reply = thread.messages.get(kind=MessageKind.REPLY)
    assert (reply.outbox.cc, reply.outbox.bcc) == (["lee@example.com"], ["bo@x.example"])
    bad = client.post(
        reverse("conversation_reply", args=[thread.pk]),
        {"body": "Again.", "seen_up_to": reply.pk, "cc": "lee@"},
    )
    assert bad.status_code == 400 and b"is not an email address" in bad.content
    forwarded = client.post(
        reverse("conversation_forward", args=[thread.pk]),
        {"to": "dev@vendor.example", "note": "Please look."},
    )
    assert forwarded.status_code == 302
    forward = thread.messages.get(kind=MessageKind.FORWARD)
    page = client.get(reverse("conversation", args=[thread.pk]))
    assert b"forwarded this conversation to dev@vendor.example" in page.content
    assert b"Bcc (hidden from the others):" in page.content
    undone = client.post(reverse("conversation_undo", args=[thread.pk, forward.pk]))
    assert undone.status_code == 302
    assert Outbox.objects.get(message=forward).state == OutboxState.UNDONE


def test_an_agent_of_another_mailbox_cannot_forward(thread, charlie, client):
    client.force_login(charlie)
    response = client.post(
        reverse("conversation_forward", args=[thread.pk]), {"to": "dev@vendor.example"}
    )
    assert response.status_code == 404
    assert not Outbox.objects.exists()


def test_an_undone_reply_takes_back_only_the_copies_it_added(thread, alice):
    do_send_reply(thread, alice, "First, copying Lee.", cc="lee@example.com")
    reply = do_send_reply(thread, alice, "Copying Lee and Sam.", cc="lee@example.com, sam@x.test")
    assert do_undo_send(reply, alice)
    kept = set(Participant.objects.filter(conversation=thread).values_list("email", flat=True))
    assert kept == {"lee@example.com"}  # Lee was copied by the reply that stays


def test_a_forwards_message_id_is_ours_and_no_anchor_for_a_stranger(thread, alice):
    forward = do_forward(thread, alice, to="dev@vendor.example", note="FYI")
    copy = make_mail(sender="Eve <eve@evil.test>", message_id=forward.message_id)
    stored = ingest_raw(copy, thread.mailbox).message
    assert stored is not None and stored.message_id == ""  # kept without our ID
    assert stored.conversation_id != thread.pk


def test_a_forward_that_fails_says_it_was_a_forward(thread, alice, smtp_settings, client):
    smtp_settings.refuse_with = "550 5.1.1 mailbox unavailable"
    before = Conversation.objects.get(pk=thread.pk)
    forward = do_forward(thread, alice, to="dev@vendor.example", note="FYI")
    assert _send_due() == 1
    assert Outbox.objects.get(message=forward).state == OutboxState.FAILED
    event = Event.objects.get(conversation=thread, data__failed=forward.pk)
    assert event.data["forward"] and event.data["to"] == "dev@vendor.example"
    [notice] = Notification.objects.filter(recipient=alice)
    assert notice.title == "Your forward of “Export fails” to dev@vendor.example was not delivered"
    assert "550 5.1.1" in notice.body
    after = Conversation.objects.get(pk=thread.pk)  # the customer was answered by nobody less
    assert (after.status, after.waiting_since) == (before.status, before.waiting_since)
    client.force_login(alice)
    page = client.get(reverse("conversation", args=[thread.pk])).content.decode()
    assert "A forward to dev@vendor.example could not be delivered" in page
    assert "A reply could not be delivered" not in page


def _offered_cc(client, conversation) -> str:  # type: ignore[no-untyped-def]
    page = client.get(reverse("conversation", args=[conversation.pk])).content.decode()
    copies = page[page.index('<details class="copies"') :]
    return copies[copies.index('name="cc" value="') + 17 :].split('"', 1)[0]


def test_the_last_replys_copies_are_offered_again(thread, alice, client):
    client.force_login(alice)
    assert _offered_cc(client, thread) == ""
    do_send_reply(thread, alice, "Copying Lee and Sam.", cc="lee@example.com, sam@x.test")
    assert _offered_cc(client, thread) == "lee@example.com, sam@x.test"
    # Taken out by the agent, Sam is not offered on the reply after.
    sent = client.post(
        reverse("conversation_reply", args=[thread.pk]),
        {
            "body": "Only Lee now.",
            "seen_up_to": thread.messages.latest("id").pk,
            "cc": "lee@example.com",
        },
    )
    assert sent.status_code == 302
    assert _offered_cc(client, thread) == "lee@example.com"
    # An undone reply copied nobody: the one before it says whom to copy.
    last = do_send_reply(thread, alice, "Nobody copied.")
    assert _offered_cc(client, thread) == ""
    assert do_undo_send(last, alice)
    assert _offered_cc(client, thread) == "lee@example.com"
