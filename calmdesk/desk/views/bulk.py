"""Bulk actions from the inbox: the selected rows and one change, in one POST; back to
the same inbox page with what was done (and what could not be)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from calmdesk.desk.access import SignedInRequest, agent_required, visible_conversations
from calmdesk.desk.actions import NO_SUCH_ASSIGNEE
from calmdesk.desk.bulk import ASSIGNEES, KEEP, MOST_AT_ONCE, SNOOZES, BulkChange, do_bulk_change
from calmdesk.desk.forms import MAX_ID
from calmdesk.desk.models import Status
from calmdesk.desk.snooze import snooze_choices


class BulkForm(forms.Form):
    assignee = forms.ChoiceField(choices=ASSIGNEES, required=False)
    assign_to = forms.CharField(max_length=150, required=False)
    status = forms.ChoiceField(
        choices=[("", gettext_lazy("Keep status")), *Status.choices], required=False
    )
    tag = forms.CharField(max_length=50, required=False)
    snooze = forms.ChoiceField(choices=SNOOZES, required=False)
    back = forms.CharField(max_length=2000, required=False)


def _picked(request: SignedInRequest) -> set[int]:
    """The selected rows' ids; which of them the agent may change is said below."""
    raw = request.POST.getlist("c")
    if len(raw) > MOST_AT_ONCE or not all(v.isdigit() and int(v) < MAX_ID for v in raw):
        return set()
    return {int(v) for v in raw}


def _back(form: BulkForm) -> str:
    """The inbox page the agent was on: only its own query string is taken."""
    query = form.cleaned_data.get("back", "") if form.is_valid() else ""
    safe = query.startswith("?") and "\\" not in query and "//" not in query
    return reverse("inbox") + (query if safe else "")


def _change(request: SignedInRequest, form: BulkForm) -> BulkChange | None:
    data = form.cleaned_data
    assignee: object = KEEP
    if data["assign_to"].strip():
        assignee = (
            get_user_model()
            .objects.filter(username=data["assign_to"].strip(), agent__isnull=False)
            .first()
        )
        if assignee is None:
            messages.error(request, str(NO_SUCH_ASSIGNEE))
            return None
    elif data["assignee"] == "me":
        assignee = request.user
    elif data["assignee"] == "none":
        assignee = None
    until = None
    if data["snooze"]:
        now = timezone.now()
        until = snooze_choices(now, timezone.get_current_timezone())[data["snooze"]]
    return BulkChange(assignee=assignee, tag=data["tag"], status=data["status"], snooze_until=until)


@agent_required
@require_POST
def bulk(request: SignedInRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    ids = _picked(request)
    if not form.is_valid() or not ids:
        messages.error(request, _("Select conversations and a change to make."))
        return redirect(_back(form))
    conversations = list(
        visible_conversations(request.user)
        .filter(pk__in=ids, merged_into__isnull=True)
        .select_related("mailbox")
        .order_by("pk")
    )
    if len(conversations) != len(ids):
        raise Http404  # one the agent may not see: nothing is changed, nothing is told
    change = _change(request, form)
    if change is None:
        return redirect(_back(form))
    if change.is_empty:
        messages.error(request, _("Pick a change to make to the selected conversations."))
        return redirect(_back(form))
    outcome = do_bulk_change(conversations, request.user, change)
    if outcome.changed:
        messages.success(
            request,
            ngettext(
                "Changed %(count)d conversation.",
                "Changed %(count)d conversations.",
                outcome.changed,
            )
            % {"count": outcome.changed},
        )
    for problem in outcome.problems:
        messages.error(request, problem)
    return redirect(_back(form))
