"""Snoozing a conversation from its page: the quick choices or a date and time (in the
agent's time zone, which the middleware makes current), and unsnoozing."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.desk.access import SignedInRequest, agent_required, conversation_or_404
from calmdesk.desk.actions import ActionError
from calmdesk.desk.snooze import do_snooze, do_unsnooze, snooze_choices


def _until(choice: str, at: str, now: datetime) -> datetime | None:
    zone = timezone.get_current_timezone()
    if choice in ("later", "tomorrow", "next_week"):
        return snooze_choices(now, zone)[choice]
    try:
        return datetime.fromisoformat(at[:32]).replace(tzinfo=zone)
    except ValueError:
        return None


@agent_required
@require_POST
def snooze(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    now = timezone.now()
    until = _until(request.POST.get("choice", ""), request.POST.get("until", ""), now)
    if until is None:
        messages.error(request, _("Pick when to snooze until."))
        return redirect("conversation", pk=conversation.pk)
    try:
        do_snooze(conversation, request.user, until, now=now)
    except ActionError as problem:
        messages.error(request, str(problem))
        return redirect("conversation", pk=conversation.merged_into_id or conversation.pk)
    # Out of the Active list: back to where the agent works.
    return redirect("inbox")


@agent_required
@require_POST
def unsnooze(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    try:
        do_unsnooze(conversation, request.user)
    except ActionError as problem:
        messages.error(request, str(problem))
    return redirect("conversation", pk=conversation.merged_into_id or conversation.pk)
