"""/api/v1/reports: the figures of the reports page (volume, first response and
resolution times, ratings, tones and stakes, per day or week), scoped as the page scopes
them: the mailboxes the token's agent sees, and an agent without the team reports
capability gets their own figures (asking for someone else's is 403), and another
team's mailbox is a 404."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router

from calmdesk.api import schemas as s
from calmdesk.api.auth import READ, ApiError
from calmdesk.desk.access import visible_mailbox_ids
from calmdesk.team.load_rules import zone_of
from calmdesk.team.models import SCORES, STAKES, TONES
from calmdesk.team.report_page import PERIOD_DAYS, hours, scope_for, sees_team_reports
from calmdesk.team.reports import Grain, Period, periods, quantile

router = Router(tags=["reports"])


def period_out(period: Period) -> dict:
    closed = period.replies_per_conversation
    return {
        "start": period.start.isoformat(),
        "new": period["new"],
        "replied": period["replied"],
        "closed": period["closed"],
        "first_response_median_hours": hours(quantile(period.first_response, 0.5)),
        "first_response_p90_hours": hours(quantile(period.first_response, 0.9)),
        "resolution_median_hours": hours(quantile(period.resolution, 0.5)),
        "resolution_p90_hours": hours(quantile(period.resolution, 0.9)),
        "replies_per_closed_conversation": None if closed is None else round(closed, 2),
        "ratings": {name: period[f"rating_{name}"] for name in SCORES},
        "tones": {name: period[f"tone_{name}"] for name in TONES},
        "stakes": {name: period[f"stake_{name}"] for name in STAKES},
    }


@router.get("/reports", response={200: s.ReportOut, **s.ERRORS}, auth=READ)
def report(
    request: HttpRequest,
    days: Annotated[int, s.one_of(PERIOD_DAYS)] = Query(
        PERIOD_DAYS[0], description="7, 30 or 90 days up to today"
    ),
    grain: str = Query(Grain.DAY, pattern="^(day|week)$"),
    mailbox: int | None = Query(None, description="one mailbox; absent: every one you see"),
    agent: int | None = Query(None, description="a person's id (team reports only)"),
    tag: int | None = Query(None),
) -> dict:
    """The period's figures, per day (or week) in the agent's time zone, with the total
    and the period as long just before. Read from the hourly rollups, which the worker
    brings up to date every few minutes."""
    actor: User = request.user  # type: ignore[assignment]
    if days not in PERIOD_DAYS:
        raise ApiError(422, "invalid", "days: one of 7, 30, 90.")
    if mailbox is not None and mailbox not in visible_mailbox_ids(actor):
        raise Http404
    if agent not in (None, actor.pk) and not sees_team_reports(actor):
        raise ApiError(403, "forbidden", "Only the team reports show another person's figures.")
    zone = zone_of(actor)
    params = {"days": days, "grain": grain, "mailbox": mailbox, "agent": agent, "tag": tag}
    chosen = {name: str(value) for name, value in params.items() if value is not None}
    scope, _chosen = scope_for(actor, chosen, timezone.localdate(timezone=zone), zone)
    rows, total, before = periods(scope, previous=True)
    return {
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "time_zone": str(zone),
        "grain": scope.grain,
        "mailbox_ids": list(scope.mailbox_ids),
        "agent_id": scope.agent_id,
        "tag_id": scope.tag_id,
        "total": period_out(total),
        "previous": period_out(before or Period(scope.previous().start)),
        "periods": [period_out(p) for p in rows],
    }
