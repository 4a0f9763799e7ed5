"""An agent's saved views: save the inbox's current filter under a name, rename, delete.
Another agent's view does not exist for them (404)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.desk.access import SignedInRequest, agent_required
from calmdesk.desk.actions import ActionError
from calmdesk.desk.models import SavedView
from calmdesk.desk.saved_views import (
    do_delete_view,
    do_rename_view,
    do_save_view,
    saved_views_of,
)


def _own_view_or_404(request: SignedInRequest, pk: int) -> SavedView:
    view = SavedView.objects.filter(pk=pk, owner=request.user).first()
    if view is None:
        raise Http404
    return view


def _inbox_with(query: str) -> str:
    return reverse("inbox") + ("?" + urlencode({"q": query}) if query else "")


@agent_required
def saved_views(request: SignedInRequest) -> HttpResponse:
    return render(request, "desk/saved_views.html", {"views": saved_views_of(request.user)})


@agent_required
@require_POST
def save(request: SignedInRequest) -> HttpResponse:
    query = request.POST.get("query", "")[:1000]
    try:
        view = do_save_view(request.user, request.POST.get("name", "")[:200], query)
    except ActionError as problem:
        messages.error(request, str(problem))
        return redirect(_inbox_with(query))
    messages.success(request, _("Saved as “%(name)s”.") % {"name": view.name})
    return redirect(_inbox_with(view.query))


@agent_required
@require_POST
def rename(request: SignedInRequest, pk: int) -> HttpResponse:
    view = _own_view_or_404(request, pk)
    try:
        do_rename_view(view, request.user, request.POST.get("name", "")[:200])
    except ActionError as problem:
        messages.error(request, str(problem))
    return redirect("saved_views")


@agent_required
@require_POST
def delete(request: SignedInRequest, pk: int) -> HttpResponse:
    view = _own_view_or_404(request, pk)
    do_delete_view(view, request.user)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("saved_views")
