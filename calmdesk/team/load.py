"""Emotional load (F11): how much hostility and distress an agent took in on a day.

A customer message counts for an agent when the engine read it as angry, frustrated,
anxious or sad, it arrived that day, and the agent handled its conversation: replied in
it that day, or holds it while it is open. Imported history never counts. Each message
weighs about one point: more when the engine read it as intense or strongly negative.
Leads see everyone's load, in name order, never ranked; an agent sees their own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib.auth.models import User
from django.db.models import Q

from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.team.kept_load import do_recount_marked, kept_rows
from calmdesk.team.load_rules import OPEN, hostile_messages, weight, zone_of
from calmdesk.team.models import TeamHealth

DEFAULT_THRESHOLD = 8.0
HARDEST_SHOWN = 3


def threshold() -> float:
    row = TeamHealth.objects.first()
    return row.load_threshold if row is not None else DEFAULT_THRESHOLD


def day_range(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), zone)
    return start, datetime.combine(day + timedelta(days=1), time(), zone)


@dataclass
class Thread:
    conversation_id: int
    subject: str
    load: float = 0.0
    messages: int = 0


@dataclass
class Load:
    user_id: int
    day: date
    load: float = 0.0
    messages: int = 0
    threads: dict[int, Thread] = field(default_factory=dict)

    @property
    def conversations(self) -> int:
        return len(self.threads)

    def hardest(self, count: int = HARDEST_SHOWN) -> list[Thread]:
        return sorted(self.threads.values(), key=lambda t: (-t.load, t.conversation_id))[:count]

    def share_of(self, limit: float) -> float:
        """How full the gauge is, 0 to 1 (past the threshold it stays full)."""
        return min(1.0, self.load / limit) if limit > 0 else 0.0


def loads(user_ids: Iterable[int], day: date) -> dict[int, Load]:
    """Each person's load on ``day`` (a day of each one's own zone), read from the kept
    rows (``kept_load``) once the conversations changed since the last read are counted
    again: a few queries whatever the number of people and conversations."""
    do_recount_marked()
    ids = list(user_ids)
    found = {pk: Load(pk, day) for pk in ids}
    for agent_id, conversation_id, subject, points, messages in kept_rows(ids, day):
        load = found[agent_id]
        load.load += points
        load.messages += messages
        load.threads[conversation_id] = Thread(conversation_id, subject, points, messages)
    return found


def counted_loads(user_ids: Iterable[int], day: date, zone: tzinfo) -> dict[int, Load]:
    """Each person's load on ``day`` (a day of ``zone``) counted from the day's messages of
    the whole desk: what the kept rows must equal (the tests), never read by a page."""
    ids = list(user_ids)
    found = {pk: Load(pk, day) for pk in ids}
    start, end = day_range(day, zone)
    hostile = list(
        hostile_messages()
        .filter(created_at__gte=start, created_at__lt=end)
        .values_list(
            "conversation_id",
            "conversation__subject",
            "reading__intensity",
            "reading__data__sentiment_score",
        )
    )
    if not hostile or not ids:
        return found
    conversation_ids = {row[0] for row in hostile}
    handled: defaultdict[int, set[int]] = defaultdict(set)
    replies = Message.objects.filter(
        kind__in=(MessageKind.REPLY, MessageKind.FAILED),
        author_id__in=ids,
        conversation_id__in=conversation_ids,
        created_at__gte=start,
        created_at__lt=end,
    ).values_list("conversation_id", "author_id")
    for conversation_id, author_id in replies:
        handled[conversation_id].add(author_id)
    held = Conversation.objects.filter(
        Q(pk__in=conversation_ids), assignee_id__in=ids, status__in=OPEN
    ).values_list("pk", "assignee_id")
    for conversation_id, assignee_id in held:
        handled[conversation_id].add(assignee_id)
    for conversation_id, subject, intensity, sentiment in hostile:
        points = weight(intensity or 0.0, float(sentiment or 0.0))
        for user_id in handled.get(conversation_id, ()):
            load = found[user_id]
            load.load += points
            load.messages += 1
            thread = load.threads.setdefault(conversation_id, Thread(conversation_id, subject))
            thread.load += points
            thread.messages += 1
    return found


def load_of(user: User, day: date | None = None, now: datetime | None = None) -> Load:
    zone = zone_of(user)
    when = now or datetime.now(zone)
    return loads([user.pk], day or when.astimezone(zone).date())[user.pk]
