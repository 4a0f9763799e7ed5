"""The rules of emotional load that the count from scratch (``load``) and the kept rows
(``kept_load``) share: which messages weigh, how much, whose day they fall on. Both import
them from here, so neither imports the other back."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import QuerySet

from calmdesk.desk.models import Message, MessageKind, Status
from calmdesk.engine.tones import DISTRESSED_TONES

# A message's weight: a floor for any hostile or distressed message, plus its intensity
# and its negativity (sentiment below zero), so a typical one is about one point.
BASE_WEIGHT = 0.5
INTENSITY_WEIGHT = 0.5
NEGATIVITY_WEIGHT = 0.5
OPEN = (Status.ACTIVE, Status.PENDING)


def weight(intensity: float, sentiment_score: float) -> float:
    return (
        BASE_WEIGHT
        + INTENSITY_WEIGHT * max(0.0, min(1.0, intensity))
        + NEGATIVITY_WEIGHT * max(0.0, min(1.0, -sentiment_score))
    )


def zone_named(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def zone_of(user: User) -> tzinfo:
    agent = getattr(user, "agent", None)
    return zone_named(agent.time_zone if agent is not None else "UTC")


def hostile_messages() -> QuerySet[Message]:
    """The customer messages that weigh on whoever handles them (imports never do)."""
    return Message.objects.filter(
        kind=MessageKind.CUSTOMER,
        imported_at__isnull=True,
        conversation__imported_at__isnull=True,
        reading__tone__in=DISTRESSED_TONES,
    )
