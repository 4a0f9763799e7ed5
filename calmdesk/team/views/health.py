"""Team health pages: your own day (load gauge, hardest threads, your thanks), the
leads' view of the team (each agent's load in name order, never ranked; the coach's
dismissals per rule), the gratitude wall, and the loads shown beside the assignee picker."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from calmdesk.desk.access import (
    SignedInRequest,
    agent_required,
    conversation_or_404,
    visible_mailbox_ids,
)
from calmdesk.desk.actions import ActionError, can_work_in
from calmdesk.team.gratitude import do_pin, do_set_thanks_digest, wants_digest
from calmdesk.team.health import dismissals_by_rule, team_members, todays_loads
from calmdesk.team.load import load_of, threshold
from calmdesk.team.models import Rating, Score, Thanks
from calmdesk.team.report_page import sees_team_reports

DISMISSALS_SINCE = timedelta(days=30)
RATINGS_SINCE = timedelta(days=30)
WALL_SIZE = 30


@agent_required
@require_GET
def me(request: SignedInRequest) -> HttpResponse:
    load = load_of(request.user)
    limit = threshold()
    visible = set(visible_mailbox_ids(request.user))
    thanks = list(
        Thanks.objects.filter(agent=request.user)
        .select_related("conversation")
        .order_by("-received_at")[:WALL_SIZE]
    )
    since = timezone.now() - RATINGS_SINCE
    rated = Rating.objects.filter(reply__author=request.user, updated_at__gte=since)
    scores = dict(rated.values_list("score").annotate(n=Count("id")).order_by())
    context = {
        "scores": [(label, scores.get(value, 0)) for value, label in Score.choices],
        "rated_comments": list(rated.exclude(comment="").order_by("-updated_at")[:5]),
        "load": load,
        "limit": limit,
        "past": load.load >= limit,
        "hardest": load.hardest(),
        "thanks": thanks,
        "visible": visible,
        "team": sees_team_reports(request.user),
        "thanks_digest": wants_digest(request.user),
    }
    return render(request, "team/me.html", context)


@agent_required
@require_POST
def team_settings(request: SignedInRequest) -> HttpResponse:
    do_set_thanks_digest(request.user, request.POST.get("thanks_digest") == "1")
    return redirect("team_me")


@agent_required
@require_GET
def team(request: SignedInRequest) -> HttpResponse:
    if not sees_team_reports(request.user):
        raise PermissionDenied
    people = team_members()
    now = timezone.now()
    found = todays_loads(people, now)
    limit = threshold()
    rows = [(person, found[person.pk]) for person in people]
    names = {p.pk: p.get_full_name() or p.get_username() for p in people}
    dismissals = [
        (code, [(names.get(agent_id, "?"), n) for agent_id, n in by_agent.items()])
        for code, by_agent in sorted(dismissals_by_rule(now - DISMISSALS_SINCE).items())
    ]
    context = {
        "rows": rows,
        "limit": limit,
        "total": sum(load.load for _p, load in rows),
        "dismissals": dismissals,
    }
    return render(request, "team/team.html", context)


@agent_required
@require_GET
def wall(request: SignedInRequest) -> HttpResponse:
    stories = list(
        Thanks.objects.filter(pinned_at__isnull=False)
        .select_related("agent")
        .order_by("-pinned_at")[:WALL_SIZE]
    )
    return render(request, "team/wall.html", {"stories": stories})


@agent_required
@require_POST
def pin(request: SignedInRequest, pk: int) -> HttpResponse:
    thanks = get_object_or_404(Thanks, pk=pk)
    if thanks.agent_id != request.user.pk:
        raise Http404  # someone else's thanks is not theirs to see or share
    try:
        do_pin(thanks, request.user, request.POST.get("pinned") == "1", now=timezone.now())
    except ActionError as problem:
        messages.error(request, str(problem))
    return redirect("team_me")


@agent_required
@require_GET
def assign_loads(request: SignedInRequest, pk: int) -> HttpResponse:
    """Beside the assignee picker: each teammate who may take it, with today's load."""
    conversation = conversation_or_404(request.user, pk)
    people = [p for p in team_members() if can_work_in(p, conversation.mailbox_id)]
    found = todays_loads(people, timezone.now())
    rows = [(person, found[person.pk]) for person in people]
    return render(request, "team/_assign_loads.html", {"rows": rows, "limit": threshold()})
