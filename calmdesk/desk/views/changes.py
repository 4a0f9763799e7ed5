"""POST views that change a conversation, each through one action. On success they
redirect back to the conversation (htmx follows and swaps the page); a refused change
comes back as a message, and a refused reply keeps its draft on screen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.desk.access import SignedInRequest, agent_required, conversation_or_404
from calmdesk.desk.actions import (
    NO_SUCH_ASSIGNEE,
    ActionError,
    Collision,
    MergedAway,
    do_add_note,
    do_add_tag,
    do_assign,
    do_change_status,
    do_remove_tag,
)
from calmdesk.desk.forms import AssignForm, NoteForm, ReplyForm, StatusForm, TagForm
from calmdesk.desk.models import Message, MessageKind, Tag
from calmdesk.desk.views.pages import render_conversation
from calmdesk.empathy.actions import do_close_draft
from calmdesk.empathy.coach import coach_draft
from calmdesk.mail.actions import do_send_reply, do_undo_send


def _back(conversation) -> HttpResponse:
    # A merged one lives on in its target (its own page would redirect there anyway).
    return redirect("conversation", pk=conversation.merged_into_id or conversation.pk)


def _merged_away(
    request: SignedInRequest, problem: MergedAway, key: str, text: str
) -> HttpResponse:
    """A write posted to a merged conversation (a stale tab): refused, and the agent
    lands on the target with the words they typed back in the composer (``key``)."""
    messages.error(request, str(problem))
    request.session[f"calmdesk.{key}.{problem.target_id}"] = text
    return redirect("conversation", pk=problem.target_id)


def _form_problem(request: SignedInRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@agent_required
@require_POST
def reply(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        for problem in form.errors.get("seen_up_to", []):  # a hidden field: said up top
            messages.error(request, str(problem))
        return render_conversation(request, conversation, reply_form=form, status=400)
    if conversation.customer.erased_at is not None:
        messages.error(request, _("This customer was erased; there is nobody to reply to."))
        return render_conversation(request, conversation, reply_form=form, status=409)
    # F6: a heated draft waits for a re-read. Enforced here too, not only in the browser.
    coaching = coach_draft(request, conversation, form.cleaned_data["body"])
    if coaching.cooldown_left:
        messages.error(
            request,
            _("This draft reads heated. Re-read it first: Send opens in %(seconds)d s.")
            % {"seconds": coaching.cooldown_left},
        )
        return render_conversation(request, conversation, reply_form=form, status=409)
    try:
        sent = do_send_reply(
            conversation,
            request.user,
            form.cleaned_data["body"],
            seen_up_to=form.cleaned_data["seen_up_to"],
            attachments=request.FILES.getlist("attachments"),
            then_status=form.cleaned_data["then_status"],
            to=form.cleaned_data["to"],
            cc=form.cleaned_data["cc"],
            bcc=form.cleaned_data["bcc"],
        )
    except Collision as collision:
        messages.error(request, str(collision))
        return render_conversation(
            request, conversation, reply_form=form, collision=collision.added, status=409
        )
    except MergedAway as problem:
        return _merged_away(request, problem, "draft", form.cleaned_data["body"])
    except ActionError as problem:
        messages.error(request, str(problem))
        return render_conversation(request, conversation, reply_form=form, status=400)
    do_close_draft(conversation, request.user, sent)  # undo brings the text back (below)
    messages.success(
        request,
        _("Reply scheduled: it leaves at %(time)s unless you undo it.")
        % {"time": timezone.localtime(sent.outbox.send_at).strftime("%H:%M:%S")},
    )
    return _back(conversation)


@agent_required
@require_POST
def undo_reply(request: SignedInRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    message = get_object_or_404(
        Message,
        pk=message_pk,
        conversation=conversation,
        kind__in=[MessageKind.REPLY, MessageKind.FORWARD],
    )
    if message.author_id != request.user.pk:
        messages.error(request, _("Only the author of a reply can undo it."))
    elif message.kind == MessageKind.FORWARD:
        if do_undo_send(message, request.user):
            messages.success(request, _("Forward undone: it will not leave."))
        else:
            messages.error(request, _("Too late to undo: the forward has already left."))
    elif do_undo_send(message, request.user):
        # The draft comes back into the composer on the page the agent returns to.
        request.session[f"calmdesk.draft.{conversation.pk}"] = message.body_text
        messages.success(request, _("Sending undone. Your draft is back in the composer."))
    else:
        messages.error(request, _("Too late to undo: the reply has already left."))
    return _back(conversation)


@agent_required
@require_POST
def note(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_conversation(request, conversation, note_form=form, status=400)
    try:
        do_add_note(conversation, request.user, form.cleaned_data["body"])
    except MergedAway as problem:
        return _merged_away(request, problem, "note", form.cleaned_data["body"])
    except ActionError as problem:
        messages.error(request, str(problem))
        return render_conversation(request, conversation, note_form=form, status=400)
    return _back(conversation)


@agent_required
@require_POST
def change_status(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return _back(conversation)
    try:
        do_change_status(
            conversation,
            request.user,
            form.cleaned_data["status"],
            seen_status=form.cleaned_data["seen_status"] or None,
        )
    except ActionError as problem:
        messages.error(request, str(problem))
    return _back(conversation)


@agent_required
@require_POST
def assign(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return _back(conversation)
    assignee_id = form.cleaned_data["assignee"]
    assignee = get_user_model().objects.filter(pk=assignee_id).first() if assignee_id else None
    if assignee_id and assignee is None:
        messages.error(request, str(NO_SUCH_ASSIGNEE))
        return _back(conversation)
    try:
        do_assign(conversation, request.user, assignee)
    except ActionError as problem:
        messages.error(request, str(problem))
    return _back(conversation)


@agent_required
@require_POST
def add_tag(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    form = TagForm(request.POST)
    if not form.is_valid():
        _form_problem(request, form)
        return _back(conversation)
    try:
        do_add_tag(conversation, request.user, form.cleaned_data["name"])
    except ActionError as problem:
        messages.error(request, str(problem))
    return _back(conversation)


@agent_required
@require_POST
def remove_tag(request: SignedInRequest, pk: int, tag_pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    try:
        do_remove_tag(conversation, request.user, get_object_or_404(Tag, pk=tag_pk))
    except ActionError as problem:
        messages.error(request, str(problem))
    return _back(conversation)
