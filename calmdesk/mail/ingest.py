"""Raw mail in: every message ends stored, a duplicate of one stored, or quarantined
with its reason. Nothing is dropped and one bad message never stops a batch.

The raw bytes are written first (content-addressed); the message is parsed, its HTML
cleaned and its text extracted next, all outside any transaction (each bounded: the
size cap, the MIME and HTML depth caps); then one short transaction stores the message,
its attachments and its ``InboundMail`` row. A bounce is stored as a ``Bounce``, never
as the customer's message. A database that cannot be reached
raises ``MailStoreUnavailable``: the pipe exits EX_TEMPFAIL so the MTA retries, and the
IMAP poller leaves the message unseen.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import getaddresses
from enum import StrEnum

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.actions import (
    ReceivedFile,
    do_attach_received,
    find_or_create_customer,
)
from calmdesk.desk.models import Conversation, Mailbox, Message
from calmdesk.mail import rawstore
from calmdesk.mail.actions import do_record_inbound
from calmdesk.mail.htmltext import html_to_text, sanitise
from calmdesk.mail.models import (
    Bounce,
    InboundMail,
    MailboxMailSettings,
    ParticipantSource,
    Quarantine,
    QuarantineCause,
)
from calmdesk.mail.notices import do_note_claimed_conversation, do_record_bounce
from calmdesk.mail.parsing import (
    RAW_ONLY_NESTING,
    RAW_ONLY_SIZE,
    ParsedAttachment,
    ParsedMail,
    ParseError,
    parse,
    parse_headers_only,
    too_nested,
)
from calmdesk.mail.participants import do_add_participants
from calmdesk.mail.quoting import ANALYSED_CHARS, QUOTE_SCAN_CHARS, reply_text
from calmdesk.mail.threads import (
    REFERENCES_LOOKED_AT,
    TOKEN_RE,
    Threading,
    find_conversation,
    is_our_message_id,
)
from calmdesk.receive import do_receive_message

log = logging.getLogger(__name__)

_SETTINGS_FIELDS = MailboxMailSettings._meta
DEFAULT_MAX_ATTACHMENT_BYTES = _SETTINGS_FIELDS.get_field("max_attachment_bytes").default
MAX_HTML_KEPT = 5 * 1024 * 1024
# Retries when two ingests race on the same new customer address (a unique row).
RACE_RETRIES = 3
# A folder's messages are stored in groups, one commit each (``ingest_groups``): big
# enough to spare most commits, small enough that SQLite's one writer is held for tens
# of milliseconds, not seconds.
GROUP_MESSAGES = 20
GROUP_BYTES = 2 * 1024 * 1024

Pause = Callable[[str], None]


def _no_pause(step: str) -> None:
    """Where a crash test stops the ingest (``calmdesk ingest --pause-at``)."""


class MailStoreUnavailable(Exception):
    """The database could not be reached; nothing was stored, try again later."""


class IngestStatus(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"
    BOUNCE = "bounce"


@dataclass
class Outcome:
    status: IngestStatus
    message: Message | None = None
    quarantine: Quarantine | None = None
    reason: str = ""
    bounce: Bounce | None = None


@dataclass
class Tally:
    stored: int = 0
    quarantined: int = 0
    duplicates: int = 0
    bounces: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.status == IngestStatus.STORED:
            self.stored += 1
        elif outcome.status == IngestStatus.QUARANTINED:
            self.quarantined += 1
        elif outcome.status == IngestStatus.BOUNCE:
            self.bounces += 1
        else:
            self.duplicates += 1

    def line(self) -> str:
        line = (
            f"ingested: {self.stored} stored, {self.quarantined} quarantined, "
            f"{self.duplicates} duplicates"
        )
        return f"{line}, {self.bounces} bounces" if self.bounces else line


def default_mailbox() -> Mailbox:
    mailbox = Mailbox.objects.filter(is_default=True).order_by("id").first()
    mailbox = mailbox or Mailbox.objects.order_by("id").first()
    if mailbox is None:
        # A fresh install still accepts mail; an admin renames the mailbox later.
        mailbox, _ = Mailbox.objects.get_or_create(
            slug="support",
            defaults={"name": "Support", "email": "support@calmdesk.localhost", "is_default": True},
        )
    return mailbox


def inline_path(key: str, content_id: str) -> str:
    """Our URL for an inline image, known before the message row exists."""
    digest = hashlib.sha256(content_id.encode("utf-8", "replace")).hexdigest()[:16]
    return f"/mail/inline/{key}/{digest}/"


@dataclass(frozen=True)
class AttachmentQuota:
    """What one message may store of its files, per mailbox (``MailboxMailSettings``)."""

    per_file: int = DEFAULT_MAX_ATTACHMENT_BYTES
    count: int = _SETTINGS_FIELDS.get_field("max_attachments").default
    total: int = _SETTINGS_FIELDS.get_field("max_attachments_total_bytes").default

    def sort(self, files: list[ParsedAttachment]) -> tuple[list, list[dict[str, object]]]:
        """(the files kept, a note for each one left out), in the message's order."""
        kept: list[ParsedAttachment] = []
        skipped: list[dict[str, object]] = []
        total = 0
        for file in files:
            size = len(file.payload)
            if size > self.per_file:
                reason = f"larger than {self.per_file} bytes"
            elif len(kept) >= self.count:
                reason = f"over the mailbox's {self.count} attachments per message"
            elif total + size > self.total:
                reason = f"over the mailbox's {self.total} bytes of attachments per message"
            else:
                kept.append(file)
                total += size
                continue
            skipped.append({"filename": file.filename, "size": size, "reason": reason})
        return kept, skipped


def attachment_quota(mailbox: Mailbox) -> AttachmentQuota:
    row = (
        MailboxMailSettings.objects.filter(mailbox=mailbox)
        .values_list("max_attachment_bytes", "max_attachments", "max_attachments_total_bytes")
        .first()
    )
    return AttachmentQuota() if row is None else AttachmentQuota(*row)


@dataclass
class Prepared:
    """A parsed message with everything its write transaction needs, all computed
    before the transaction opens: the HTML cleaned, the text extracted, attachments
    sorted under the limit. The transaction only writes."""

    parsed: ParsedMail
    key: str
    text: str
    html: str
    analysis_text: str
    kept: list[ParsedAttachment]
    skipped: list[dict[str, object]]


def prepare(parsed: ParsedMail, quota: AttachmentQuota) -> Prepared:
    key = uuid.uuid4().hex
    kept, skipped = quota.sort(parsed.attachments)
    if parsed.raw_only:
        return Prepared(parsed, key, _raw_only_note(parsed.raw_only), "", "", [], skipped)
    inline_urls = {a.content_id: inline_path(key, a.content_id) for a in kept if a.content_id}
    text = parsed.text or html_to_text(parsed.html)
    # HTML past this is kept in the raw mail only: the page shows the text, and cleaning
    # 30 MB of HTML once more for a copy nobody reads was a third of the peak memory.
    html = sanitise(parsed.html, inline_urls) if len(parsed.html) <= MAX_HTML_KEPT else ""
    # The engine reads the start of a long message (it reads in the write transaction,
    # and its work grows with the text); the stored body keeps everything.
    analysed = reply_text(text[:QUOTE_SCAN_CHARS])[:ANALYSED_CHARS]
    return Prepared(parsed, key, text, html, analysed, kept, skipped)


def parse_limited(raw: bytes) -> ParsedMail:
    """Mail over ``CALMDESK_MAX_MESSAGE_BYTES``, or nested past what real mail is, is
    read from its headers only."""
    if len(raw) > settings.MAX_MESSAGE_BYTES:
        return parse_headers_only(raw, RAW_ONLY_SIZE)
    if too_nested(raw):
        return parse_headers_only(raw, RAW_ONLY_NESTING)
    return parse(raw)


def _raw_only_note(why: str) -> str:
    if why == RAW_ONLY_NESTING:
        first = _(
            "This message nests more parts than any real mail does, so only its headers were read."
        )
    else:
        first = _("This message is larger than %(limit)s, so only its headers were read.") % {
            "limit": filesizeformat(settings.MAX_MESSAGE_BYTES)
        }
    return f"{first} {_('The whole message is kept as it came, in its raw mail.')}"


@dataclass
class Received:
    """A message read before any transaction: its raw bytes kept, then either prepared
    for storing or the reason it goes to the quarantine (written in the transaction)."""

    raw: bytes
    digest: str
    rel: str
    prepared: Prepared | None = None
    cause: QuarantineCause = QuarantineCause.PARSER_ERROR
    reason: str = ""


def receive(raw: bytes, mailbox: Mailbox) -> Received:
    """Keep the raw bytes, then parse and clean the message: everything heavy, outside
    any transaction (``_store`` only writes)."""
    digest, rel = rawstore.keep(raw)
    try:
        parsed = parse_limited(raw)
        # A message without files needs no look at the mailbox's quota (no query).
        quota = attachment_quota(mailbox) if parsed.attachments else AttachmentQuota()
        return Received(raw, digest, rel, prepare(parsed, quota))
    except ParseError as exc:
        return Received(raw, digest, rel, None, QuarantineCause.UNREADABLE, str(exc))
    except (OperationalError, InterfaceError) as exc:
        raise MailStoreUnavailable(str(exc)) from exc
    except Exception as exc:  # a parser bug must not stop the loop: keep the bytes
        log.exception("parser failed on %s", digest)
        return Received(raw, digest, rel, None, QuarantineCause.PARSER_ERROR, f"{exc!r}"[:1000])


def ingest_raw(raw: bytes, mailbox: Mailbox, *, source: str = "pipe") -> Outcome:
    """Store one raw message. Raises ``MailStoreUnavailable`` only when the database is
    down (nothing stored); every other failure ends in the quarantine. All parsing and
    cleaning happen here, before the write transaction (``_store``) opens."""
    return _store_received(receive(raw, mailbox), mailbox, source)


def ingest_group(
    raws: list[bytes], mailbox: Mailbox, *, source: str = "file", pause: Pause = _no_pause
) -> list[Outcome]:
    """Store several messages in one transaction (one commit instead of one each), every
    one of them parsed before it opens. Should any message fail, the group is rolled
    back whole and stored again one message per transaction, as ``ingest_raw`` does:
    the failing one is quarantined with its raw bytes and the others stored. Nothing is
    stored until the group commits: a caller may count or acknowledge these messages
    only after this returns. Raises ``MailStoreUnavailable`` (nothing of the group
    stored) when the database is down."""
    received = [receive(raw, mailbox) for raw in raws]
    try:
        # No savepoint per message: two statements each, for a failure that is rare.
        with transaction.atomic():
            outcomes = [_store_in_group(item, mailbox, source) for item in received]
            pause("group-stored")
        return outcomes
    except (OperationalError, InterfaceError) as exc:
        raise MailStoreUnavailable(str(exc)) from exc
    except Exception:
        log.info("a group of %d messages failed; storing them one by one", len(received))
    return [_store_received(item, mailbox, source) for item in received]


def _store_in_group(item: Received, mailbox: Mailbox, source: str) -> Outcome:
    if item.prepared is None:
        return quarantine(item.raw, item.digest, item.rel, item.cause, item.reason, mailbox, source)
    return _write(item.prepared, mailbox, item.digest, item.rel, source)


def ingest_groups(
    raws: Iterable[bytes], mailbox: Mailbox, *, source: str = "file", pause: Pause = _no_pause
) -> Iterator[list[Outcome]]:
    """``ingest_group`` over a stream of messages, in groups of at most GROUP_MESSAGES
    messages and GROUP_BYTES of raw mail; yields each group's outcomes after it commits."""
    group: list[bytes] = []
    size = 0
    for raw in raws:
        if group and (len(group) >= GROUP_MESSAGES or size + len(raw) > GROUP_BYTES):
            yield ingest_group(group, mailbox, source=source, pause=pause)
            pause("after-commit")
            group, size = [], 0
        group.append(raw)
        size += len(raw)
    if group:
        yield ingest_group(group, mailbox, source=source, pause=pause)
        pause("after-commit")


def _store_received(item: Received, mailbox: Mailbox, source: str) -> Outcome:
    """Write one received message: its own transaction, or a savepoint in a group's."""
    raw, digest, rel, prepared = item.raw, item.digest, item.rel, item.prepared
    if prepared is None:
        return quarantine(raw, digest, rel, item.cause, item.reason, mailbox, source)
    for attempt in range(RACE_RETRIES):
        try:
            return _store(prepared, mailbox, digest, rel, source)
        except IntegrityError:
            # Another process stored this message, or created this customer, first.
            if attempt == RACE_RETRIES - 1:
                break
        except (OperationalError, InterfaceError) as exc:
            raise MailStoreUnavailable(str(exc)) from exc
        except DatabaseError as exc:
            return quarantine(
                raw, digest, rel, QuarantineCause.REFUSED, f"{exc}"[:1000], mailbox, source
            )
        except Exception as exc:
            log.exception("storing %s failed", digest)
            return quarantine(
                raw, digest, rel, QuarantineCause.STORE_ERROR, f"{exc!r}"[:1000], mailbox, source
            )
    if _already_stored(mailbox, prepared.parsed):
        return Outcome(IngestStatus.DUPLICATE)
    return quarantine(raw, digest, rel, QuarantineCause.COLLISION, "", mailbox, source)


# Asked before every message is stored: the ORM's compiling of it cost several times
# its running, so it is written out once (as the pulse's marker is, desk/views/pulse.py).
_STORED_SQL = "SELECT 1 FROM {table} WHERE mailbox_id = %s AND fingerprint = %s LIMIT 1"


def _already_stored(mailbox: Mailbox, parsed: ParsedMail) -> bool:
    rows = Bounce if parsed.is_bounce else InboundMail
    with connection.cursor() as cursor:
        cursor.execute(
            _STORED_SQL.format(table=rows._meta.db_table), [mailbox.pk, parsed.fingerprint]
        )
        return cursor.fetchone() is not None


def quarantine(
    raw: bytes,
    digest: str,
    rel: str,
    cause: QuarantineCause,
    reason: str,
    mailbox: Mailbox | None,
    source: str,
) -> Outcome:
    reason = reason or str(cause.label)
    try:
        row, created = Quarantine.objects.get_or_create(
            raw_sha256=digest,
            defaults={
                "raw_path": rel,
                "size": len(raw),
                "cause": cause,
                "reason": reason,
                "mailbox": mailbox,
                "source": source,
                "created_at": timezone.now(),
            },
        )
    except (OperationalError, InterfaceError) as exc:
        raise MailStoreUnavailable(str(exc)) from exc
    status = IngestStatus.QUARANTINED if created else IngestStatus.DUPLICATE
    return Outcome(status, quarantine=row, reason=reason)


def _store(prepared: Prepared, mailbox: Mailbox, digest: str, rel: str, source: str) -> Outcome:
    """One message's own transaction (a savepoint inside another)."""
    with transaction.atomic():
        return _write(prepared, mailbox, digest, rel, source)


def _write(prepared: Prepared, mailbox: Mailbox, digest: str, rel: str, source: str) -> Outcome:
    """The writes of one message, inside a transaction the caller holds."""
    parsed = prepared.parsed
    if _already_stored(mailbox, parsed):
        return Outcome(IngestStatus.DUPLICATE)
    if parsed.is_bounce:
        bounced = find_conversation(mailbox, parsed).conversation
        return _store_bounce(parsed, mailbox, bounced, digest, rel)
    customer = find_or_create_customer(parsed.from_address, parsed.from_name)
    threading = find_conversation(mailbox, parsed, customer)
    # A Message-ID we gave one of our replies is ours: a stranger's message carrying it
    # must not become what a customer's answer to that reply threads onto.
    own_id = "" if is_our_message_id(parsed.message_id) else parsed.message_id
    # A claimed conversation's token is not this one's: it would show in the subject.
    subject = TOKEN_RE.sub("", parsed.subject).strip() if threading.claims else parsed.subject
    message = do_receive_message(
        mailbox=mailbox,
        customer=customer,
        text=prepared.text,
        subject=subject,
        html=prepared.html,
        analysis_text=prepared.analysis_text,
        message_id=own_id,
        conversation=threading.conversation,
    )
    do_attach_received(
        message,
        (
            ReceivedFile(p.filename, p.content_type, p.payload, p.content_id, p.inline)
            for p in prepared.kept
        ),
    )
    do_record_inbound(
        message=message,
        mailbox=mailbox,
        fingerprint=parsed.fingerprint,
        raw_sha256=digest,
        raw_path=rel,
        key=prepared.key,
        from_address=parsed.from_address[:320],
        subject=parsed.subject,
        in_reply_to=" ".join(parsed.in_reply_to),
        references=" ".join(parsed.references[-REFERENCES_LOOKED_AT:]),
        headers=parsed.headers if own_id else {**parsed.headers, "message-id": parsed.message_id},
        auto_reply=bool(parsed.auto_reasons),
        auto_reasons=parsed.auto_reasons,
        threaded_by=threading.how,
        skipped_attachments=prepared.skipped,
        source=source,
        received_at=message.created_at,
        claims_conversation=threading.claims,
        raw_only=bool(parsed.raw_only),
    )
    _keep_participants(message, parsed, threading)
    return Outcome(IngestStatus.STORED, message=message)


def _keep_participants(message: Message, parsed: ParsedMail, threading: Threading) -> None:
    conversation = message.conversation
    if threading.claims is not None:
        do_note_claimed_conversation(conversation, threading.claims, parsed.from_address)
    if threading.conversation is not None and message.customer_id != conversation.customer_id:
        # A participant other than the customer (a colleague they copied) wrote in.
        do_add_participants(conversation, [parsed.from_address], ParticipantSource.SENDER)
    copied = [address for _name, address in getaddresses([parsed.headers.get("cc", "")])]
    if copied:
        do_add_participants(conversation, copied, ParticipantSource.CC)


def _store_bounce(
    parsed: ParsedMail, mailbox: Mailbox, conversation: Conversation | None, digest: str, rel: str
) -> Outcome:
    bounce = do_record_bounce(
        mailbox=mailbox,
        conversation=conversation,
        recipients=parsed.bounced_recipients,
        fingerprint=parsed.fingerprint,
        raw_sha256=digest,
        raw_path=rel,
        from_address=parsed.from_address[:320],
        subject=parsed.subject,
        diagnostic=parsed.bounce_diagnostic,
    )
    return Outcome(IngestStatus.BOUNCE, bounce=bounce)


def retry_quarantine(ids: list[int] | None = None) -> Tally:
    """Parse and store quarantined mail again (after a parser fix, or once the cause
    is gone). A record that stores is kept, pointing at its message, for the audit."""
    tally = Tally()
    pending = Quarantine.objects.filter(resolved_message__isnull=True).order_by("id")
    if ids is not None:
        pending = pending.filter(id__in=ids)
    for row in list(pending):
        raw = rawstore.read(row.raw_path)
        mailbox = row.mailbox or default_mailbox()
        try:
            parsed = parse_limited(raw)
            prepared = prepare(parsed, attachment_quota(mailbox))
        except ParseError as exc:
            Quarantine.objects.filter(pk=row.pk).update(
                cause=QuarantineCause.UNREADABLE, reason=str(exc), retried_at=timezone.now()
            )
            tally.add(Outcome(IngestStatus.QUARANTINED, quarantine=row, reason=str(exc)))
            continue
        try:
            outcome = _store(prepared, mailbox, row.raw_sha256, row.raw_path, row.source)
        except (OperationalError, InterfaceError) as exc:
            raise MailStoreUnavailable(str(exc)) from exc
        except Exception as exc:
            Quarantine.objects.filter(pk=row.pk).update(
                cause=QuarantineCause.STORE_ERROR,
                reason=f"{exc!r}"[:1000],
                retried_at=timezone.now(),
            )
            tally.add(Outcome(IngestStatus.QUARANTINED, quarantine=row, reason=str(exc)))
            continue
        if parsed.is_bounce:
            # A bounce quarantined before bounces were known: its Bounce row keeps the
            # raw mail now, and a quarantine row has no message to point at.
            Quarantine.objects.filter(pk=row.pk).delete()
            tally.add(outcome)
            continue
        if outcome.message is None:  # stored meanwhile by another route
            existing = InboundMail.objects.filter(
                mailbox=mailbox, fingerprint=parsed.fingerprint
            ).first()
            resolved = existing.message if existing else None
        else:
            resolved = outcome.message
        Quarantine.objects.filter(pk=row.pk).update(
            resolved_message=resolved, retried_at=timezone.now()
        )
        tally.add(outcome)
    return tally
