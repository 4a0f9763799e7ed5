"""The reports page and its CSV export: the viewer's mailboxes (or, for an agent, their
own figures), read from the rollups in the viewer's time zone."""

from __future__ import annotations

import csv

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from calmdesk.desk.access import SignedInRequest, agent_required, visible_mailboxes
from calmdesk.desk.models import Tag
from calmdesk.team.report_page import (
    PERIOD_DAYS,
    Choices,
    csv_rows,
    report,
    scope_for,
    sees_team_reports,
)
from calmdesk.team.reports import Scope, recent_comments


def _scope(request: SignedInRequest) -> tuple[Scope, Choices]:
    zone = timezone.get_current_timezone()
    return scope_for(request.user, request.GET, timezone.localdate(timezone=zone), zone)


@agent_required
@require_GET
def reports(request: SignedInRequest) -> HttpResponse:
    scope, chosen = _scope(request)
    team = sees_team_reports(request.user)
    people = (
        get_user_model()
        .objects.filter(is_active=True, agent__isnull=False)
        .order_by("first_name", "username")
        if team
        else []
    )
    context = {
        **report(scope),
        "scope": scope,
        "chosen": chosen,
        "team": team,
        "people": people,
        "mailboxes": visible_mailboxes(request.user).order_by("name"),
        "tags": Tag.objects.order_by("name"),
        "period_days": PERIOD_DAYS,
        "comments": recent_comments(scope),
        "query": "",
        "export_query": request.GET.urlencode(),
    }
    return render(request, "team/reports.html", context)


@agent_required
@require_GET
def reports_csv(request: SignedInRequest) -> HttpResponse:
    scope, _chosen = _scope(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"calmdesk-report-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv.writer(response).writerows(csv_rows(scope))
    return response
