"""Ingest: stored once, threaded in its mailbox, flagged when automatic, bounces on
their conversation, and anything unstorable quarantined with its raw bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from calmdesk.desk.models import Attachment, Conversation, CustomerEmail, Message, MessageKind
from calmdesk.mail import ingest as ingest_module
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw, retry_quarantine
from calmdesk.mail.models import InboundMail, MailboxMailSettings, Quarantine, QuarantineCause
from calmdesk.mail.parsing import ParseError
from calmdesk.mail.threads import subject_with_token
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


def test_it_stores_a_customer_mail_with_its_raw_bytes(support):
    raw = make_mail(extra="Reply-To: other@example.net\r\n")
    outcome = ingest_raw(raw, support)
    assert outcome.status == "stored"
    message = outcome.message
    assert message.kind == MessageKind.CUSTOMER
    assert message.customer.primary_email == "dana@example.com"
    assert message.conversation.subject == "Export fails"
    inbound = InboundMail.objects.get(message=message)
    assert (Path(settings.RAW_MAIL_DIR) / inbound.raw_path).read_bytes() == raw


def test_the_same_message_twice_is_stored_once(support):
    raw = make_mail(message_id="<twice@example.com>")
    assert ingest_raw(raw, support).status == "stored"
    assert ingest_raw(raw, support).status == "duplicate"
    assert Message.objects.count() == 1


def test_a_different_message_reusing_a_message_id_is_still_stored(support):
    ingest_raw(make_mail(message_id="<reused@example.com>"), support)
    again = make_mail(message_id="<reused@example.com>", body="Another problem entirely.\n")
    assert ingest_raw(again, support).status == "stored"
    assert Message.objects.filter(message_id="<reused@example.com>").count() == 2


def test_a_reply_to_our_reply_joins_its_conversation(support, alice):
    first = ingest_raw(make_mail(message_id="<q1@example.com>"), support).message
    reply = do_send_reply(first.conversation, alice, "Could you send the file?")
    answer = make_mail(
        subject="Re: Export fails",
        message_id="<q2@example.com>",
        extra=f"In-Reply-To: {reply.message_id}\r\nReferences: <q1@example.com> "
        f"{reply.message_id}\r\n",
    )
    outcome = ingest_raw(answer, support)
    assert outcome.message.conversation_id == first.conversation_id
    assert outcome.message.inbound.threaded_by == "headers"


def test_the_subject_token_threads_when_headers_are_lost(support):
    first = ingest_raw(make_mail(), support).message
    subject = "Re: " + subject_with_token("Export fails", first.conversation.token)
    outcome = ingest_raw(make_mail(subject=subject.upper()), support)
    assert outcome.message.conversation_id == first.conversation_id
    assert outcome.message.inbound.threaded_by == "token"


def test_threading_never_crosses_mailboxes(support, billing):
    first = ingest_raw(make_mail(message_id="<x1@example.com>"), support).message
    subject = subject_with_token("Export fails", first.conversation.token)
    follow = make_mail(subject=subject, extra="In-Reply-To: <x1@example.com>\r\n")
    outcome = ingest_raw(follow, billing)
    assert outcome.message.conversation_id != first.conversation_id
    assert outcome.message.conversation.mailbox == billing


def test_auto_replies_are_stored_and_flagged(support):
    raw = make_mail(subject="Out of office", extra="Auto-Submitted: auto-replied\r\n")
    outcome = ingest_raw(raw, support)
    assert outcome.status == "stored"
    assert outcome.message.inbound.auto_reply
    assert outcome.message.inbound.auto_reasons == ["auto-submitted: auto-replied"]


def test_a_bounce_lands_on_the_bounced_conversation_and_flags_the_address(support, alice):
    first = ingest_raw(make_mail(sender="lee@example.org"), support).message
    reply = do_send_reply(first.conversation, alice, "Here is the fix.")
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: support@calmdesk.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.example.org>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; lee@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@calmdesk.test\r\nMessage-ID: {reply.message_id}\r\n"
        "--r--\r\n"
    ).encode()
    outcome = ingest_raw(dsn, support)
    # A bounce is no customer message (issue 14): it is kept beside the conversation.
    assert outcome.status == "bounce"
    assert outcome.bounce.conversation_id == first.conversation_id
    assert outcome.bounce.recipients == ["lee@example.org"]
    assert first.conversation.messages.filter(kind=MessageKind.CUSTOMER).count() == 1
    assert CustomerEmail.objects.get(email="lee@example.org").bouncing


def test_unparseable_mail_is_quarantined_raw_and_retried_after_a_fix(support, monkeypatch):
    raw = make_mail(message_id="<later@example.com>")
    real_parse = ingest_module.parse

    def broken(_raw: bytes):  # type: ignore[no-untyped-def]
        raise ParseError("parser bug")

    monkeypatch.setattr(ingest_module, "parse", broken)
    outcome = ingest_raw(raw, support)
    assert outcome.status == "quarantined"
    row = Quarantine.objects.get()
    assert (row.cause, row.reason) == (QuarantineCause.UNREADABLE, "parser bug")
    assert (Path(settings.RAW_MAIL_DIR) / row.raw_path).read_bytes() == raw
    assert ingest_raw(raw, support).status == "duplicate"

    monkeypatch.setattr(ingest_module, "parse", real_parse)
    tally = retry_quarantine()
    assert (tally.stored, tally.quarantined) == (1, 0)
    row.refresh_from_db()
    assert row.resolved_message.message_id == "<later@example.com>"


def test_a_storage_error_quarantines_instead_of_stopping(support, monkeypatch):
    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "do_receive_message", explode)
    outcome = ingest_raw(make_mail(), support)
    assert outcome.status == "quarantined"
    assert "disk full" in outcome.reason
    assert Quarantine.objects.get().cause == QuarantineCause.STORE_ERROR
    assert Message.objects.count() == 0


HTML_MAIL = (
    b"From: Dana <dana@example.com>\r\nSubject: Screenshot\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/related; boundary="rel"\r\n\r\n'
    b"--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>See <img src="cid:shot1@example.com"> and <img src="https://tracker.example/p.gif">'
    b"</p><script>alert(1)</script>\r\n"
    b"--rel\r\nContent-Type: image/png; name=shot.png\r\nContent-ID: <shot1@example.com>\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
    b"--rel\r\nContent-Type: application/pdf; name=big.pdf\r\n"
    b"Content-Disposition: attachment; filename=big.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b"QUFB" * 100 + b"\r\n--rel--\r\n"
)


def test_html_is_sanitised_inline_images_point_at_us_and_big_files_are_listed(support):
    MailboxMailSettings.objects.create(mailbox=support, max_attachment_bytes=100)
    message = ingest_raw(HTML_MAIL, support).message
    assert "<script" not in message.body_html
    assert "tracker.example" not in message.body_html
    assert f'src="/mail/inline/{message.inbound.key}/' in message.body_html
    assert message.body_text.startswith("See")
    shot = Attachment.objects.get(message=message)
    assert (shot.filename, shot.content_id, shot.inline) == ("shot.png", "shot1@example.com", True)
    assert shot.file.read() == b"\x89PNG\r\n\x1a\n"
    assert message.inbound.skipped_attachments == [
        {"filename": "big.pdf", "size": 300, "reason": "larger than 100 bytes"}
    ]


def test_the_analysis_text_drops_the_quote_and_the_original_keeps_it(support):
    body = "It still fails.\n\nOn Mon, Nov 2, 2026 at 9:00 AM Sam <s@x.test> wrote:\n> Again?\n"
    message = ingest_raw(make_mail(body=body), support).message
    assert message.analysis_text == "It still fails."
    assert "> Again?" in message.body_text


def test_conversations_of_new_senders_open_once_per_message(support):
    ingest_raw(make_mail(sender="a@example.com"), support)
    ingest_raw(make_mail(sender="b@example.com"), support)
    assert Conversation.objects.count() == 2


def test_automatic_mail_and_bursts_are_never_answered_by_a_machine(support):
    from calmdesk.mail.loops import BURST_MESSAGES, may_answer_automatically

    person = ingest_raw(make_mail(), support).message
    assert may_answer_automatically(person)
    robot = ingest_raw(make_mail(extra="Auto-Submitted: auto-replied\r\n"), support).message
    assert not may_answer_automatically(robot)
    subject = subject_with_token("Export fails", person.conversation.token)
    for n in range(BURST_MESSAGES):
        latest = ingest_raw(make_mail(subject=subject, body=f"again {n}\n"), support).message
    assert latest.conversation_id == person.conversation_id
    assert not may_answer_automatically(latest)
