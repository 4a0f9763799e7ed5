"""Business hours (F16): how long a customer waited counted only in the hours the
mailbox's team works, in the mailbox's own zone, holidays off.

A working day is one window [opens, closes) of local time on each working weekday; the
window is placed with the zone's rules of that day, so a day when summer time starts or
ends is as long as it really is. All arithmetic is in UTC (two aware datetimes of one
zone subtract as wall clocks in Python, which is wrong across a change of offset)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calmdesk.team.models import BusinessHours, Holiday


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    opens: time
    closes: time
    # ISO weekdays: 1 is Monday, 7 is Sunday.
    weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()

    def works_on(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's working window in UTC."""
        opens = datetime.combine(day, self.opens, self.zone).astimezone(UTC)
        return opens, datetime.combine(day, self.closes, self.zone).astimezone(UTC)

    def seconds_between(self, start: datetime, end: datetime, cap: float | None = None) -> float:
        """Working seconds in [start, end). With ``cap``, counting may stop once past it
        (the histograms' last bin is open, so nothing beyond it matters)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start or not self.weekdays:
            return 0.0
        total = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            if self.works_on(day):
                opens, closes = self.window(day)
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                total += max(0.0, overlap)
                if cap is not None and total > cap:
                    break
            day += timedelta(days=1)
        return total


def schedule_of(hours: BusinessHours, holidays: frozenset[date] = frozenset()) -> Schedule:
    return Schedule(
        zone=ZoneInfo(hours.time_zone),
        opens=hours.opens,
        closes=hours.closes,
        weekdays=frozenset(int(c) for c in hours.weekdays),
        holidays=holidays,
    )


def schedules() -> dict[int, Schedule]:
    """Every mailbox's schedule that has one, by mailbox id (two queries)."""
    rows = list(BusinessHours.objects.all())
    days: dict[int, set[date]] = {row.pk: set() for row in rows}
    for hours_id, day in Holiday.objects.values_list("hours_id", "day"):
        days[hours_id].add(day)
    return {row.mailbox_id: schedule_of(row, frozenset(days[row.pk])) for row in rows}
