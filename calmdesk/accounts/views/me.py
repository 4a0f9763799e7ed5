from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from calmdesk.accounts.access import SignedInRequest, agent_of, agent_required
from calmdesk.accounts.actions import do_update_preferences
from calmdesk.accounts.forms import PreferencesForm


@agent_required
def preferences(request: SignedInRequest) -> HttpResponse:
    agent = agent_of(request.user)
    assert agent is not None  # agent_required
    form = PreferencesForm(
        request.POST or None,
        initial={"time_zone": agent.time_zone, "undo_seconds": agent.undo_seconds},
    )
    if request.method == "POST" and form.is_valid():
        do_update_preferences(agent, **form.cleaned_data)
        messages.success(request, _("Preferences saved."))
        return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form, "agent": agent})
