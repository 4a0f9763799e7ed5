"""The outbox loop: claim a due reply with one conditional UPDATE, send it, record it.

What "never doubled" means here, since SMTP cannot be exactly-once: a reply only ever
goes out under the Message-ID fixed when it was written, and it goes out twice only if
a worker died after the server accepted it and before we recorded that. The attempt
after such a crash is flagged ``possible_resend`` in the send log; if that one is
interrupted too, the reply is marked failed for a human instead of a third try.

Each step that a crash test kills the worker between calls ``pause(step)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from calmdesk.desk.models import Message, MessageKind
from calmdesk.mail.actions import UNCERTAIN, do_record_send_failure, do_record_sent
from calmdesk.mail.claims import holder_is_gone
from calmdesk.mail.forwarding import build_forward
from calmdesk.mail.models import Outbox, OutboxState, SendLog, SendOutcome
from calmdesk.mail.notices import do_alert_mail_loop
from calmdesk.mail.smtp import (
    HeaderInjection,
    PermanentFailure,
    TemporaryFailure,
    build_reply,
    deliver,
    smtp_config_for,
)

log = logging.getLogger(__name__)

# A claim older than this is presumed dead: far beyond one SMTP exchange (30 s timeout).
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# Ping-pong guard: no conversation sends more than this many messages in an hour,
# whatever automation asks for; the rest wait for the next hour.
SENDS_PER_CONVERSATION_PER_HOUR = 20
BATCH = 50
# With no SMTP server a reply is looked at again this often (an admin may set one).
NO_SERVER_RECHECK = timedelta(seconds=30)
NO_SERVER = "no SMTP server configured"
RECOVERED = "recovered after an interrupted send"

Pause = Callable[[str], None]


def _no_pause(step: str) -> None:
    return None


def _claim_is_dead(claimed_by: str, claimed_at: datetime | None, now: datetime) -> bool:
    if holder_is_gone(claimed_by):
        return True
    return claimed_at is None or claimed_at < now - LEASE


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


def recover(now: datetime | None = None) -> int:
    """Put replies whose worker died mid-send back in the queue. Returns how many."""
    now = now or timezone.now()
    recovered = 0
    for row in Outbox.objects.filter(state=OutboxState.SENDING).only(
        "id", "claimed_by", "claimed_at"
    ):
        if not _claim_is_dead(row.claimed_by, row.claimed_at, now):
            continue
        unknown = SendLog.objects.filter(outbox=row, outcome=SendOutcome.STARTED).count()
        if unknown >= 2:
            # Two attempts ended without an answer: a third could double the reply.
            reason = f"{UNCERTAIN} after two interrupted attempts; not sent again"
            with transaction.atomic():
                if (
                    Outbox.objects.filter(
                        id=row.id, state=OutboxState.SENDING, claimed_by=row.claimed_by
                    ).update(state=OutboxState.FAILED, last_error=reason)
                    == 1
                ):
                    do_record_send_failure(row.id, reason)
            continue
        recovered += Outbox.objects.filter(
            id=row.id, state=OutboxState.SENDING, claimed_by=row.claimed_by
        ).update(
            state=OutboxState.SCHEDULED,
            send_at=now,
            claimed_by="",
            last_error=RECOVERED,
        )
    return recovered


def claim(outbox_id: int, worker: str, now: datetime) -> bool:
    """The one conditional UPDATE that makes this worker the only sender (and that an
    undo, itself conditional on the same state, races fairly)."""
    return (
        Outbox.objects.filter(id=outbox_id, state=OutboxState.SCHEDULED, send_at__lte=now).update(
            state=OutboxState.SENDING,
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
        == 1
    )


def due(now: datetime, limit: int = BATCH) -> list[int]:
    return list(
        Outbox.objects.filter(state=OutboxState.SCHEDULED, send_at__lte=now)
        .order_by("send_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def claim_next(worker: str) -> int | None:
    """Claim one due reply, or None. On PostgreSQL the candidate is picked with
    ``SELECT … FOR UPDATE SKIP LOCKED`` and claimed in the same short transaction, so
    workers racing take different rows instead of all trying the oldest one; the claim is
    still the conditional UPDATE. SQLite has one writer at a time: a read then a write in
    one transaction would fail rather than wait, so there the candidates are read first
    and claimed by the conditional UPDATE alone."""
    now = timezone.now()
    if not connection.features.has_select_for_update_skip_locked:
        for outbox_id in due(now):
            if claim(outbox_id, worker, now):
                return outbox_id
        return None
    with transaction.atomic():
        picked = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxState.SCHEDULED, send_at__lte=now)
            .order_by("send_at", "id")
            .values_list("id", flat=True)[:1]
        )
        if picked and claim(picked[0], worker, now):
            return picked[0]
    return None


def _release(row: Outbox, worker: str, **changes: object) -> int:
    return Outbox.objects.filter(id=row.id, state=OutboxState.SENDING, claimed_by=worker).update(
        **changes
    )


def _rate_capped(message: Message, now: datetime) -> bool:
    recent = SendLog.objects.filter(
        outbox__message__conversation_id=message.conversation_id,
        outcome=SendOutcome.ACCEPTED,
        finished_at__gte=now - timedelta(hours=1),
    ).count()
    return recent >= SENDS_PER_CONVERSATION_PER_HOUR


def send_one(outbox_id: int, worker: str, pause: Pause = _no_pause) -> str:
    """Send a claimed row. Returns its new state."""
    row = Outbox.objects.select_related(
        "message__conversation__mailbox", "message__conversation__customer"
    ).get(pk=outbox_id)
    message = row.message
    now = timezone.now()
    config = smtp_config_for(message.conversation.mailbox_id)
    if config is None:
        # Not an attempt: nothing was tried. It waits, saying why, until a server is set.
        _release(
            row,
            worker,
            state=OutboxState.SCHEDULED,
            attempts=F("attempts") - 1,
            send_at=now + NO_SERVER_RECHECK,
            last_error=NO_SERVER,
        )
        return OutboxState.SCHEDULED
    if _rate_capped(message, now):
        do_alert_mail_loop(message.conversation, SENDS_PER_CONVERSATION_PER_HOUR, now=now)
        _release(
            row,
            worker,
            state=OutboxState.SCHEDULED,
            send_at=now + timedelta(minutes=10),
            last_error="conversation send rate cap reached",
        )
        return OutboxState.SCHEDULED
    try:
        build = build_forward if message.kind == MessageKind.FORWARD else build_reply
        envelope = build(message)
    except (HeaderInjection, PermanentFailure) as exc:
        return _fail(row, worker, str(exc))
    interrupted_before = SendLog.objects.filter(outbox=row, outcome=SendOutcome.STARTED).exists()
    entry = SendLog.objects.create(
        outbox=row,
        attempt=row.attempts,
        worker=worker,
        message_id=message.message_id,
        possible_resend=interrupted_before,
        started_at=now,
    )
    pause("before-smtp")
    try:
        deliver(config, envelope)
    except TemporaryFailure as exc:
        _finish(entry, SendOutcome.TEMPORARY, str(exc))
        if row.attempts >= MAX_ATTEMPTS:
            return _fail(row, worker, f"gave up after {row.attempts} attempts: {exc}")
        _release(
            row,
            worker,
            state=OutboxState.SCHEDULED,
            send_at=timezone.now() + backoff(row.attempts),
            last_error=str(exc)[:1000],
        )
        return OutboxState.SCHEDULED
    except PermanentFailure as exc:
        _finish(entry, SendOutcome.PERMANENT, str(exc))
        return _fail(row, worker, str(exc))
    pause("after-smtp")
    with transaction.atomic():
        _finish(entry, SendOutcome.ACCEPTED, "")
        if _release(row, worker, state=OutboxState.SENT, sent_at=timezone.now(), last_error=""):
            do_record_sent(row.id)
        else:
            log.warning("outbox %s was recovered by another worker while sending", row.id)
    return OutboxState.SENT


def _finish(entry: SendLog, outcome: str, detail: str) -> None:
    SendLog.objects.filter(pk=entry.pk).update(
        outcome=outcome, detail=detail[:1000], finished_at=timezone.now()
    )


def _fail(row: Outbox, worker: str, reason: str) -> str:
    with transaction.atomic():
        if _release(row, worker, state=OutboxState.FAILED, last_error=reason[:1000]):
            do_record_send_failure(row.id, reason)
    return OutboxState.FAILED


def _never() -> bool:
    return False


def run_once(worker: str, pause: Pause = _no_pause, stop: Callable[[], bool] = _never) -> int:
    """Send what is due now. Returns how many rows this worker claimed. ``stop`` is asked
    before each claim: a stopping worker finishes the reply it holds and claims no more."""
    recover()
    claimed = 0
    while claimed < BATCH and not stop():
        outbox_id = claim_next(worker)
        if outbox_id is None:
            break  # nothing due (an undo or another worker took the rest)
        claimed += 1
        pause("after-claim")
        send_one(outbox_id, worker, pause)
    return claimed
