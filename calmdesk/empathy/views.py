from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.accounts.models import PresenceState
from calmdesk.accounts.presence import do_mark_presence
from calmdesk.desk.access import SignedInRequest, conversation_or_404
from calmdesk.desk.actions import ActionError
from calmdesk.desk.forms import MAX_BODY, MAX_ID
from calmdesk.desk.models import Conversation
from calmdesk.empathy import actions
from calmdesk.empathy.coach import coach_draft
from calmdesk.empathy.models import Reproduction
from calmdesk.empathy.spans import utf16_offsets

# A draft longer than this is not checked live; Send still checks it.
MAX_LIVE_DRAFT = 20_000


def _seen_up_to(request: SignedInRequest) -> int:
    raw = request.POST.get("seen_up_to", "")
    return min(int(raw), MAX_ID) if raw.isascii() and raw.isdigit() and len(raw) < 20 else 0


def _coach_answer(
    request: SignedInRequest, conversation: Conversation, *, dismissed: str = ""
) -> HttpResponse:
    """Check the composer's draft, keep it as the agent's draft (the coach request is what
    carries it: no second poll), and answer with the findings."""
    body = request.POST.get("body", "")[:MAX_BODY]
    if conversation.customer.erased_at is None:  # an erased customer's drafts went too
        actions.do_save_draft(conversation, request.user, body, seen_up_to=_seen_up_to(request))
    draft = body[:MAX_LIVE_DRAFT]
    coaching = coach_draft(request, conversation, draft)
    ends = utf16_offsets(draft, [p for f in coaching.findings for p in (f.start, f.end)])
    findings = [
        {
            "finding": f,
            "start16": ends[2 * i],
            "end16": ends[2 * i + 1],
            "excerpt": draft[f.start : f.end],
        }
        for i, f in enumerate(coaching.findings)
    ]
    context = {
        "conversation": conversation,
        "findings": findings,
        "coaching": coaching,
        "draft": draft,
        "dismissed": dismissed,
    }
    return render(request, "empathy/_findings.html", context)


@login_required
@require_POST
def coach(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    if request.POST.get("typing") == "1" and request.POST.get("body", "").strip():
        # Checked because the agent typed: teammates see "typing a reply" (presence).
        do_mark_presence(conversation.pk, request.user, PresenceState.TYPING, timezone.now())
    return _coach_answer(request, conversation)


@login_required
@require_POST
def dismiss(request: SignedInRequest, pk: int) -> HttpResponse:
    """Silence a rule for this agent here, and answer with the draft checked again, so the
    finding leaves the page at once (a 204 left it there until the next keystroke)."""
    conversation = conversation_or_404(request.user, pk)
    code = request.POST.get("code", "").strip().upper()
    if not code.startswith("CD") or not code[2:].isdigit() or len(code) > 10:
        return HttpResponse(_("Unknown rule."), status=400)
    actions.do_dismiss_finding(
        conversation, request.user, code=code, excerpt=request.POST.get("excerpt", "")
    )
    return _coach_answer(request, conversation, dismissed=code)


@login_required
@require_POST
def reproduction(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    state = request.POST.get("state", "")
    if state not in Reproduction.values:
        return HttpResponse(_("Choose one of the reproduction states."), status=400)
    care = actions.do_record_reproduction(
        conversation,
        request.user,
        state=state,
        steps=request.POST.get("steps", "")[:5000],
        environment=request.POST.get("environment", "")[:1000],
    )
    if request.headers.get("HX-Request"):
        return render(
            request, "empathy/_reproduction.html", {"conversation": conversation, "care": care}
        )
    return redirect("conversation", pk=conversation.pk)


@login_required
@require_POST
def log_call(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    summary = request.POST.get("summary", "").strip()
    if not summary:
        return HttpResponse(_("Write a line about the call."), status=400)
    try:
        actions.do_log_call(
            conversation, request.user, summary=summary, link=request.POST.get("link", "")
        )
    except ActionError as problem:
        return HttpResponse(str(problem), status=400)
    return redirect("conversation", pk=conversation.pk)
