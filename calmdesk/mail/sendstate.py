"""Where a reply is on its way out (the countdown, Undo, then sent or failed): what the
conversation page and the send-state partial show."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from calmdesk.desk.models import Message
from calmdesk.mail.models import OutboxState


def clock() -> datetime:
    """The time the countdown is counted from (tests stop it)."""
    return timezone.now()


def send_state_context(
    message: Message, actor: User, now: datetime | None = None
) -> dict[str, object]:
    outbox = getattr(message, "outbox", None)
    seconds_left = 0
    if outbox is not None and outbox.state == OutboxState.SCHEDULED:
        left = outbox.send_at - (now or clock())
        seconds_left = max(0, int(left.total_seconds() + 0.999))
    return {
        "message": message,
        "outbox": outbox,
        "seconds_left": seconds_left,
        "can_undo": bool(seconds_left) and message.author_id == actor.pk,
        # Still moving: the partial asks again until the state is final.
        "pending": outbox is not None
        and outbox.state in (OutboxState.SCHEDULED, OutboxState.SENDING),
    }
