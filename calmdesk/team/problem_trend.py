"""The problems' trend in the reports (F16 with F9): at the end of each week, how many
problems were open and how many customers were waiting on them, counted over the
report's mailboxes (a problem counts there once a conversation of theirs shows it).

One query reads the links of the problems that could be open in the period; problems
and their links are few beside the messages, so nothing is kept for this. Agent and tag
filters do not apply: a problem is the team's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from calmdesk.charts.svg import Series, line_chart
from calmdesk.problems.models import ProblemLink, ProblemStatus
from calmdesk.team.reports import Scope

CLOSED = (ProblemStatus.FIXED, ProblemStatus.WONT_FIX)


@dataclass(frozen=True)
class Week:
    start: date
    open_problems: int
    customers: int


@dataclass(frozen=True)
class _Link:
    problem_id: int
    at: datetime
    customer_id: int | None
    opened: datetime
    closed: datetime | None


def _weeks(scope: Scope) -> list[tuple[date, datetime]]:
    """Each week's Monday (local) and the moment it is counted at: its end, or the end
    of the period for the last one."""
    after = datetime.combine(scope.end + timedelta(days=1), time(), scope.zone)
    monday = scope.start - timedelta(days=scope.start.weekday())
    weeks = []
    while monday <= scope.end:
        end = datetime.combine(monday + timedelta(days=7), time(), scope.zone)
        weeks.append((monday, min(end, after)))
        monday += timedelta(days=7)
    return weeks


def _closed_at(status: str, fixed_at: datetime | None, updated_at: datetime) -> datetime | None:
    if status not in CLOSED:
        return None
    return fixed_at or updated_at  # won't fix keeps no time of its own but its last change


def problem_trend(scope: Scope) -> list[Week]:
    """Open problems and customers waiting on them at each week's end; empty when no
    problem touches these mailboxes in the period."""
    weeks = _weeks(scope)
    first, last = weeks[0][1] - timedelta(days=7), weeks[-1][1]
    rows = (
        ProblemLink.objects.filter(
            conversation__mailbox_id__in=scope.mailbox_ids,
            at__lt=last,
            problem__created_at__lt=last,
        )
        .filter(
            Q(problem__status__in=[s for s in ProblemStatus if s not in CLOSED])
            | Q(problem__fixed_at__gte=first)
            | Q(problem__fixed_at__isnull=True, problem__updated_at__gte=first)
        )
        .values_list(
            "problem_id",
            "at",
            "conversation__customer_id",
            "problem__created_at",
            "problem__status",
            "problem__fixed_at",
            "problem__updated_at",
        )
    )
    links = [
        _Link(pk, at, customer, created, _closed_at(status, fixed, updated))
        for pk, at, customer, created, status, fixed, updated in rows
    ]
    if not links:
        return []
    found = []
    for monday, moment in weeks:
        here = [
            link
            for link in links
            if link.at < moment
            and link.opened < moment
            and (link.closed is None or link.closed >= moment)
        ]
        customers = {link.customer_id for link in here if link.customer_id is not None}
        found.append(Week(monday, len({link.problem_id for link in here}), len(customers)))
    return found


def problem_chart(weeks: list[Week]) -> SafeString:
    labels = [_("week of %(day)s") % {"day": date_format(w.start, "j M")} for w in weeks]
    return line_chart(
        _("Open problems at each week's end"),
        labels,
        [
            Series(_("open problems"), [w.open_problems for w in weeks]),
            Series(_("customers waiting on them"), [w.customers for w in weeks]),
        ],
        desc=_("For the chosen mailboxes; not by agent or tag (a problem is the team's)."),
    )
