"""What the accounts keep is pruned: read notifications and delivered (or given-up)
system mail pile up otherwise. A periodic job of ``calmdesk worker``."""

from __future__ import annotations

from datetime import datetime, timedelta

from calmdesk.accounts.models import Notification, SystemMail, SystemMailState
from calmdesk.jobs.registry import periodic

KEEP_READ_NOTIFICATIONS = timedelta(days=90)
KEEP_SYSTEM_MAIL = timedelta(days=30)  # long enough to answer "did my invite go out?"


def do_prune(now: datetime) -> tuple[int, int]:
    """Returns how many notifications and system mails were deleted. Unread
    notifications stay however old: nobody has seen them yet."""
    notifications, _ = Notification.objects.filter(
        read_at__lt=now - KEEP_READ_NOTIFICATIONS
    ).delete()
    mails, _ = SystemMail.objects.filter(
        state__in=[SystemMailState.SENT, SystemMailState.FAILED],
        created_at__lt=now - KEEP_SYSTEM_MAIL,
    ).delete()
    return notifications, mails


@periodic("accounts.prune", every=timedelta(hours=6))
def prune(now: datetime) -> None:
    do_prune(now)
