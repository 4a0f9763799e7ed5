"""The outbox against a real SMTP server (aiosmtpd on a loopback port): the pause,
undo, edit, threading headers, retries, failures, and the claim that races undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calmdesk.desk.models import Event, Message, MessageKind
from calmdesk.mail import outbox
from calmdesk.mail.actions import do_edit_scheduled_reply, do_send_reply, do_undo_send
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import MailboxMailSettings, Outbox, OutboxState, SendLog
from calmdesk.mail.secrets import encrypt
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

WORKER = new_worker_id()


@pytest.fixture
def thread(support):  # type: ignore[no-untyped-def]
    return ingest_raw(make_mail(message_id="<c1@example.com>"), support).message.conversation


def _due(message: Message) -> None:
    """Let the undo window run out without waiting for it."""
    Outbox.objects.filter(message=message).update(send_at=timezone.now() - timedelta(seconds=1))


def test_a_reply_waits_its_undo_window(thread, alice, smtp_settings):
    reply = do_send_reply(thread, alice, "Fixed, please try again.")
    row = reply.outbox
    assert row.state == OutboxState.SCHEDULED
    assert row.send_at - reply.created_at == timedelta(seconds=20)
    assert outbox.run_once(WORKER) == 0
    assert smtp_settings.received == []


def test_a_due_reply_leaves_with_its_threading_headers(thread, alice, smtp_settings):
    reply = do_send_reply(thread, alice, "Fixed, please try again.")
    _due(reply)
    assert outbox.run_once(WORKER) == 1
    [mail] = smtp_settings.received
    email = mail.message
    assert mail.recipients == ["dana@example.com"]
    assert email["Message-ID"] == reply.message_id
    assert email["In-Reply-To"] == "<c1@example.com>"
    assert email["References"] == "<c1@example.com>"
    assert email["Subject"] == f"Re: Export fails [CD-{thread.token}]"
    assert email.get_content().strip() == "Fixed, please try again."
    reply.outbox.refresh_from_db()
    assert reply.outbox.state == OutboxState.SENT
    assert SendLog.objects.get().outcome == "accepted"


def test_an_undone_reply_never_leaves(thread, alice, smtp_settings):
    reply = do_send_reply(thread, alice, "Oops, wrong customer.")
    assert do_undo_send(reply, alice)
    _due(reply)
    assert outbox.run_once(WORKER) == 0
    assert smtp_settings.received == []


def test_undo_and_edit_work_until_the_window_ends(thread, alice):
    written = timezone.now()
    reply = do_send_reply(thread, alice, "First try.", now=written)  # alice waits 20 s
    last_moment = written + timedelta(seconds=19.9)
    assert do_edit_scheduled_reply(reply, alice, "Second try.", now=last_moment)
    assert not do_edit_scheduled_reply(
        reply, alice, "Too late.", now=written + timedelta(seconds=20)
    )
    assert not do_undo_send(reply, alice, now=written + timedelta(seconds=20))
    assert do_undo_send(reply, alice, now=last_moment)


def test_undo_after_the_claim_loses(thread, alice, smtp_settings):
    reply = do_send_reply(thread, alice, "Sent.")
    _due(reply)
    assert outbox.claim(reply.outbox.id, WORKER, timezone.now())
    Outbox.objects.filter(pk=reply.outbox.id).update(send_at=timezone.now() + timedelta(hours=1))
    assert not do_undo_send(reply, alice)  # the worker holds it: undo loses


def test_claim_after_the_undo_loses(thread, alice):
    reply = do_send_reply(thread, alice, "Undone.")
    assert do_undo_send(reply, alice)
    _due(reply)
    assert not outbox.claim(reply.outbox.id, WORKER, timezone.now())


def test_the_last_saved_edit_is_what_goes(thread, alice, smtp_settings):
    reply = do_send_reply(thread, alice, "First try.")
    assert do_edit_scheduled_reply(reply, alice, "Second, better try.")
    _due(reply)
    outbox.run_once(WORKER)
    assert smtp_settings.received[0].message.get_content().strip() == "Second, better try."
    assert not do_edit_scheduled_reply(reply, alice, "Too late.")


def test_a_temporary_failure_retries_with_backoff(thread, alice, smtp_settings):
    smtp_settings.refuse_with = "451 try later"
    reply = do_send_reply(thread, alice, "Hello.")
    _due(reply)
    outbox.run_once(WORKER)
    row = Outbox.objects.get(message=reply)
    assert row.state == OutboxState.SCHEDULED
    assert row.send_at > timezone.now() + timedelta(seconds=20)
    assert "451" in row.last_error
    smtp_settings.refuse_with = None
    _due(reply)
    outbox.run_once(WORKER)
    row.refresh_from_db()
    assert row.state == OutboxState.SENT
    assert [e.outcome for e in SendLog.objects.order_by("attempt")] == ["temporary", "accepted"]
    assert not SendLog.objects.filter(possible_resend=True).exists()


def test_a_permanent_failure_marks_failed_and_says_why(thread, alice, smtp_settings):
    smtp_settings.refuse_with = "550 no such user"
    reply = do_send_reply(thread, alice, "Hello.")
    _due(reply)
    outbox.run_once(WORKER)
    assert Outbox.objects.get(message=reply).state == OutboxState.FAILED
    # The reason is on the reply itself (marked failed) and in the thread's event.
    assert Message.objects.get(pk=reply.pk).kind == MessageKind.FAILED
    assert "550" in Outbox.objects.get(message=reply).last_error
    event = Event.objects.get(conversation=thread, data__failed=reply.pk)
    assert "550" in event.data["error"]


def test_a_line_break_in_a_header_is_refused(thread, alice, smtp_settings):
    reply = do_send_reply(thread, alice, "Hello.")
    Message.objects.filter(pk=reply.pk).update(message_id="<a@b>\r\nBcc: victim@example.com")
    _due(reply)
    outbox.run_once(WORKER)
    assert Outbox.objects.get(message=reply).state == OutboxState.FAILED
    assert smtp_settings.received == []


def test_credentials_never_reach_the_error(thread, alice, smtp_settings, settings, caplog):
    settings.ENCRYPTION_KEY = "q0JZm0uL2jV4o9oE2Kx8qfXwV7yI9m1J3c2dQv6T8ZA="
    MailboxMailSettings.objects.create(
        mailbox=thread.mailbox,
        smtp_host=smtp_settings.host,
        smtp_port=smtp_settings.port,
        smtp_security="none",
        smtp_user="support",
        smtp_password_encrypted=encrypt("hunter2-secret"),
    )
    reply = do_send_reply(thread, alice, "Hello.")
    _due(reply)
    outbox.run_once(WORKER)
    row = Outbox.objects.get(message=reply)
    assert row.state == OutboxState.SCHEDULED  # aiosmtpd offers no AUTH: retried later
    assert "hunter2" not in row.last_error
    assert "hunter2" not in caplog.text
    assert "hunter2" not in repr(outbox.smtp_config_for(thread.mailbox_id))


def test_a_conversation_cannot_ping_pong(thread, alice, smtp_settings, monkeypatch):
    monkeypatch.setattr(outbox, "SENDS_PER_CONVERSATION_PER_HOUR", 2)
    replies = [do_send_reply(thread, alice, f"Reply {n}.") for n in range(3)]
    for reply in replies:
        _due(reply)
    outbox.run_once(WORKER)
    assert len(smtp_settings.received) == 2
    capped = Outbox.objects.get(message=replies[2])
    assert capped.state == OutboxState.SCHEDULED and "rate cap" in capped.last_error


def test_without_an_smtp_server_replies_stay_scheduled(thread, alice, settings):
    settings.SMTP_HOST = None
    reply = do_send_reply(thread, alice, "Hello.")
    _due(reply)
    outbox.run_once(WORKER)
    assert Outbox.objects.get(message=reply).state == OutboxState.SCHEDULED
