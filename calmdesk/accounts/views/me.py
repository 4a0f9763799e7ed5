"""The signed-in person's own pages: their settings and their notifications."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.accounts.access import SignedInRequest, agent_of, agent_required
from calmdesk.accounts.actions import do_update_settings
from calmdesk.accounts.forms import SettingsForm
from calmdesk.accounts.models import DEFAULT_COOLDOWN_SECONDS, Notification
from calmdesk.accounts.notify import do_mark_read
from calmdesk.accounts.twofactor import has_two_factor

LISTED = 100  # the newest notifications shown; older ones are kept, not listed


@agent_required
def preferences(request: SignedInRequest) -> HttpResponse:
    agent = agent_of(request.user)
    assert agent is not None  # agent_required
    user = request.user
    cooldown = agent.cooldown_seconds
    form = SettingsForm(
        request.POST or None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "signature": agent.signature,
            "time_zone": agent.time_zone,
            "undo_seconds": agent.undo_seconds,
            "cooldown_seconds": None if cooldown == DEFAULT_COOLDOWN_SECONDS else cooldown,
            "email_notifications": agent.email_notifications,
        },
    )
    if request.method == "POST" and form.is_valid():
        do_update_settings(agent, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("preferences")
    context = {"form": form, "agent": agent, "two_factor_on": has_two_factor(user)}
    return render(request, "accounts/preferences.html", context)


@agent_required
def notifications(request: SignedInRequest) -> HttpResponse:
    listed = Notification.objects.filter(recipient=request.user).select_related("actor")[:LISTED]
    return render(request, "accounts/notifications.html", {"notifications": listed})


@require_POST
@agent_required
def notification_open(request: SignedInRequest, pk: int) -> HttpResponse:
    """Mark one read and go where it points (a path inside the desk only)."""
    notification = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if notification is None:
        raise Http404
    do_mark_read(request.user, [notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications")


@require_POST
@agent_required
def notifications_read(request: SignedInRequest) -> HttpResponse:
    do_mark_read(request.user)
    return redirect("notifications")
