"""Raw mail in: every message ends stored, a duplicate of one stored, or quarantined
with its reason. Nothing is dropped and one bad message never stops a batch.

The raw bytes are written first (content-addressed), then one transaction stores the
message, its attachments and its ``InboundMail`` row. A database that cannot be reached
raises ``MailStoreUnavailable``: the pipe exits EX_TEMPFAIL so the MTA retries, and the
IMAP poller leaves the message unseen.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from calmdesk.desk.actions import (
    ReceivedFile,
    do_attach_received,
    do_mark_bouncing,
    find_or_create_customer,
)
from calmdesk.desk.models import Mailbox, Message
from calmdesk.mail import rawstore
from calmdesk.mail.actions import do_record_inbound
from calmdesk.mail.htmltext import html_to_text, sanitise
from calmdesk.mail.models import InboundMail, MailboxMailSettings, Quarantine, QuarantineCause
from calmdesk.mail.parsing import ParsedMail, ParseError, parse
from calmdesk.mail.quoting import reply_text
from calmdesk.mail.threads import REFERENCES_LOOKED_AT, find_conversation
from calmdesk.receive import do_receive_message

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTACHMENT_BYTES = MailboxMailSettings._meta.get_field("max_attachment_bytes").default
# Retries when two ingests race on the same new customer address (a unique row).
RACE_RETRIES = 3


class MailStoreUnavailable(Exception):
    """The database could not be reached; nothing was stored, try again later."""


class IngestStatus(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass
class Outcome:
    status: IngestStatus
    message: Message | None = None
    quarantine: Quarantine | None = None
    reason: str = ""


@dataclass
class Tally:
    stored: int = 0
    quarantined: int = 0
    duplicates: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.status == IngestStatus.STORED:
            self.stored += 1
        elif outcome.status == IngestStatus.QUARANTINED:
            self.quarantined += 1
        else:
            self.duplicates += 1

    def line(self) -> str:
        return (
            f"ingested: {self.stored} stored, {self.quarantined} quarantined, "
            f"{self.duplicates} duplicates"
        )


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


def _max_attachment_bytes(mailbox: Mailbox) -> int:
    limit = (
        MailboxMailSettings.objects.filter(mailbox=mailbox)
        .values_list("max_attachment_bytes", flat=True)
        .first()
    )
    return DEFAULT_MAX_ATTACHMENT_BYTES if limit is None else limit


def ingest_raw(raw: bytes, mailbox: Mailbox, *, source: str = "pipe") -> Outcome:
    """Store one raw message. Raises ``MailStoreUnavailable`` only when the database is
    down (nothing stored); every other failure ends in the quarantine."""
    digest, rel = rawstore.keep(raw)
    try:
        parsed = parse(raw)
    except ParseError as exc:
        return quarantine(raw, digest, rel, QuarantineCause.UNREADABLE, str(exc), mailbox, source)
    except Exception as exc:  # a parser bug must not stop the loop: keep the bytes
        log.exception("parser failed on %s", digest)
        return quarantine(
            raw, digest, rel, QuarantineCause.PARSER_ERROR, f"{exc!r}"[:1000], mailbox, source
        )
    limit = _max_attachment_bytes(mailbox) if parsed.attachments else DEFAULT_MAX_ATTACHMENT_BYTES
    for attempt in range(RACE_RETRIES):
        try:
            return _store(parsed, mailbox, digest, rel, source, limit)
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
    if InboundMail.objects.filter(mailbox=mailbox, fingerprint=parsed.fingerprint).exists():
        return Outcome(IngestStatus.DUPLICATE)
    return quarantine(raw, digest, rel, QuarantineCause.COLLISION, "", mailbox, source)


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


@transaction.atomic
def _store(
    parsed: ParsedMail, mailbox: Mailbox, digest: str, rel: str, source: str, limit: int
) -> Outcome:
    if InboundMail.objects.filter(mailbox=mailbox, fingerprint=parsed.fingerprint).exists():
        return Outcome(IngestStatus.DUPLICATE)
    conversation, threaded_by = find_conversation(mailbox, parsed)
    if parsed.is_bounce and conversation is not None:
        # A bounce speaks for the address it bounced, not for the mail daemon.
        customer = conversation.customer
    else:
        customer = find_or_create_customer(parsed.from_address, parsed.from_name)
    key = uuid.uuid4().hex
    kept = [a for a in parsed.attachments if len(a.payload) <= limit]
    skipped = [
        {"filename": a.filename, "size": len(a.payload), "reason": f"larger than {limit} bytes"}
        for a in parsed.attachments
        if len(a.payload) > limit
    ]
    inline_urls = {a.content_id: inline_path(key, a.content_id) for a in kept if a.content_id}
    text = parsed.text or html_to_text(parsed.html)
    message = do_receive_message(
        mailbox=mailbox,
        customer=customer,
        text=text,
        subject=parsed.subject,
        html=sanitise(parsed.html, inline_urls),
        analysis_text=reply_text(text),
        message_id=parsed.message_id,
        conversation=conversation,
    )
    do_attach_received(
        message,
        (ReceivedFile(p.filename, p.content_type, p.payload, p.content_id, p.inline) for p in kept),
    )
    do_record_inbound(
        message=message,
        mailbox=mailbox,
        fingerprint=parsed.fingerprint,
        raw_sha256=digest,
        raw_path=rel,
        key=key,
        from_address=parsed.from_address[:320],
        subject=parsed.subject,
        in_reply_to=" ".join(parsed.in_reply_to),
        references=" ".join(parsed.references[-REFERENCES_LOOKED_AT:]),
        headers=parsed.headers,
        auto_reply=bool(parsed.auto_reasons) or parsed.is_bounce,
        auto_reasons=parsed.auto_reasons,
        bounce=parsed.is_bounce,
        bounced_recipients=parsed.bounced_recipients,
        threaded_by=threaded_by,
        skipped_attachments=skipped,
        source=source,
        received_at=message.created_at,
    )
    if parsed.is_bounce and parsed.bounced_recipients:
        do_mark_bouncing(parsed.bounced_recipients)
    return Outcome(IngestStatus.STORED, message=message)


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
            parsed = parse(raw)
        except ParseError as exc:
            Quarantine.objects.filter(pk=row.pk).update(
                cause=QuarantineCause.UNREADABLE, reason=str(exc), retried_at=timezone.now()
            )
            tally.add(Outcome(IngestStatus.QUARANTINED, quarantine=row, reason=str(exc)))
            continue
        try:
            outcome = _store(
                parsed,
                mailbox,
                row.raw_sha256,
                row.raw_path,
                row.source,
                _max_attachment_bytes(mailbox),
            )
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
