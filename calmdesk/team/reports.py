"""The reports' figures, read from the rollups only (never the messages): one query sums
the hourly buckets of the chosen mailboxes, agent and tag, grouped by hour, and the hours
are folded into the viewer's days or weeks here. Medians and p90 come from the summed
histograms, so they combine across hours, agents and mailboxes."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When

from calmdesk.team.models import (
    COUNT_FIELDS,
    EVERYONE,
    FR_FIELDS,
    FRB_FIELDS,
    RES_FIELDS,
    RESB_FIELDS,
    SENTIMENTS,
    STAKES,
    TIME_BINS,
    TONES,
    Rating,
    Rollup,
)


class Grain:
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class Scope:
    """What a report covers: mailboxes (already limited to what the viewer may see), one
    agent or everyone, one tag or every conversation, and local days [start, end]."""

    mailbox_ids: tuple[int, ...]
    start: date
    end: date
    zone: tzinfo
    agent_id: int | None = None
    tag_id: int | None = None
    grain: str = Grain.DAY

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Scope:
        """The period of the same length just before."""
        return Scope(
            self.mailbox_ids,
            self.start - timedelta(days=self.days),
            self.start - timedelta(days=1),
            self.zone,
            self.agent_id,
            self.tag_id,
            self.grain,
        )

    def utc_range(self) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start, time(), self.zone).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(), self.zone)
        return first, after.astimezone(UTC)


@dataclass
class Period:
    """The sums of one day or week (or of the whole period)."""

    start: date
    counts: Counter[str] = field(default_factory=Counter)

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    @property
    def first_response(self) -> list[int]:
        return [self.counts[f] for f in FR_FIELDS]

    @property
    def resolution(self) -> list[int]:
        return [self.counts[f] for f in RES_FIELDS]

    @property
    def first_response_business(self) -> list[int]:
        """In the mailboxes' business hours (every hour where a mailbox sets none)."""
        return [self.counts[f] for f in FRB_FIELDS]

    @property
    def resolution_business(self) -> list[int]:
        return [self.counts[f] for f in RESB_FIELDS]

    @property
    def answered_first(self) -> int:
        """Conversations whose first reply came in the period (from the agent, in an
        agent's report): each first reply files one wait in the histogram."""
        return sum(self.first_response)

    @property
    def replies_per_conversation(self) -> float | None:
        closed = self.counts["closed"]
        return self.counts["closed_replies"] / closed if closed else None

    @property
    def rated(self) -> int:
        return sum(self.counts[f"rating_{s}"] for s in ("great", "okay", "bad"))

    @property
    def great_share(self) -> float | None:
        rated = self.rated
        return self.counts["rating_great"] / rated if rated else None

    def share(self, prefix: str, names: tuple[str, ...]) -> dict[str, float]:
        total = sum(self.counts[f"{prefix}_{n}"] for n in names)
        return {n: (self.counts[f"{prefix}_{n}"] / total if total else 0.0) for n in names}


def quantile(histogram: list[int], q: float) -> float | None:
    """The q-quantile in seconds of a histogram over TIME_BINS, read linearly inside its
    bin; in the open last bin, its lower edge (the page says "more than"). None if empty."""
    total = sum(histogram)
    if not total:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            lower = TIME_BINS[index - 1] if index else 0
            if index >= len(TIME_BINS):
                return float(lower)
            upper = TIME_BINS[index]
            return lower + (upper - lower) * max(0.0, rank - seen) / count
        seen += count
    return float(TIME_BINS[-1])


def _query(scope: Scope, first: datetime | None = None) -> QuerySet[Rollup]:
    start, after = scope.utc_range()
    return Rollup.objects.filter(
        tag_key=scope.tag_id or 0,
        agent_key=EVERYONE if scope.agent_id is None else scope.agent_id,
        hour__gte=first or start,
        hour__lt=after,
        mailbox_id__in=scope.mailbox_ids,
    )


def _starts(scope: Scope) -> list[date]:
    """The first local day of each period: every day, or the Monday of each week."""
    starts: list[date] = []
    day = scope.start
    while day <= scope.end:
        start = day - timedelta(days=day.weekday()) if scope.grain == Grain.WEEK else day
        if not starts or starts[-1] != start:
            starts.append(start)
        day += timedelta(days=1)
    return starts


def periods(scope: Scope, *, previous: bool = False) -> tuple[list[Period], Period, Period | None]:
    """Each day (or week) of the scope, every one listed even when empty, the total, and
    with ``previous`` the total of the period as long just before. One query: the
    database sums the hours into the periods, each the hours from its first local
    midnight (in UTC, so a change of summer time falls where it should) up to the next
    one's, so one row per period comes back."""
    starts = _starts(scope)
    start, _after = scope.utc_range()
    edges = [datetime.combine(day, time(), scope.zone) for day in starts[1:]]
    before_start = scope.previous().utc_range()[0] if previous else None
    bucket = Case(
        When(hour__lt=start, then=Value(-1)),
        *(When(hour__lt=edge, then=Value(index)) for index, edge in enumerate(edges)),
        default=Value(len(edges)),
        output_field=IntegerField(),
    )
    found = [Period(day) for day in starts]
    total = Period(scope.start)
    before = Period(scope.previous().start) if previous else None
    sums = {name: Sum(name) for name in COUNT_FIELDS}
    rows = (
        _query(scope, before_start)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(**sums)
        .order_by()
    )
    for row in rows:
        counted = {name: row[name] or 0 for name in COUNT_FIELDS}
        if row["bucket"] < 0:
            if before is not None:
                before.counts.update(counted)
            continue
        found[row["bucket"]].counts.update(counted)
        total.counts.update(counted)
    return found, total, before


def recent_comments(scope: Scope, limit: int = 8) -> list[Rating]:
    """The latest ratings with a comment in the scope (the satisfaction section)."""
    first, after = scope.utc_range()
    found = Rating.objects.filter(
        updated_at__gte=first,
        updated_at__lt=after,
        reply__conversation__mailbox_id__in=scope.mailbox_ids,
    ).exclude(comment="")
    if scope.agent_id is not None:
        found = found.filter(reply__author_id=scope.agent_id)
    if scope.tag_id is not None:
        found = found.filter(reply__conversation__tags=scope.tag_id)
    return list(found.select_related("reply__conversation").order_by("-updated_at")[:limit])


def change(now: float | None, before: float | None) -> float | None:
    """The relative change from the previous period, None when it means nothing."""
    if now is None or before is None or before == 0 or math.isnan(before):
        return None
    return (now - before) / before


__all__ = ["SENTIMENTS", "STAKES", "TONES", "Grain", "Period", "Scope", "periods", "quantile"]
