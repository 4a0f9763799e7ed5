"""What the reports page shows, built from ``reports``: the scope from the request's
choices (limited to what the viewer may see), the summary with the previous period, the
charts, and the CSV rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

from django.contrib.auth.models import User
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from calmdesk.accounts.access import agent_of
from calmdesk.accounts.models import Capability
from calmdesk.charts.svg import Series, bar_chart, line_chart
from calmdesk.desk.access import visible_mailbox_ids
from calmdesk.team.models import BusinessHours
from calmdesk.team.problem_trend import problem_chart, problem_trend
from calmdesk.team.reports import (
    SENTIMENTS,
    STAKES,
    TONES,
    Grain,
    Period,
    Scope,
    change,
    periods,
    quantile,
)

PERIOD_DAYS = (7, 30, 90)
HOURS = 3600.0


def sees_team_reports(actor: User) -> bool:
    agent = agent_of(actor)
    return actor.is_superuser or (agent is not None and agent.can(Capability.SEE_TEAM_REPORTS))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Choices:
    mailbox: int | None
    agent: int | None
    tag: int | None
    days: int
    grain: str


def scope_for(actor: User, params: Any, today: date, zone: tzinfo) -> tuple[Scope, Choices]:
    """The report scope from the query string. An agent without the team reports
    capability always gets their own figures; a mailbox they cannot see is ignored."""
    visible = visible_mailbox_ids(actor)
    mailbox = _int(params.get("mailbox"))
    mailbox_ids = (mailbox,) if mailbox in visible else tuple(visible)
    agent = _int(params.get("agent")) if sees_team_reports(actor) else actor.pk
    days = _int(params.get("days"))
    days = days if days in PERIOD_DAYS else PERIOD_DAYS[0]
    grain = Grain.WEEK if params.get("grain") == Grain.WEEK else Grain.DAY
    tag = _int(params.get("tag"))
    scope = Scope(
        mailbox_ids=mailbox_ids,
        start=today - timedelta(days=days - 1),
        end=today,
        zone=zone,
        agent_id=agent,
        tag_id=tag,
        grain=grain,
    )
    chosen = Choices(mailbox if mailbox in visible else None, agent, tag, days, grain)
    return scope, chosen


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOURS, 1)


def _label(period: Period, grain: str) -> str:
    if grain == Grain.WEEK:
        return _("week of %(day)s") % {"day": date_format(period.start, "j M")}
    return date_format(period.start, "j M")


@dataclass(frozen=True)
class Figure:
    """One number of the summary, with the previous period's beside it."""

    name: str
    value: float | None
    before: float | None
    unit: str = ""
    # Whether a rise is good news (volume is neither: None).
    rise_is_good: bool | None = None

    @property
    def change(self) -> float | None:
        return change(self.value, self.before)

    @property
    def change_percent(self) -> int | None:
        found = self.change
        return None if found is None else round(found * 100)


@dataclass(frozen=True)
class Basis:
    """How the figures are read: for one agent (new conversations belong to nobody, so
    theirs is the conversations they answered first), in business hours or not."""

    agent: bool = False
    business: bool = False

    def first_response(self, period: Period) -> list[int]:
        return period.first_response_business if self.business else period.first_response

    def resolution(self, period: Period) -> list[int]:
        return period.resolution_business if self.business else period.resolution

    def opened(self, period: Period) -> int:
        return period.answered_first if self.agent else period["new"]

    def opened_name(self) -> str:
        return _("Answered first") if self.agent else _("New conversations")

    def time_name(self, name: str) -> str:
        return _("%(name)s, business hours") % {"name": name} if self.business else name


def uses_business_hours(scope: Scope) -> bool:
    return BusinessHours.objects.filter(mailbox_id__in=scope.mailbox_ids).exists()


def summary(now: Period, before: Period, how: Basis | None = None) -> list[Figure]:
    how = how or Basis()

    def p(period: Period, which: str, q: float) -> float | None:
        histogram = how.first_response(period) if which == "fr" else how.resolution(period)
        return hours(quantile(histogram, q))

    def timed(name: str, which: str, q: float) -> Figure:
        return Figure(how.time_name(name), p(now, which, q), p(before, which, q), " h", False)

    great_now = now.great_share
    great_before = before.great_share
    return [
        Figure(how.opened_name(), how.opened(now), how.opened(before)),
        Figure(_("Replies sent"), now["replied"], before["replied"]),
        Figure(_("Closed"), now["closed"], before["closed"]),
        timed(_("First response, median"), "fr", 0.5),
        timed(_("First response, p90"), "fr", 0.9),
        timed(_("Resolution, median"), "res", 0.5),
        timed(_("Resolution, p90"), "res", 0.9),
        Figure(
            _("Replies per conversation"),
            _round(now.replies_per_conversation),
            _round(before.replies_per_conversation),
        ),
        Figure(
            _("Rated Great"),
            None if great_now is None else round(great_now * 100),
            None if great_before is None else round(great_before * 100),
            " %",
            True,
        ),
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def charts(rows: list[Period], grain: str, how: Basis | None = None) -> list[SafeString]:
    how = how or Basis()
    labels = [_label(p, grain) for p in rows]
    in_hours = _(" (business hours)") if how.business else ""

    def series(name: str, values: list[float | None]) -> Series:
        return Series(name, values)

    def counts(prefix: str, names: tuple[str, ...], display: dict[str, str]) -> list[Series]:
        return [series(display.get(n, n), [p[f"{prefix}_{n}"] for p in rows]) for n in names]

    return [
        line_chart(
            _("Volume"),
            labels,
            [
                series(
                    _("Answered first") if how.agent else _("New"), [how.opened(p) for p in rows]
                ),
                series(_("Replied"), [p["replied"] for p in rows]),
                series(_("Closed"), [p["closed"] for p in rows]),
            ],
        ),
        line_chart(
            _("First response time (hours)") + in_hours,
            labels,
            [
                series(_("median"), [hours(quantile(how.first_response(p), 0.5)) for p in rows]),
                series(_("p90"), [hours(quantile(how.first_response(p), 0.9)) for p in rows]),
            ],
        ),
        line_chart(
            _("Resolution time (hours)") + in_hours,
            labels,
            [
                series(_("median"), [hours(quantile(how.resolution(p), 0.5)) for p in rows]),
                series(_("p90"), [hours(quantile(how.resolution(p), 0.9)) for p in rows]),
            ],
        ),
        line_chart(
            _("Replies per closed conversation"),
            labels,
            [series(_("replies"), [_round(p.replies_per_conversation) for p in rows])],
        ),
        line_chart(
            _("Rated Great (%)"),
            labels,
            [
                series(
                    _("Great"),
                    [None if p.great_share is None else round(p.great_share * 100) for p in rows],
                )
            ],
        ),
        bar_chart(_("Tone of customer messages"), labels, counts("tone", TONES, tone_names())),
        bar_chart(
            _("Sentiment of customer messages"),
            labels,
            counts("sentiment", SENTIMENTS, sentiment_names()),
        ),
        bar_chart(_("Stakes customers named"), labels, counts("stake", STAKES, stake_names())),
    ]


def tone_names() -> dict[str, str]:
    return {
        "angry": _("angry"),
        "frustrated": _("frustrated"),
        "anxious": _("anxious"),
        "sad": _("sad"),
        "confused": _("confused"),
        "grateful": _("grateful"),
        "positive": _("positive"),
        "neutral": _("neutral"),
    }


def sentiment_names() -> dict[str, str]:
    return {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}


def stake_names() -> dict[str, str]:
    return {
        "outage": _("outage"),
        "data_loss": _("data loss"),
        "legal": _("legal"),
        "revenue": _("revenue"),
        "clients": _("clients"),
        "deadline": _("deadline"),
        "churn": _("leaving"),
        "personal": _("personal"),
    }


def report(scope: Scope) -> dict[str, Any]:
    rows, total, before = periods(scope, previous=True)
    how = Basis(agent=scope.agent_id is not None, business=uses_business_hours(scope))
    trend = problem_trend(scope)
    found = charts(rows, scope.grain, how)
    if trend:
        found.append(problem_chart(trend))
    return {
        "summary": summary(total, before or Period(scope.start), how),
        "charts": found,
        "rows": rows,
        "total": total,
        "business_hours": how.business,
    }


# Cells a spreadsheet would take for a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(scope: Scope) -> list[list[str]]:
    rows, _total, _none = periods(scope)
    head: list[object] = [
        _("period"),
        _("new"),
        _("replied"),
        _("closed"),
        _("first response median (h)"),
        _("first response p90 (h)"),
        _("resolution median (h)"),
        _("resolution p90 (h)"),
        _("replies per closed conversation"),
        _("rated great"),
        _("rated okay"),
        _("rated not good"),
        *(f"tone {name}" for name in TONES),
        *(f"sentiment {name}" for name in SENTIMENTS),
        *(f"stakes {name}" for name in STAKES),
        _("answered first"),
        _("first response median in business hours (h)"),
        _("first response p90 in business hours (h)"),
        _("resolution median in business hours (h)"),
        _("resolution p90 in business hours (h)"),
    ]
    out: list[list[object]] = [head]
    for p in rows:
        out.append(
            [
                p.start.isoformat(),
                p["new"],
                p["replied"],
                p["closed"],
                hours(quantile(p.first_response, 0.5)),
                hours(quantile(p.first_response, 0.9)),
                hours(quantile(p.resolution, 0.5)),
                hours(quantile(p.resolution, 0.9)),
                _round(p.replies_per_conversation),
                p["rating_great"],
                p["rating_okay"],
                p["rating_bad"],
                *(p[f"tone_{n}"] for n in TONES),
                *(p[f"sentiment_{n}"] for n in SENTIMENTS),
                *(p[f"stake_{n}"] for n in STAKES),
                p.answered_first,
                hours(quantile(p.first_response_business, 0.5)),
                hours(quantile(p.first_response_business, 0.9)),
                hours(quantile(p.resolution_business, 0.5)),
                hours(quantile(p.resolution_business, 0.9)),
            ]
        )
    return [[neutralise(cell) for cell in row] for row in out]
