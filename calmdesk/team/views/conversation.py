"""The ratings box on a conversation page (fetched by htmx, like the problems box): how
the customer rated its replies, and whose reply each was."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from calmdesk.desk.access import SignedInRequest, agent_required, conversation_or_404
from calmdesk.team.models import Rating

SHOWN = 10


@agent_required
@require_GET
def conversation_ratings(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    ratings = list(
        Rating.objects.filter(reply__conversation=conversation)
        .select_related("reply__author")
        .order_by("-updated_at")[:SHOWN]
    )
    if not ratings:
        return HttpResponse("")
    return render(request, "team/_conversation_ratings.html", {"ratings": ratings})
