"""Merging a conversation into another from its page: pick one of the customer's other
conversations (or type its number), confirm, and land on the result, where an Undo
stands for a minute."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from calmdesk.desk.access import (
    SignedInRequest,
    agent_required,
    conversation_or_404,
    visible_conversations,
)
from calmdesk.desk.actions import ActionError
from calmdesk.desk.merge import do_merge_conversations, do_unmerge_conversations
from calmdesk.desk.models import Conversation
from calmdesk.empathy.actions import refresh_care

# "123", "#123" or "CD-123" (the number the page shows), or the subject token of our
# mail, "CD-1a2b3c4d5e6f" with or without its brackets.
_NUMBER = re.compile(r"^(?:#|cd-)?(\d{1,18})$", re.IGNORECASE)
_TOKEN = re.compile(r"^\[?cd-([0-9a-f]{12})\]?$", re.IGNORECASE)


class MergeIntoForm(forms.Form):
    into = forms.CharField(
        max_length=40, label=gettext_lazy("Merge into"), error_messages={"required": ""}
    )


def find_target(actor: User, typed: str) -> Conversation | None:
    """The conversation ``typed`` names, among those the agent sees."""
    typed = typed.strip()
    rows = visible_conversations(actor).select_related("customer", "mailbox")
    number, token = _NUMBER.match(typed), _TOKEN.match(typed)
    if token is not None:
        return rows.filter(token=token.group(1).lower()).first()
    if number is not None:
        return rows.filter(pk=int(number.group(1))).first()
    return None


@agent_required
@require_http_methods(["GET", "POST"])
def merge(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (what moves where); POST: the merge."""
    source = conversation_or_404(request.user, pk)
    form = MergeIntoForm(request.POST if request.method == "POST" else request.GET)
    target = find_target(request.user, form.data.get("into", "")) if form.is_valid() else None
    if target is None:
        messages.error(request, _("Pick a conversation to merge this one into."))
        return redirect("conversation", pk=source.pk)
    if request.method == "GET":
        context = {"source": source, "target": target, "into": form.cleaned_data["into"]}
        return render(request, "desk/merge_confirm.html", context)
    try:
        do_merge_conversations(source, target, request.user)
    except ActionError as problem:
        messages.error(request, str(problem))
        return redirect("conversation", pk=source.pk)
    refresh_care(target.pk)  # the tone and stakes of the messages that came in
    return redirect("conversation", pk=target.pk)


@agent_required
@require_POST
def unmerge(request: SignedInRequest, pk: int) -> HttpResponse:
    source = conversation_or_404(request.user, pk)
    target_pk = source.merged_into_id
    try:
        do_unmerge_conversations(source, request.user)
    except ActionError as problem:
        messages.error(request, str(problem))
        return redirect("conversation", pk=target_pk or source.pk)
    refresh_care(source.pk)  # each reads its own messages again
    if target_pk is not None:
        refresh_care(target_pk)
    return redirect("conversation", pk=source.pk)
