"""Problems on the conversation page (the sidebar box), the problems list and a
problem's page. Problems are the team's, so every agent sees them; what a problem counts
(customers, revenue, quotes) is only what lies in the agent's mailboxes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.charts.svg import Series, bar_chart
from calmdesk.desk.access import (
    SignedInRequest,
    agent_required,
    conversation_or_404,
    sees_every_mailbox,
    visible_mailbox_ids,
)
from calmdesk.desk.actions import ActionError
from calmdesk.problems.access import problem_or_404, visible_problems
from calmdesk.problems.actions import (
    do_create_problem,
    do_link_problem,
    do_set_problem_status,
    do_unlink_problem,
    do_update_problem,
)
from calmdesk.problems.models import AnswerBatch, Problem, ProblemKind, ProblemStatus
from calmdesk.problems.stats import (
    MOODS,
    affected_customers,
    impacts,
    mood_by_week,
    own_words,
    weeks_between,
)
from calmdesk.problems.suggest import STILL_OPEN, suggestions_for

# The link-existing choice lists this many problems still to be fixed, latest first.
LINK_CHOICES = 200


def scope(request: SignedInRequest) -> list[int] | None:
    """None when the agent sees every mailbox (no filter at all)."""
    return None if sees_every_mailbox(request.user) else visible_mailbox_ids(request.user)


@agent_required
def conversation_problems(request: SignedInRequest, pk: int) -> HttpResponse:
    """The sidebar box, loaded by htmx after the page (the page's own queries stay)."""
    conversation = conversation_or_404(request.user, pk)
    linked = list(Problem.objects.filter(links__conversation=conversation).order_by("title"))
    linked_ids = [p.pk for p in linked]
    choices = (
        visible_problems(request.user)
        .filter(status__in=STILL_OPEN)
        .exclude(pk__in=linked_ids)
        .order_by("-updated_at")[:LINK_CHOICES]
    )
    context = {
        "conversation": conversation,
        "linked": linked,
        "choices": choices,
        "suggested": suggestions_for(conversation, linked_ids),
        "kinds": ProblemKind.choices,
    }
    return render(request, "problems/_conversation_problems.html", context)


def _back(conversation_pk: int) -> HttpResponse:
    return redirect("conversation", pk=conversation_pk)


@agent_required
@require_POST
def conversation_problem_link(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    try:
        problem = problem_or_404(request.user, int(request.POST.get("problem", "")))
    except ValueError:
        raise Http404 from None
    do_link_problem(problem, conversation, request.user)
    return _back(conversation.pk)


@agent_required
@require_POST
def conversation_problem_unlink(request: SignedInRequest, pk: int, problem_pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    do_unlink_problem(problem_or_404(request.user, problem_pk), conversation, request.user)
    return _back(conversation.pk)


@agent_required
@require_POST
def conversation_problem_create(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    try:
        do_create_problem(
            request.user,
            request.POST.get("title", ""),
            kind=request.POST.get("kind", ProblemKind.BUG),
            conversation=conversation,
        )
    except ActionError as error:
        messages.error(request, str(error))
    return _back(conversation.pk)


@agent_required
def problems(request: SignedInRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    found = visible_problems(request.user).select_related("owner").order_by("-updated_at")
    if status in ProblemStatus.values:
        found = found.filter(status=status)
    rows = list(found[:500])
    figures = impacts(rows, scope(request), now=timezone.now())
    context = {
        "rows": [figures[p.pk] for p in rows],
        "status": status,
        "statuses": ProblemStatus.choices,
        "kinds": ProblemKind.choices,
        "scoped": scope(request) is not None,
    }
    return render(request, "problems/problems.html", context)


@agent_required
@require_POST
def problem_create(request: SignedInRequest) -> HttpResponse:
    try:
        problem = do_create_problem(
            request.user,
            request.POST.get("title", ""),
            kind=request.POST.get("kind", ProblemKind.BUG),
            description=request.POST.get("description", ""),
        )
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("problems")
    return redirect("problem", pk=problem.pk)


def _trend_chart(impact, weeks):
    labels = [week.strftime("%b %d") for week in weeks]
    return bar_chart(
        _("New conversations per week"),
        labels,
        [Series(_("Conversations"), [impact.weekly.get(week, 0) for week in weeks])],
    )


def _mood_chart(problem, mailbox_ids):
    by_week = mood_by_week(problem, mailbox_ids)
    if not by_week:
        return None
    weeks = weeks_between(min(by_week), max(by_week))
    names = {"upset": _("Upset"), "worried": _("Worried"), "calm": _("Calm")}
    return bar_chart(
        _("How the affected customers feel, per week (their messages)"),
        [week.strftime("%b %d") for week in weeks],
        [Series(names[m], [by_week.get(w, {}).get(m, 0) for w in weeks]) for m in MOODS],
    )


@agent_required
def problem(request: SignedInRequest, pk: int) -> HttpResponse:
    found = problem_or_404(request.user, pk)
    mailbox_ids = scope(request)
    impact = impacts([found], mailbox_ids, now=timezone.now())[found.pk]
    weeks = weeks_between(min(impact.weekly), max(impact.weekly)) if impact.weekly else []
    context = {
        "problem": found,
        "impact": impact,
        "customers": affected_customers(found, mailbox_ids)[:200],
        "trend_chart": _trend_chart(impact, weeks) if weeks else None,
        "mood_chart": _mood_chart(found, mailbox_ids),
        "statuses": ProblemStatus.choices,
        "kinds": ProblemKind.choices,
        "owners": get_user_model()
        .objects.filter(agent__isnull=False, is_active=True)
        .order_by("first_name", "username")[:200],
        "scoped": mailbox_ids is not None,
        "batches": AnswerBatch.objects.filter(problem=found)[:5],
    }
    return render(request, "problems/problem.html", context)


@agent_required
def problem_own_words(request: SignedInRequest, pk: int) -> HttpResponse:
    """The customers' own words, loaded by the problem page after it shows: the engine's
    first choice of quotes for a problem reads up to 200 messages, and the page does not
    wait for it (the choice is then kept per process, see ``stats.own_words``)."""
    found = problem_or_404(request.user, pk)
    words = own_words(found, scope(request))
    return render(request, "problems/_own_words.html", {"problem": found, "words": words})


@agent_required
@require_POST
def problem_status(request: SignedInRequest, pk: int) -> HttpResponse:
    found = problem_or_404(request.user, pk)
    try:
        do_set_problem_status(found, request.user, request.POST.get("status", ""))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("problem", pk=found.pk)


@agent_required
@require_POST
def problem_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Title, kind, description, and the owner: any agent of the team, or nobody."""
    found = problem_or_404(request.user, pk)
    owner_id = request.POST.get("owner", "")
    owner = (
        get_user_model().objects.filter(pk=int(owner_id), agent__isnull=False).first()
        if owner_id.isdigit()
        else None
    )
    try:
        do_update_problem(
            found,
            request.user,
            title=request.POST.get("title", found.title),
            kind=request.POST.get("kind", found.kind),
            description=request.POST.get("description", found.description),
            owner=owner,
        )
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("problem", pk=found.pk)
