"""A saved reply filled in for one conversation, previewed before the agent inserts it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from calmdesk.desk.access import SignedInRequest, agent_required, conversation_or_404
from calmdesk.desk.saved_replies import SavedReplyError, render_for, saved_replies_for


@agent_required
@require_GET
def preview(request: SignedInRequest, pk: int) -> HttpResponse:
    """The ``reply`` chosen in the composer, rendered for this conversation and the agent
    looking (an unknown variable shows its error, with nothing to insert)."""
    conversation = conversation_or_404(request.user, pk)
    reply_id = request.GET.get("reply", "")
    saved = (
        saved_replies_for(conversation).filter(pk=reply_id).first() if reply_id.isdigit() else None
    )
    if saved is None:
        raise Http404
    try:
        text, error = render_for(saved.body, conversation, request.user), ""
    except SavedReplyError as problem:
        text, error = "", str(problem)
    context = {"saved": saved, "text": text, "error": error}
    return render(request, "desk/_saved_reply_preview.html", context)
