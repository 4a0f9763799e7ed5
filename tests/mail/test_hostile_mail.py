"""Mail from a stranger must not hijack or mislead (issue 14): each test sends the
attack as raw RFC 822 mail through the real ingest first, then checks what is stored
and where the next reply goes."""

from __future__ import annotations

import pytest
from django.conf import settings

from calmdesk.desk.models import CustomerEmail, Event, EventKind, Message, MessageKind, Status
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import Bounce, Participant, ParticipantSource
from calmdesk.mail.participants import do_add_participants
from calmdesk.mail.smtp import build_reply
from calmdesk.mail.threads import subject_with_token
from tests.conftest import shared_data
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

SOFIA = "Sofia Marin <sofia@post.example>"
EVE = "Eve <eve@evil.test>"


@pytest.fixture
def sofias(support, alice):  # type: ignore[no-untyped-def]
    """Sofia's conversation in Support, with alice's reply to it."""
    first = ingest_raw(make_mail(sender=SOFIA, message_id="<s1@post.example>"), support).message
    reply = do_send_reply(first.conversation, alice, "Could you send the export log?")
    return first.conversation, reply


def answer(reply: Message, *, sender: str, extra: str = "", subject: str = "Re: Export") -> bytes:
    threading = f"In-Reply-To: {reply.message_id}\r\nReferences: {reply.message_id}\r\n"
    return make_mail(sender=sender, subject=subject, extra=threading + extra)


# -- thread takeover ---------------------------------------------------------------------


def test_a_stranger_with_the_subject_token_opens_a_conversation_of_their_own(sofias, support):
    conversation, _reply = sofias
    subject = "Re: " + subject_with_token("Export fails", conversation.token)
    outcome = ingest_raw(make_mail(sender=EVE, subject=subject), support)
    message = outcome.message
    assert message.conversation_id != conversation.pk
    assert message.inbound.claims_conversation_id == conversation.pk
    assert message.inbound.threaded_by == ""
    assert message.conversation.subject == "Re: Export fails"  # not Sofia's token
    claim = Event.objects.get(conversation=message.conversation, kind=EventKind.MAIL)
    assert claim.data == {"claims": conversation.pk, "sender": "eve@evil.test"}
    assert conversation.messages.filter(kind=MessageKind.CUSTOMER).count() == 1


def test_a_stranger_answering_our_message_id_opens_a_conversation_of_their_own(sofias, support):
    conversation, reply = sofias
    outcome = ingest_raw(answer(reply, sender=EVE, subject="Re: Export fails"), support)
    assert outcome.message.conversation_id != conversation.pk
    assert outcome.message.inbound.claims_conversation_id == conversation.pk


def test_the_customer_and_people_she_copied_still_thread(sofias, support):
    conversation, reply = sofias
    own = ingest_raw(
        answer(reply, sender=SOFIA, extra="Cc: Tom <tom@post.example>\r\n"), support
    ).message
    assert own.conversation_id == conversation.pk
    assert Participant.objects.get(conversation=conversation).email == "tom@post.example"
    tom = ingest_raw(answer(reply, sender="Tom <tom@post.example>"), support).message
    assert tom.conversation_id == conversation.pk
    assert tom.inbound.threaded_by == "headers"


def test_an_agent_and_an_imported_participant_may_continue_a_conversation(sofias, support, alice):
    conversation, _reply = sofias
    subject = subject_with_token("Export fails", conversation.token)
    from_alice = ingest_raw(make_mail(sender=alice.email, subject=subject), support).message
    assert from_alice.conversation_id == conversation.pk
    do_add_participants(conversation, ["Lee@Partner.example"], ParticipantSource.IMPORTED)
    lee = ingest_raw(make_mail(sender="lee@partner.example", subject=subject), support).message
    assert lee.conversation_id == conversation.pk


def test_the_reply_goes_to_the_customer_not_to_whoever_wrote_last(sofias, support, alice):
    conversation, reply = sofias
    tom = "Tom <tom@post.example>"
    ingest_raw(answer(reply, sender=SOFIA, extra=f"Cc: {tom}\r\n"), support)
    ingest_raw(answer(reply, sender=tom), support)
    envelope = build_reply(do_send_reply(conversation, alice, "Thanks, both."))
    assert envelope.recipients == ["sofia@post.example"]


# -- a reused Message-ID -----------------------------------------------------------------


def test_a_message_reusing_our_reply_id_cannot_pull_the_customers_answer_away(sofias, support):
    conversation, reply = sofias
    # Eve sends with the Message-ID of alice's reply; it is no anchor for threading.
    forged = ingest_raw(make_mail(sender=EVE, message_id=reply.message_id), support).message
    assert forged.conversation_id != conversation.pk
    assert forged.message_id == ""
    assert forged.inbound.headers["message-id"] == reply.message_id
    genuine = ingest_raw(answer(reply, sender=SOFIA), support).message
    assert genuine.conversation_id == conversation.pk


# -- a spoofed sender through an encoded display name ------------------------------------


@pytest.mark.parametrize(
    "sender,address,name",
    [
        ("=?utf-8?q?sofia=40post.example?= <eve@evil.test>", "eve@evil.test", "sofia@post.example"),
        ("=?utf-8?q?Eve=0D=0ABcc:_victim@post.example?= <eve@evil.test>", "eve@evil.test", None),
        ('"=?utf-8?b?c29maWFAcG9zdC5leGFtcGxl?=" <eve@evil.test>', "eve@evil.test", None),
    ],
)
def test_an_address_never_comes_out_of_an_encoded_display_name(support, sender, address, name):
    message = ingest_raw(make_mail(sender=sender), support).message
    assert message.inbound.from_address == address
    assert list(message.customer.emails.values_list("email", flat=True)) == [address]
    assert "\n" not in message.customer.name and "\r" not in message.customer.name
    if name is not None:
        assert message.customer.name == name
    assert not CustomerEmail.objects.filter(email__in=["sofia@post.example", "victim@post.example"])


def test_an_address_only_inside_an_encoded_word_is_no_sender(support):
    outcome = ingest_raw(make_mail(sender="=?utf-8?q?Sofia_<sofia@post.example>?="), support)
    assert outcome.status == "quarantined"
    assert not CustomerEmail.objects.exists()


# -- bounces -----------------------------------------------------------------------------


def dsn(sender: str, recipient: str, bounced_id: str, extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\n{extra}"
        "To: support@calmdesk.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn@mx.post.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 mailbox full\r\n"
        "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@calmdesk.test\r\nMessage-ID: {bounced_id}\r\n"
        "--r--\r\n"
    ).encode()


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON <>",
        "<>",
        "",
        "Mail Delivery Subsystem <MAILER-DAEMON>",
        "Mail Delivery System <MAILER-DAEMON@mx.post.example>",
    ],
)
def test_a_bounce_neither_reopens_counts_nor_becomes_the_recipient(sofias, support, alice, sender):
    conversation, reply = sofias
    conversation.status = Status.PENDING
    conversation.save()
    before = conversation.customer_message_count, conversation.waiting_since
    outcome = ingest_raw(dsn(sender, "sofia@post.example", reply.message_id), support)
    assert outcome.status == "bounce"
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING
    assert (conversation.customer_message_count, conversation.waiting_since) == before
    assert CustomerEmail.objects.get(email="sofia@post.example").bouncing
    event = Event.objects.get(conversation=conversation, kind=EventKind.MAIL)
    assert event.data["recipients"] == ["sofia@post.example"]
    assert "552 mailbox full" in event.data["diagnostic"]
    envelope = build_reply(do_send_reply(conversation, alice, "Your mailbox was full."))
    assert envelope.recipients == ["sofia@post.example"]


@pytest.mark.usefixtures("sofias")
def test_failed_recipients_from_anyone_never_mark_other_mailboxes_customers(support, billing):
    spoof = make_mail(sender=EVE, extra="X-Failed-Recipients: sofia@post.example\r\n")
    assert ingest_raw(spoof, billing).status == "stored"  # just mail, not a bounce
    daemon = dsn("MAILER-DAEMON <>", "sofia@post.example", "<unknown@elsewhere>")
    outcome = ingest_raw(daemon, billing)
    assert outcome.status == "bounce" and outcome.bounce.conversation is None
    assert outcome.bounce.marked == []
    # Nor in her own mailbox: a bounce that names no reply of ours is anyone's to send.
    assert ingest_raw(daemon, support).bounce.marked == []
    assert not CustomerEmail.objects.get(email="sofia@post.example").bouncing


def test_a_bounce_of_a_message_not_ours_is_kept_unfiled(support):
    outcome = ingest_raw(dsn("<>", "someone@post.example", "<theirs@post.example>"), support)
    assert outcome.status == "bounce"
    assert Bounce.objects.get().conversation is None
    assert not Message.objects.exists()
    assert ingest_raw(
        dsn("<>", "someone@post.example", "<theirs@post.example>"), support
    ).status == ("duplicate")


def test_the_thread_shows_the_claim_and_the_bounce(sofias, support, alice, client):
    conversation, reply = sofias
    subject = "Re: " + subject_with_token("Export fails", conversation.token)
    claimed = ingest_raw(make_mail(sender=EVE, subject=subject), support).message.conversation
    ingest_raw(dsn("<>", "sofia@post.example", reply.message_id), support)
    client.force_login(alice)
    page = client.get(f"/c/{claimed.pk}/").content.decode()
    assert "claims to continue it" in page
    assert f'href="/c/{conversation.pk}/"' in page
    page = client.get(f"/c/{conversation.pk}/").content.decode()
    assert "A reply bounced: not delivered to sofia@post.example" in page
    assert "552 mailbox full" in page


REAL_BOUNCES = [
    ("flanker", "fixtures", "messages", "bounce", "mailbox-full.eml"),
    ("flanker", "fixtures", "messages", "bounce", "gmail-invalid-address.eml"),
    ("flanker", "fixtures", "messages", "bounce", "office365.eml"),
    ("flanker", "fixtures", "messages", "bounce", "delayed.eml"),
    ("ruby_mail", "emails", "multipart_report_emails", "multi_address_bounce1.eml"),
    ("ruby_mail", "emails", "multipart_report_emails", "report_530.eml"),
    ("cpython", "data", "msg_43.txt"),  # From: MAILER DAEMON <>
]


@pytest.mark.parametrize("path", REAL_BOUNCES, ids=lambda p: p[-1])
def test_real_bounces_are_kept_as_bounces_not_quarantined(support, path):
    raw = shared_data("email", *path).read_bytes()
    outcome = ingest_raw(raw, support)
    assert outcome.status == "bounce", outcome.reason
    assert not Message.objects.exists()
    assert outcome.bounce.marked == []  # none of them is an address we wrote to


def test_erasing_a_customer_takes_the_bounces_of_mail_to_them(
    sofias,
    support,
    alice,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
):
    from calmdesk.desk.actions import do_erase_customer

    conversation, reply = sofias
    hers = ingest_raw(dsn("<>", "sofia@post.example", reply.message_id), support).bounce
    unfiled = ingest_raw(dsn("<>", "sofia@post.example", "<x@elsewhere>"), support).bounce
    other = ingest_raw(dsn("<>", "tom@else.example", "<y@elsewhere>"), support).bounce
    with django_capture_on_commit_callbacks(execute=True):
        do_erase_customer(conversation.customer, alice)
    assert list(Bounce.objects.all()) == [other]
    for gone in (hers, unfiled):
        assert not (settings.RAW_MAIL_DIR / gone.raw_path).exists()
    assert (settings.RAW_MAIL_DIR / other.raw_path).exists()


def test_the_doctor_counts_a_bounces_raw_mail_as_referenced(support):
    from calmdesk.ops.doctor import examine
    from tests.ops.test_doctor import make_old

    bounce = ingest_raw(dsn("<>", "someone@post.example", "<theirs@post.example>"), support).bounce
    make_old(str(settings.RAW_MAIL_DIR / bounce.raw_path))  # past the doctor's grace
    assert {r.check.code: r.left for r in examine(fix=True) if r.left} == {}
    assert (settings.RAW_MAIL_DIR / bounce.raw_path).exists()


def test_a_bounce_quarantined_before_is_kept_as_a_bounce_on_retry(support):
    from django.utils import timezone

    from calmdesk.mail import rawstore
    from calmdesk.mail.ingest import retry_quarantine
    from calmdesk.mail.models import Quarantine

    raw = dsn("MAILER-DAEMON <>", "someone@post.example", "<theirs@post.example>")
    digest, rel = rawstore.keep(raw)
    Quarantine.objects.create(
        mailbox=support,
        raw_sha256=digest,
        raw_path=rel,
        reason="no usable sender address",
        created_at=timezone.now(),
    )
    tally = retry_quarantine()
    assert (tally.bounces, tally.quarantined) == (1, 0)
    assert not Quarantine.objects.exists()
    assert Bounce.objects.get().raw_path == rel


def test_an_agent_may_send_a_reply_to_someone_else_in_the_conversation(sofias, support, alice):
    from calmdesk.desk.actions import ActionError
    from calmdesk.mail.participants import reply_choices

    conversation, reply = sofias
    ingest_raw(answer(reply, sender=SOFIA, extra="Cc: Tom <tom@post.example>\r\n"), support)
    assert reply_choices(conversation) == ["sofia@post.example", "tom@post.example"]
    to_tom = do_send_reply(
        conversation, alice, "Tom, could you check the export?", to="Tom@post.example"
    )
    assert build_reply(to_tom).recipients == ["tom@post.example"]
    with pytest.raises(ActionError):
        do_send_reply(conversation, alice, "Sending this elsewhere.", to="eve@evil.test")
    assert build_reply(do_send_reply(conversation, alice, "Sofia?")).recipients == [
        "sofia@post.example"
    ]


def test_the_composer_offers_the_conversations_addresses(sofias, support, alice, client):
    from calmdesk.mail.models import Outbox

    conversation, reply = sofias
    ingest_raw(answer(reply, sender=SOFIA, extra="Cc: Tom <tom@post.example>\r\n"), support)
    client.force_login(alice)
    page = client.get(f"/c/{conversation.pk}/").content.decode()
    assert '<select name="to">' in page and 'value="tom@post.example"' in page
    latest = conversation.messages.order_by("-id").first().pk
    form = {"body": "Tom, over to you.", "seen_up_to": latest, "then_status": ""}
    refused = client.post(f"/c/{conversation.pk}/reply/", {**form, "to": "eve@evil.test"})
    assert refused.status_code == 400
    sent = client.post(f"/c/{conversation.pk}/reply/", {**form, "to": "tom@post.example"})
    assert sent.status_code == 302
    assert Outbox.objects.get(message__body_text="Tom, over to you.").recipient == (
        "tom@post.example"
    )
