"""The report rollups: hourly UTC buckets per mailbox × agent × tag, rebuilt from the
messages, events and ratings of the hours they cover (never added to), so rebuilding any
range twice gives the same rows and a rebuild equals a count from scratch.

What counts, and to whom (conversations marked spam count nowhere):
- new: a conversation opened in the hour (nobody's: nobody holds it when it arrives);
- replied: a reply sent in the hour, to its author; the conversation's first reply also
  files its wait (from the conversation's start) in the first-response histogram;
- closed: a move to closed in the hour, to the conversation's assignee, with the time
  since it started in the resolution histogram and the replies it had had;
- readings: a customer message of the hour by the engine's tone, sentiment and the
  stakes it named, to the conversation's assignee;
- ratings: the rating of a reply sent in the hour (whenever the customer gave or
  changed it), to the reply's author.
Tags and the assignee are read as they are at rebuild time; the periodic job rebuilds
every hour a changed conversation has facts in, so a retag or a reassignment moves its
counts too."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max, Min
from django.db.models.functions import Least
from django.utils import timezone

from calmdesk.desk.models import Conversation, Event, EventKind, Message, MessageKind, Status
from calmdesk.jobs.registry import periodic
from calmdesk.team.business_hours import Schedule, schedules
from calmdesk.team.models import (
    COUNT_FIELDS,
    EVERYONE,
    SENTIMENTS,
    STAKES,
    TIME_BINS,
    TONES,
    Rating,
    Rollup,
    RollupMark,
)

HOUR = timedelta(hours=1)
REPLY_KINDS = (MessageKind.REPLY, MessageKind.FAILED)
MARK = "reports"
# The job always rebuilds the hours since its last run and this much before (a reply
# withdrawn or failed in the meantime changes its hour without a new row).
TRAILING = timedelta(hours=2)
# Saving business hours counts the times of this long back again: the longest report
# period and the one before it.
RECOUNT = timedelta(days=180)
# Rebuilt at most this many hours per transaction, so a long range shows progress and
# holds no lock for long.
CHUNK_HOURS = 24 * 7

Key = tuple[datetime, int, int, int]


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def bin_of(seconds: float) -> int:
    """The histogram bin of a duration: the first whose upper edge holds it."""
    return bisect.bisect_left(TIME_BINS, max(0.0, seconds))


@dataclass
class _Conversation:
    mailbox_id: int
    assignee_id: int
    created_at: datetime
    tags: list[int] = field(default_factory=list)


@dataclass
class _Tally:
    """Counts under construction for one range: each fact goes to the 'every tag' row
    and to one row per tag of its conversation."""

    conversations: dict[int, _Conversation]
    # Business hours by mailbox id; a mailbox without counts every hour.
    schedules: dict[int, Schedule] = field(default_factory=dict)
    rows: defaultdict[Key, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, when: datetime, conversation_id: int, agent_id: int | None, name: str) -> None:
        conversation = self.conversations.get(conversation_id)
        if conversation is None:  # spam, or gone
            return
        hour = hour_of(when)
        for tag in (0, *conversation.tags):
            for agent in (agent_id or 0, EVERYONE):
                self.rows[(hour, conversation.mailbox_id, agent, tag)][name] += 1

    def waited(
        self, conversation: _Conversation, start: datetime, end: datetime
    ) -> tuple[int, int]:
        """The bins of [start, end): in every hour, and in the mailbox's business hours."""
        clock = bin_of((end - start).total_seconds())
        schedule = self.schedules.get(conversation.mailbox_id)
        if schedule is None:
            return clock, clock
        return clock, bin_of(schedule.seconds_between(start, end, cap=TIME_BINS[-1]))


def _conversations(ids: Iterable[int]) -> dict[int, _Conversation]:
    ids = set(ids)
    found = {
        pk: _Conversation(mailbox, assignee or 0, created)
        for pk, mailbox, assignee, created in Conversation.objects.filter(pk__in=ids)
        .exclude(status=Status.SPAM)
        .values_list("pk", "mailbox_id", "assignee_id", "created_at")
    }
    through = Conversation.tags.through.objects.filter(conversation_id__in=list(found))
    for conversation_id, tag_id in through.values_list("conversation_id", "tag_id"):
        found[conversation_id].tags.append(tag_id)
    return found


def _in(start: datetime, end: datetime, name: str = "created_at") -> dict[str, datetime]:
    return {f"{name}__gte": start, f"{name}__lt": end}


def tally(start: datetime, end: datetime) -> dict[Key, Counter[str]]:
    """The rollup rows of the hours in [start, end), counted from the source tables."""
    opened = list(Conversation.objects.filter(**_in(start, end)).values_list("pk", "created_at"))
    replies = list(
        Message.objects.filter(kind__in=REPLY_KINDS, **_in(start, end)).values_list(
            "conversation_id", "author_id", "created_at"
        )
    )
    closes = list(
        Event.objects.filter(kind=EventKind.STATUS, data__new=Status.CLOSED, **_in(start, end))
        .exclude(conversation=None)
        .values_list("conversation_id", "created_at")
    )
    readings = list(
        Message.objects.filter(kind=MessageKind.CUSTOMER, reading__isnull=False, **_in(start, end))
        .order_by()
        .values_list(
            "conversation_id",
            "created_at",
            "reading__tone",
            "reading__data__sentiment",
            "reading__data__stakes",
        )
    )
    ratings = list(
        Rating.objects.filter(**_in(start, end, "reply__created_at")).values_list(
            "reply__conversation_id", "reply__author_id", "reply__created_at", "score"
        )
    )
    ids = {
        *(pk for pk, _ in opened),
        *(row[0] for row in replies),
        *(row[0] for row in closes),
        *(row[0] for row in readings),
        *(row[0] for row in ratings),
    }
    counts = _Tally(_conversations(ids), schedules())
    for pk, created in opened:
        counts.add(created, pk, None, "new")
    for conversation_id, author_id, created in replies:
        counts.add(created, conversation_id, author_id, "replied")
    _first_responses(counts, start, end, {row[0] for row in replies})
    _closes(counts, closes)
    for conversation_id, created, tone, sentiment, stakes in readings:
        _reading(counts, conversation_id, created, tone, sentiment, stakes)
    for conversation_id, author_id, updated, score in ratings:
        counts.add(updated, conversation_id, author_id, f"rating_{score}")
    return dict(counts.rows)


def _first_responses(counts: _Tally, start: datetime, end: datetime, ids: set[int]) -> None:
    """The conversations whose first reply is in the range: its wait and its author."""
    replies = (
        Message.objects.filter(conversation_id__in=ids, kind__in=REPLY_KINDS)
        .order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "author_id", "created_at")
    )
    seen: set[int] = set()
    for conversation_id, author_id, created in replies:
        if conversation_id in seen:
            continue
        seen.add(conversation_id)
        conversation = counts.conversations.get(conversation_id)
        if conversation is None or not start <= created < end:
            continue
        clock, business = counts.waited(conversation, conversation.created_at, created)
        counts.add(created, conversation_id, author_id, f"fr_{clock}")
        counts.add(created, conversation_id, author_id, f"frb_{business}")


def _closes(counts: _Tally, closes: list[tuple[int, datetime]]) -> None:
    sent: defaultdict[int, list[datetime]] = defaultdict(list)
    rows = Message.objects.filter(
        conversation_id__in={c for c, _ in closes}, kind__in=REPLY_KINDS
    ).values_list("conversation_id", "created_at")
    for conversation_id, created in rows:
        sent[conversation_id].append(created)
    for conversation_id, closed_at in closes:
        conversation = counts.conversations.get(conversation_id)
        if conversation is None:
            continue
        agent = conversation.assignee_id
        clock, business = counts.waited(conversation, conversation.created_at, closed_at)
        counts.add(closed_at, conversation_id, agent, "closed")
        counts.add(closed_at, conversation_id, agent, f"res_{clock}")
        counts.add(closed_at, conversation_id, agent, f"resb_{business}")
        for _reply in (t for t in sent[conversation_id] if t <= closed_at):
            counts.add(closed_at, conversation_id, agent, "closed_replies")


def _reading(
    counts: _Tally,
    conversation_id: int,
    created: datetime,
    tone: str,
    sentiment: object,
    stakes: object,
) -> None:
    conversation = counts.conversations.get(conversation_id)
    if conversation is None:
        return
    agent = conversation.assignee_id
    if tone in TONES:
        counts.add(created, conversation_id, agent, f"tone_{tone}")
    if sentiment in SENTIMENTS:
        counts.add(created, conversation_id, agent, f"sentiment_{sentiment}")
    named: set[str] = set()
    if isinstance(stakes, list):
        named = {str(s.get("kind")) for s in stakes if isinstance(s, dict)}
    for kind in sorted(named & set(STAKES)):
        counts.add(created, conversation_id, agent, f"stake_{kind}")


# -- writing -----------------------------------------------------------------------------


def _hours(start: datetime, end: datetime) -> Iterable[tuple[datetime, datetime]]:
    """[start, end) in chunks of whole hours."""
    at = hour_of(start)
    while at < end:
        stop = min(at + CHUNK_HOURS * HOUR, hour_of(end - timedelta(microseconds=1)) + HOUR)
        yield at, stop
        at = stop


@transaction.atomic
def _rebuild_chunk(start: datetime, end: datetime) -> int:
    rows = tally(start, end)
    Rollup.objects.filter(hour__gte=start, hour__lt=end).delete()
    _insert(rows)
    return len(rows)


def _insert(rows: dict[Key, Counter[str]]) -> None:
    """One prepared INSERT run for every row. A row has ~80 columns, and bulk_create on
    SQLite fits only 12 rows in a statement (999 parameters) and prepares each value in
    Python: five times slower on a rebuild of 10,000 conversations."""
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = ["hour", "mailbox_id", "agent_key", "tag_key", *COUNT_FIELDS]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    adapt = connection.ops.adapt_datetimefield_value
    values = [
        (adapt(hour), mailbox, agent, tag, *(counted[name] for name in COUNT_FIELDS))
        for (hour, mailbox, agent, tag), counted in sorted(rows.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)


def do_rebuild_rollups(
    start: datetime,
    end: datetime,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild every rollup row of the hours from ``start`` to ``end`` (whole hours:
    the first and the last are taken whole). Idempotent. Returns the rows written;
    ``progress(done, total)`` is told after each chunk, in hours."""
    chunks = list(_hours(start, end))
    total = sum(round((b - a) / HOUR) for a, b in chunks)
    written = done = 0
    for chunk_start, chunk_end in chunks:
        written += _rebuild_chunk(chunk_start, chunk_end)
        done += round((chunk_end - chunk_start) / HOUR)
        if progress is not None:
            progress(done, total)
    return written


def _ranges(hours: set[datetime]) -> list[tuple[datetime, datetime]]:
    """Runs of consecutive hours as [start, end) ranges."""
    ranges: list[tuple[datetime, datetime]] = []
    for hour in sorted(hours):
        if ranges and ranges[-1][1] == hour:
            ranges[-1] = (ranges[-1][0], hour + HOUR)
        else:
            ranges.append((hour, hour + HOUR))
    return ranges


def _fact_hours(conversation_ids: set[int]) -> set[datetime]:
    """Every hour a fact of these conversations sits in (see the module docstring)."""
    if not conversation_ids:
        return set()
    moments: list[datetime] = []
    moments += Conversation.objects.filter(pk__in=conversation_ids).values_list(
        "created_at", flat=True
    )
    moments += Message.objects.filter(conversation_id__in=conversation_ids).values_list(
        "created_at", flat=True
    )
    moments += Event.objects.filter(
        conversation_id__in=conversation_ids, kind=EventKind.STATUS
    ).values_list("created_at", flat=True)
    return {hour_of(moment) for moment in moments}


def do_update_rollups(now: datetime) -> int:
    """The periodic job's pass: rebuild the hours since the last pass (and TRAILING
    before it) and every hour of a conversation that a new message or event touched."""
    mark, _created = RollupMark.objects.get_or_create(
        name=MARK, defaults={"built_until": now - TRAILING}
    )
    newest_message = Message.objects.aggregate(top=Max("id"))["top"] or 0
    newest_event = Event.objects.aggregate(top=Max("id"))["top"] or 0
    touched = set(
        Message.objects.filter(id__gt=mark.message_id, id__lte=newest_message).values_list(
            "conversation_id", flat=True
        )
    )
    touched |= set(
        Event.objects.filter(id__gt=mark.event_id, id__lte=newest_event)
        .exclude(conversation=None)
        .values_list("conversation_id", flat=True)
    )
    touched |= set(
        Rating.objects.filter(updated_at__gte=mark.built_until - TRAILING).values_list(
            "reply__conversation_id", flat=True
        )
    )
    hours = _fact_hours(touched)
    at = hour_of(min(mark.built_until, now) - TRAILING)
    while at <= now:
        hours.add(at)
        at += HOUR
    written = sum(do_rebuild_rollups(a, b) for a, b in _ranges(hours))
    RollupMark.objects.filter(pk=mark.pk).update(
        built_until=now, message_id=newest_message, event_id=newest_event
    )
    return written


@periodic("team.rollups", every=timedelta(minutes=5), lease=timedelta(hours=1))
def update_rollups(now: datetime) -> None:
    do_update_rollups(now)


def do_recount_since(moment: datetime) -> None:
    """Count the hours from ``moment`` again on the job's next pass (business hours
    changed): its mark moves back, one UPDATE. Without a mark, the job has not run yet
    and starts from scratch anyway."""
    RollupMark.objects.filter(name=MARK).update(built_until=Least(F("built_until"), moment))


def rebuild_all(now: datetime | None = None) -> int:
    """Every hour that has anything, from scratch (the demo, the bench, the tests)."""
    first = Conversation.objects.aggregate(at=Min("created_at"))["at"]
    if first is None:
        Rollup.objects.all().delete()
        return 0
    Rollup.objects.filter(hour__lt=hour_of(first)).delete()
    return do_rebuild_rollups(first, (now or timezone.now()) + HOUR)
