"""Telling the people of the desk: notifications, and the one queue of mail the desk
sends to its own people (notifications, invites, password resets).

The API every other part of calmdesk uses:

- ``do_notify(recipients, kind, title, …)``: a Notification per recipient (never the
  actor), listed in the desk; mailed too when SMTP is set and the recipient chose so.
- ``do_notify_admins(title, …)``: a system notice to every active admin, once while an
  earlier one with the same title is unread (a check that trips every minute does not
  flood anyone).
- ``do_queue_system_mail(to, subject, body, kind=…)``: a mail to a person of the team.
  The mail layer delivers the queue through the desk's SMTP settings
  (calmdesk.mail.systemmail, a periodic job of ``calmdesk worker``).

Part of the help-desk core, so desk actions call it; it knows nothing of SMTP."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts.models import (
    Agent,
    Notification,
    NotificationKind,
    Role,
    SystemMail,
    SystemMailKind,
)

SUBJECT_PREFIX = "[calmdesk] "


def do_queue_system_mail(
    to: str,
    subject: str,
    body: str,
    *,
    kind: SystemMailKind,
    sensitive: bool = False,
    now: datetime | None = None,
) -> SystemMail:
    """Queue a mail to ``to``; ``sensitive`` when the body holds a secret (a link that
    signs someone in), so it is emptied once the mail has gone or been given up."""
    when = now or timezone.now()
    return SystemMail.objects.create(
        kind=kind,
        to=to,
        subject=(SUBJECT_PREFIX + " ".join(subject.split()))[:300],
        body=body,
        sensitive=sensitive,
        next_attempt_at=when,
        created_at=when,
    )


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def _mail_body(notification: Notification) -> str:
    lines = [notification.title]
    if notification.body:
        lines += ["", notification.body]
    if notification.url:
        lines += ["", absolute_url(notification.url)]
    lines += [
        "",
        "-- ",
        _("You get these mails because of your calmdesk settings; switch them off there."),
    ]
    return "\n".join(lines)


def _mailed_to(user_ids: list[int]) -> dict[int, str]:
    """The recipients who want their notifications mailed, with their address."""
    if not settings.SMTP_HOST or not user_ids:
        return {}
    rows = (
        Agent.objects.filter(user_id__in=user_ids, email_notifications=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "user__email")
    )
    return dict(rows)


def do_notify(
    recipients: Iterable[User | int],
    kind: NotificationKind,
    title: str,
    *,
    body: str = "",
    url: str = "",
    conversation: object | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """One notification per recipient (users or user ids); the actor is never told of
    their own doing. ``url`` is a path inside the desk."""
    when = now or timezone.now()
    ids = sorted({r if isinstance(r, int) else r.pk for r in recipients})
    if actor is not None:
        ids = [pk for pk in ids if pk != actor.pk]
    if not ids:
        return []
    made = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                title=title[:300],
                body=body,
                url=url[:500],
                conversation_id=getattr(conversation, "pk", None),
                actor=actor,
                created_at=when,
            )
            for pk in ids
        ]
    )
    addresses = _mailed_to(ids)
    if addresses:
        SystemMail.objects.bulk_create(
            [
                SystemMail(
                    kind=SystemMailKind.NOTIFICATION,
                    notification=n,
                    to=addresses[n.recipient_id],
                    subject=(SUBJECT_PREFIX + " ".join(n.title.split()))[:300],
                    body=_mail_body(n),
                    next_attempt_at=when,
                    created_at=when,
                )
                for n in made
                if n.recipient_id in addresses
            ]
        )
    return made


def admins() -> list[int]:
    return list(
        User.objects.filter(Q(is_superuser=True) | Q(agent__role=Role.ADMIN), is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def do_notify_admins(
    title: str, *, body: str = "", url: str = "", now: datetime | None = None
) -> list[Notification]:
    """A system notice (a mail loop cut off, an account locked…) to every active admin;
    an admin who has one with this title unread is not told again."""
    ids = admins()
    told = set(
        Notification.objects.filter(
            recipient_id__in=ids, kind=NotificationKind.SYSTEM, title=title[:300], read_at=None
        ).values_list("recipient_id", flat=True)
    )
    return do_notify(
        [pk for pk in ids if pk not in told],
        NotificationKind.SYSTEM,
        title,
        body=body,
        url=url,
        now=now,
    )


def do_mark_read(actor: User, ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Mark the actor's notifications read: those of ``ids``, or all. Returns how many."""
    unread = Notification.objects.filter(recipient=actor, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now or timezone.now())


def unread_count(actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at=None).count()


# "@alice" in a note; a username may hold letters, digits and . _ + - (and @ for the
# addresses invites use as usernames), a sentence's full stop is not part of it.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def mentioned_usernames(text: str) -> set[str]:
    return {match.rstrip(".-").lower() for match in MENTION.findall(text)}
