"""Satisfaction ratings: a signed, expiring link below each reply a mailbox sends (when
the mailbox has ratings on), and the one action that records what the customer chose.

The token names the reply and nothing else, signed with the site's secret; it is the
customer's only credential, so the rating page needs no sign-in. Opening the link (a
GET, which mail scanners do by themselves) records nothing; only the customer's press
of the button (a POST) does."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.models import Message, MessageKind
from calmdesk.team.models import MailboxRatings, Rating, Score

SALT = "calmdesk.team.rating"
# How long a rating link works after the reply was sent.
LINK_LIFETIME = timedelta(days=30)
COMMENT_MAX = 2000


class BadToken(Exception):
    """A link that is forged, damaged or expired."""


def token_for(reply: Message) -> str:
    return signing.dumps({"r": reply.pk}, salt=SALT, compress=True)


def reply_of(token: str) -> Message:
    """The reply a token names, or BadToken. A reply withdrawn or deleted since is gone."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature as error:  # SignatureExpired is one of these
        raise BadToken(str(error)) from error
    reply = (
        Message.objects.filter(pk=data.get("r"), kind__in=(MessageKind.REPLY, MessageKind.FAILED))
        .select_related("conversation__mailbox", "author")
        .first()
    )
    if reply is None or reply.imported_at is not None:
        raise BadToken("no such reply")
    return reply


def rating_url(reply: Message, score: str = "") -> str:
    path = reverse("rate", kwargs={"token": token_for(reply)})
    query = f"?score={score}" if score else ""
    return f"{settings.SITE_URL.rstrip('/')}{path}{query}"


def ratings_on(mailbox_id: int) -> bool:
    return MailboxRatings.objects.filter(mailbox_id=mailbox_id, enabled=True).exists()


def rating_footer(message: Message) -> str:
    """The lines below a sent reply (registered with calmdesk.desk.reply_footers)."""
    if message.kind != MessageKind.REPLY or message.imported_at is not None:
        return ""
    if not ratings_on(message.conversation.mailbox_id):
        return ""
    lines = [_("How did we do? One click tells us:")]
    for score, label in Score.choices:
        lines.append(f"{label}: {rating_url(message, score)}")
    return "\n".join(lines)


@transaction.atomic
def do_rate(
    reply: Message, score: str, comment: str = "", *, now: datetime | None = None
) -> Rating:
    """Record the customer's rating of ``reply``: one per reply, a second one replaces it."""
    if score not in Score.values:
        raise ValueError(f"not a score: {score!r}")
    when = now or timezone.now()
    rating, created = Rating.objects.select_for_update().get_or_create(
        reply=reply,
        defaults={
            "score": score,
            "comment": comment.strip()[:COMMENT_MAX],
            "created_at": when,
            "updated_at": when,
        },
    )
    if not created:
        rating.score = score
        rating.comment = comment.strip()[:COMMENT_MAX]
        rating.updated_at = when
        rating.save(update_fields=["score", "comment", "updated_at"])
    return rating


@transaction.atomic
def do_set_ratings(mailbox_id: int, enabled: bool) -> None:
    MailboxRatings.objects.update_or_create(mailbox_id=mailbox_id, defaults={"enabled": enabled})
