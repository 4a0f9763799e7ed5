from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.desk.access import SignedInRequest, conversation_or_404
from calmdesk.empathy import actions
from calmdesk.empathy.coach import coach_draft
from calmdesk.empathy.models import Reproduction
from calmdesk.empathy.spans import utf16_offsets

# A draft longer than this is not checked live; Send still checks it.
MAX_LIVE_DRAFT = 20_000


@login_required
@require_POST
def coach(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    draft = request.POST.get("body", "")[:MAX_LIVE_DRAFT]
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
    return render(
        request,
        "empathy/_findings.html",
        {"conversation": conversation, "findings": findings, "coaching": coaching, "draft": draft},
    )


@login_required
@require_POST
def dismiss(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    code = request.POST.get("code", "").strip().upper()
    if not code.startswith("CD") or not code[2:].isdigit():
        return HttpResponse(_("Unknown rule."), status=400)
    actions.do_dismiss_finding(
        conversation, request.user, code=code, excerpt=request.POST.get("excerpt", "")
    )
    return HttpResponse(status=204)


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
    actions.do_log_call(
        conversation, request.user, summary=summary, link=request.POST.get("link", "")
    )
    return redirect("conversation", pk=conversation.pk)
