"""The customer's rating page, reached from the link below a reply. No sign-in: the
signed token in the URL is the credential, so the form needs no CSRF cookie (a forged
form from another site would have to know the token). GET shows the choice and records
nothing (mail scanners open links); POST records it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from calmdesk.team.models import Rating, Score
from calmdesk.team.ratings import BadToken, do_rate, reply_of


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "team/rate_gone.html", status=404)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        reply = reply_of(token)
    except BadToken:
        return _gone(request)
    if request.method == "POST":
        score = request.POST.get("score", "")
        if score in Score.values:
            do_rate(reply, score, request.POST.get("comment", ""))
            return redirect("rate_thanks", token=token)
    existing = Rating.objects.filter(reply=reply).first()
    chosen = request.GET.get("score", "")
    if chosen not in Score.values:
        chosen = existing.score if existing is not None else ""
    context = {
        "reply": reply,
        "mailbox": reply.conversation.mailbox,
        "scores": Score.choices,
        "chosen": chosen,
        "comment": existing.comment if existing is not None else "",
        "missing": request.method == "POST",
    }
    return render(request, "team/rate.html", context, status=400 if context["missing"] else 200)


@require_GET
def rate_thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        reply = reply_of(token)
    except BadToken:
        return _gone(request)
    rating = Rating.objects.filter(reply=reply).first()
    if rating is None:
        return redirect("rate", token=token)
    context = {"rating": rating, "mailbox": reply.conversation.mailbox, "token": token}
    return render(request, "team/rate_thanks.html", context)
