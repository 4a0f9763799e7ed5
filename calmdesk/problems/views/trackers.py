"""Issue-tracker pages: the admins' destinations (list, add, edit, delete) and, for a
problem, the issues it became with the push button (a page, or the box the problem page
loads)."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from calmdesk.accounts.access import SignedInRequest, agent_of, agent_required
from calmdesk.accounts.models import Capability
from calmdesk.accounts.notify import absolute_url
from calmdesk.mail.secrets import SecretError
from calmdesk.problems.access import problem_or_404
from calmdesk.problems.models import Problem
from calmdesk.problems.tracker_actions import (
    PushError,
    destinations_for,
    do_delete_destination,
    do_github_issue_event,
    do_push_problem,
    do_save_destination,
    signature_ok,
    webhook_secret,
)
from calmdesk.problems.tracker_forms import DestinationForm
from calmdesk.problems.tracker_models import TrackerDestination, TrackerKind


def _may_configure(actor: User) -> bool:
    agent = agent_of(actor)
    return agent is not None and agent.can(Capability.CONFIGURE)


def may_configure(view):
    @agent_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _may_configure(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _page(request: SignedInRequest, form: DestinationForm, status: int = 200) -> HttpResponse:
    context = {
        "destinations": TrackerDestination.objects.select_related("mailbox"),
        "form": form,
    }
    return render(request, "problems/trackers.html", context, status=status)


@may_configure
def trackers(request: SignedInRequest) -> HttpResponse:
    return _page(request, DestinationForm())


def _save(request: SignedInRequest, form: DestinationForm) -> bool:
    if not form.is_valid():
        return False
    try:
        do_save_destination(form.save(commit=False), token=form.cleaned_data.get("token", ""))
    except SecretError as error:
        form.add_error("token", str(error))
        return False
    return True


@require_POST
@may_configure
def tracker_add(request: SignedInRequest) -> HttpResponse:
    form = DestinationForm(request.POST)
    if not _save(request, form):
        return _page(request, form, status=400)
    messages.success(request, _("Destination saved."))
    return redirect("trackers")


@require_http_methods(["GET", "POST"])
@may_configure
def tracker_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    destination = get_object_or_404(TrackerDestination, pk=pk)
    form = DestinationForm(request.POST or None, instance=destination)
    if request.method == "POST" and _save(request, form):
        messages.success(request, _("Destination saved."))
        return redirect("trackers")
    status = 400 if form.errors else 200
    context = {"form": form, "destination": destination}
    if destination.kind == TrackerKind.GITHUB:
        path = reverse("tracker_github_webhook", args=[destination.pk])
        context["webhook_url"] = absolute_url(path)
        context["webhook_secret"] = webhook_secret(destination)
    return render(request, "problems/tracker_edit.html", context, status=status)


@require_POST
@may_configure
def tracker_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    do_delete_destination(get_object_or_404(TrackerDestination, pk=pk))
    messages.success(request, _("Destination removed. Issues already pushed stay in the tracker."))
    return redirect("trackers")


def tracker_context(request: SignedInRequest, problem: Problem) -> dict[str, object]:
    """For the problem page's tracker box (``problems/_tracker_links.html``)."""
    return {
        "problem": problem,
        "tracker_links": problem.tracker_links.select_related("destination").exclude(
            external_id=""
        ),
        "tracker_destinations": destinations_for(request.user),
        "may_configure": _may_configure(request.user),
    }


@agent_required
def problem_trackers(request: SignedInRequest, pk: int) -> HttpResponse:
    problem = problem_or_404(request.user, pk)
    # The problem page loads the box alone (htmx); opened directly, it is a page.
    template = (
        "_tracker_links.html" if request.headers.get("HX-Request") else "problem_trackers.html"
    )
    return render(request, f"problems/{template}", tracker_context(request, problem))


@require_POST
@agent_required
def problem_push(request: SignedInRequest, pk: int) -> HttpResponse:
    problem = problem_or_404(request.user, pk)
    destination = destinations_for(request.user).filter(pk=request.POST.get("destination") or 0)
    chosen = destination.first()
    if chosen is None:
        raise Http404
    try:
        link = do_push_problem(problem, chosen, request.user)
    except (PushError, SecretError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        if link.pushes > 1:
            messages.success(
                request, _("Added the latest evidence to %(issue)s.") % {"issue": link.external_id}
            )
        else:
            messages.success(request, _("Created %(issue)s.") % {"issue": link.external_id})
    return redirect("problem", pk=problem.pk)


@csrf_exempt
@require_POST
def tracker_github_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """GitHub's deliveries for one destination, signed with its secret: a closed issue
    marks its problem at once instead of at the next poll. No session: the signature is
    the only way in."""
    destination = get_object_or_404(
        TrackerDestination, pk=pk, kind=TrackerKind.GITHUB, enabled=True
    )
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature_ok(destination, request.body, signature):
        return HttpResponseForbidden("bad signature")
    if request.headers.get("X-GitHub-Event") == "issues":
        try:
            payload = json.loads(request.body)
        except ValueError:
            return HttpResponseBadRequest("not JSON")
        if isinstance(payload, dict):
            do_github_issue_event(destination, payload)
    return HttpResponse(status=204)
