"""Where a reply is on its way out (the countdown, Undo, then sent, retrying or failed):
what the conversation page, the send-state partial and the inbox rows show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.models import Conversation, Message
from calmdesk.mail.actions import UNCERTAIN
from calmdesk.mail.models import Outbox, OutboxState
from calmdesk.mail.outbox import NO_SERVER, RECOVERED

# While a reply counts down the partial asks every second; while it waits for a retry
# (minutes apart) less often.
POLL_COUNTDOWN = 1
POLL_RETRYING = 10
# A due reply the worker has not taken this long after: far beyond one pass of its loop
# (a second by default), so no worker is running.
WORKER_LATE = timedelta(seconds=30)


def clock() -> datetime:
    """The time the countdown is counted from (tests stop it)."""
    return timezone.now()


def reason_text(outbox: Outbox) -> str:
    """Why a reply has not left, as the agent reads it: the server's own words, or ours."""
    if outbox.last_error == NO_SERVER:
        return _("no mail server is set up (CALMDESK_SMTP_HOST), so nothing can leave")
    return outbox.last_error


def _is_problem(outbox: Outbox | None) -> bool:
    if outbox is None:
        return False
    if outbox.state == OutboxState.FAILED:
        return True
    return outbox.state == OutboxState.SCHEDULED and outbox.last_error not in ("", RECOVERED)


def _seconds_left(outbox: Outbox | None, problem: bool, now: datetime) -> int:
    if outbox is None or outbox.state != OutboxState.SCHEDULED or problem:
        return 0
    return max(0, int((outbox.send_at - now).total_seconds() + 0.999))


def _is_stalled(outbox: Outbox | None, problem: bool, now: datetime) -> bool:
    return (
        outbox is not None
        and outbox.state == OutboxState.SCHEDULED
        and not problem
        and outbox.send_at < now - WORKER_LATE
    )


def shown_marker(outbox: Outbox, now: datetime) -> tuple[object, ...]:
    """What the send state of a reply on its way shows at ``now``, as a value that changes
    exactly when the partial would (the conversation page's pulse compares it)."""
    problem = _is_problem(outbox)
    return (
        outbox.message_id,
        outbox.state,
        outbox.last_error,
        outbox.send_at,
        _seconds_left(outbox, problem, now),
        _is_stalled(outbox, problem, now),
    )


def is_counting_down(outbox: Outbox, now: datetime) -> bool:
    """Still moving by the second (the page asks more often): its countdown, or sending."""
    problem = _is_problem(outbox)
    return outbox.state == OutboxState.SENDING or _seconds_left(outbox, problem, now) > 0


def send_state_context(
    message: Message, actor: User, now: datetime | None = None
) -> dict[str, object]:
    outbox: Outbox | None = getattr(message, "outbox", None)
    now = now or clock()
    problem = _is_problem(outbox)
    seconds_left = _seconds_left(outbox, problem, now)
    pending = outbox is not None and outbox.state in (OutboxState.SCHEDULED, OutboxState.SENDING)
    stalled = _is_stalled(outbox, problem, now)
    return {
        "message": message,
        "outbox": outbox,
        "seconds_left": seconds_left,
        "can_undo": bool(seconds_left) and message.author_id == actor.pk,
        "problem": problem,
        "reason": reason_text(outbox) if problem and outbox is not None else "",
        # Nothing has tried it: said, rather than "Sending…" for ever.
        "stalled": stalled,
        "can_retry": problem and outbox is not None and not outbox.last_error.startswith(UNCERTAIN),
        # Still moving: until the state is final the page's pulse asks again (or, fetched
        # on its own, the partial itself).
        "pending": pending,
        "poll_seconds": POLL_RETRYING if problem else POLL_COUNTDOWN,
    }


def mark_send_problems(conversations: Iterable[Conversation], now: datetime | None = None) -> None:
    """Give each inbox row ``send_problem``: why its latest reply that did not leave did
    not (failed, waiting to be tried again, or no worker took it), or "". A reply sent
    after it clears it. One query for the page."""
    rows = list(conversations)
    late = (now or clock()) - WORKER_LATE
    later_sent = Outbox.objects.filter(
        state=OutboxState.SENT,
        message__conversation_id=OuterRef("message__conversation_id"),
        message_id__gt=OuterRef("message_id"),
    )
    problems = (
        Outbox.objects.filter(message__conversation_id__in=[c.pk for c in rows])
        .filter(
            Q(state=OutboxState.FAILED)
            | (Q(state=OutboxState.SCHEDULED) & ~Q(last_error__in=["", RECOVERED]))
            | Q(state=OutboxState.SCHEDULED, send_at__lt=late)
        )
        .exclude(Exists(later_sent))
        .order_by("message_id")
        .values_list("message__conversation_id", "state", "last_error")
    )
    found: dict[int, str] = {}
    for conversation_id, state, last_error in problems:
        found[conversation_id] = (
            reason_text(Outbox(state=state, last_error=last_error))
            if last_error
            else _("no worker has picked it up (is calmdesk worker running?)")
        )
    for conversation in rows:
        conversation.send_problem = found.get(conversation.pk, "")  # type: ignore[attr-defined]
