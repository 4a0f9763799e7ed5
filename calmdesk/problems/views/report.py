"""The product report (F10): problems ranked by customers affected, revenue at stake,
trend and how the customers feel; filtered by mailbox, kind, status and period; as a
page with charts, a CSV file and Markdown for a planning doc."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.charts.svg import Series, bar_chart
from calmdesk.desk.access import SignedInRequest, agent_required, visible_mailboxes
from calmdesk.problems.access import visible_problems
from calmdesk.problems.models import ProblemKind, ProblemStatus
from calmdesk.problems.stats import Impact, impacts
from calmdesk.problems.views.problems import scope

PERIODS = {"30": 30, "90": 90, "365": 365, "": None}
SORTS = ("customers", "revenue", "trend", "upset")
CHART_PROBLEMS = 10
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filters:
    mailbox: int | None
    kind: str
    status: str
    period: str
    sort: str


def _filters(request: SignedInRequest, mailbox_ids: list[int]) -> Filters:
    get = request.GET
    mailbox = int(get["mailbox"]) if get.get("mailbox", "").isdigit() else None
    return Filters(
        mailbox if mailbox in mailbox_ids else None,
        get.get("kind", "") if get.get("kind") in ProblemKind.values else "",
        get.get("status", "") if get.get("status") in ProblemStatus.values else "",
        get.get("period", "") if get.get("period", "") in PERIODS else "",
        get.get("sort", "customers") if get.get("sort") in SORTS else "customers",
    )


def _revenue(impact: Impact) -> Decimal:
    return sum(impact.revenue.values(), Decimal(0))


def ranked(request: SignedInRequest, filters: Filters) -> list[Impact]:
    problems = visible_problems(request.user)
    if filters.kind:
        problems = problems.filter(kind=filters.kind)
    if filters.status:
        problems = problems.filter(status=filters.status)
    mailbox_ids = scope(request)
    if filters.mailbox is not None:
        mailbox_ids = [filters.mailbox]
    now = timezone.now()
    days = PERIODS[filters.period]
    since = now - timedelta(days=days) if days else None
    rows = [
        i
        for i in impacts(list(problems[:1000]), mailbox_ids, now=now, since=since).values()
        if i.conversations
    ]
    keys = {
        "customers": lambda i: (i.customers, _revenue(i)),
        "revenue": lambda i: (_revenue(i), i.customers),
        "trend": lambda i: (i.trend, i.customers),
        "upset": lambda i: (i.upset_share, i.customers),
    }
    return sorted(rows, key=keys[filters.sort], reverse=True)


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula is kept as text (OWASP: CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _columns() -> list[str]:
    return [
        _("Problem"),
        _("Kind"),
        _("Status"),
        _("Customers affected"),
        _("Conversations"),
        _("Monthly revenue at stake"),
        _("Trend (4 weeks)"),
        _("Upset share"),
        _("First seen"),
        _("Last seen"),
    ]


def _cells(i: Impact) -> list[str]:
    return [
        i.problem.title,
        str(i.problem.get_kind_display()),
        str(i.problem.get_status_display()),
        str(i.customers),
        str(i.conversations),
        i.revenue_text(),
        f"{i.trend:+d}",
        f"{i.upset_share:.0%}",
        i.first_seen.date().isoformat() if i.first_seen else "",
        i.last_seen.date().isoformat() if i.last_seen else "",
    ]


def as_csv(rows: list[Impact]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_columns())
    for row in rows:
        writer.writerow([neutralise(cell) for cell in _cells(row)])
    return out.getvalue()


def as_markdown(rows: list[Impact], scoped: bool) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"## {_('Product problems')}", ""]
    if scoped:
        lines += [_("Counts are over the mailboxes you can see."), ""]
    lines.append("| " + " | ".join(_columns()) + " |")
    lines.append("|" + "---|" * len(_columns()))
    lines += ["| " + " | ".join(cell(c) for c in _cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _short(title: str, most: int = 24) -> str:
    return title if len(title) <= most else title[: most - 1].rstrip() + "…"


def _chart(rows: list[Impact]):
    top = rows[:CHART_PROBLEMS]
    if not top:
        return None
    return bar_chart(
        _("Customers affected, top problems"),
        [_short(i.problem.title) for i in top],
        [Series(_("Customers"), [i.customers for i in top])],
    )


@agent_required
def report(request: SignedInRequest) -> HttpResponse:
    mailboxes = list(visible_mailboxes(request.user).order_by("name"))
    filters = _filters(request, [m.pk for m in mailboxes])
    rows = ranked(request, filters)
    scoped = scope(request) is not None
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="problems.csv"'
        return response
    if fmt == "md":
        return HttpResponse(as_markdown(rows, scoped), content_type="text/markdown; charset=utf-8")
    context = {
        "rows": rows,
        "filters": filters,
        "mailboxes": mailboxes,
        "kinds": ProblemKind.choices,
        "statuses": ProblemStatus.choices,
        "periods": [
            ("30", _("30 days")),
            ("90", _("90 days")),
            ("365", _("A year")),
            ("", _("All time")),
        ],
        "sorts": [
            ("customers", _("Customers affected")),
            ("revenue", _("Revenue at stake")),
            ("trend", _("Trend")),
            ("upset", _("Upset customers")),
        ],
        "chart": _chart(rows),
        "scoped": scoped,
        "query": request.GET.urlencode(),
    }
    return render(request, "problems/report.html", context)
