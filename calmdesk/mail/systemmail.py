"""Delivering the mail the desk sends its own people (calmdesk.accounts.notify queues
it: notifications, invites, password resets) through the desk's SMTP server. A periodic
job of ``calmdesk worker``; each mail is claimed by one conditional UPDATE, so any number
of workers send it once, and a worker that dies mid-send leaves it to the next after its
lease. Without an SMTP server the queue waits; what waits longer than ``GIVE_UP_AFTER``
is given up, so configuring a server later does not send a day of stale notices."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.db.models import F, Q

from calmdesk.accounts.models import SystemMail, SystemMailState
from calmdesk.jobs.registry import periodic
from calmdesk.mail.smtp import (
    Envelope,
    PermanentFailure,
    SmtpConfig,
    TemporaryFailure,
    default_config,
    deliver,
)

log = logging.getLogger(__name__)

EVERY = timedelta(seconds=10)  # a password-reset link should not wait long
BATCH = 50
LEASE = timedelta(minutes=2)  # longer than one SMTP conversation's timeout (30 s)
MAX_ATTEMPTS = 5
GIVE_UP_AFTER = timedelta(days=1)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min…: a server that is down gets time to come back."""
    return timedelta(seconds=30 * 2 ** max(0, attempts - 1))


def build_system_mail(mail: SystemMail) -> Envelope:
    sender = settings.DEFAULT_FROM_EMAIL
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = formataddr(("calmdesk", sender))
    email["To"] = mail.to
    email["Subject"] = mail.subject
    email["Date"] = format_datetime(mail.created_at)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # RFC 3834: a machine wrote this; an out-of-office must not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(mail.body)
    return Envelope(sender=sender, recipients=[mail.to], data=email.as_bytes())


def _give_up_stale(now: datetime) -> int:
    stale = SystemMail.objects.filter(
        state=SystemMailState.PENDING, created_at__lt=now - GIVE_UP_AFTER
    )
    stale.filter(sensitive=True).update(body="")
    return stale.update(state=SystemMailState.FAILED, last_error="not sent within a day")


def _claim(mail: SystemMail, now: datetime) -> bool:
    due = Q(state=SystemMailState.PENDING, next_attempt_at__lte=now) | Q(
        state=SystemMailState.SENDING, lease_until__lte=now
    )
    claimed = SystemMail.objects.filter(due, pk=mail.pk).update(
        state=SystemMailState.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    return claimed == 1


def _settle(mail: SystemMail, now: datetime, error: Exception | None) -> None:
    mail.refresh_from_db(fields=["attempts"])
    changes: dict[str, object] = {"lease_until": None}
    if error is None:
        changes.update(state=SystemMailState.SENT, sent_at=now, last_error="")
    elif isinstance(error, TemporaryFailure) and mail.attempts < MAX_ATTEMPTS:
        changes.update(
            state=SystemMailState.PENDING,
            next_attempt_at=now + retry_delay(mail.attempts),
            last_error=str(error)[:500],
        )
    else:
        changes.update(state=SystemMailState.FAILED, last_error=str(error)[:500])
    if mail.sensitive and changes["state"] != SystemMailState.PENDING:
        changes["body"] = ""
    SystemMail.objects.filter(pk=mail.pk, state=SystemMailState.SENDING).update(**changes)


def do_deliver_system_mail(now: datetime, config: SmtpConfig | None = None) -> int:
    """Send what is due; returns how many were sent."""
    _give_up_stale(now)
    config = config or default_config()
    if config is None:
        return 0
    candidates = SystemMail.objects.filter(
        Q(state=SystemMailState.PENDING, next_attempt_at__lte=now)
        | Q(state=SystemMailState.SENDING, lease_until__lte=now)
    ).order_by("next_attempt_at", "id")[:BATCH]
    sent = 0
    for mail in candidates:
        if not _claim(mail, now):
            continue  # another worker has it
        error: Exception | None = None
        try:
            deliver(config, build_system_mail(mail))
            sent += 1
        except (TemporaryFailure, PermanentFailure) as exc:
            log.warning("system mail %s to %s not sent: %s", mail.pk, mail.to, exc)
            error = exc
        _settle(mail, now, error)
    return sent


@periodic("mail.system_mail", every=EVERY, lease=LEASE * 2)
def deliver_system_mail(now: datetime) -> None:
    do_deliver_system_mail(now)
