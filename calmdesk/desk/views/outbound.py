"""Mail the agent starts: a new conversation (its page, and the coach as the first
message is typed) and a forward of a conversation. Each is one action of the mail layer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.desk.access import (
    SignedInRequest,
    agent_required,
    conversation_or_404,
    visible_mailboxes,
)
from calmdesk.desk.actions import ActionError
from calmdesk.desk.forms import MAX_BODY, ForwardForm, NewConversationForm
from calmdesk.desk.models import Mailbox, Message, Status
from calmdesk.empathy.coach import coach_first_message
from calmdesk.empathy.spans import utf16_offsets
from calmdesk.mail.compose import do_forward, do_start_conversation

# A draft longer than this is not checked live; Send still checks it.
MAX_LIVE_DRAFT = 20_000


def _mailbox(request: SignedInRequest, raw: object) -> Mailbox | None:
    """A mailbox the agent may write from (one they work in), by id."""
    text = str(raw or "")
    mailboxes = visible_mailboxes(request.user)
    if text.isdigit() and len(text) < 19:
        return mailboxes.filter(pk=int(text)).first()
    return mailboxes.order_by("-is_default", "name").first()


def _page(request: SignedInRequest, form: NewConversationForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "mailboxes": list(visible_mailboxes(request.user)),
        "statuses": Status.choices,
    }
    return render(request, "desk/new_conversation.html", context, status=status)


@agent_required
def new_conversation(request: SignedInRequest) -> HttpResponse:
    if request.method != "POST":
        chosen = _mailbox(request, request.GET.get("mailbox"))
        initial = {
            "mailbox": chosen.pk if chosen else None,
            "to": request.GET.get("to", "")[:320],
            "then_status": Status.PENDING,
        }
        return _page(request, NewConversationForm(initial=initial))
    form = NewConversationForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    mailbox = _mailbox(request, form.cleaned_data["mailbox"])
    if mailbox is None:
        form.add_error("mailbox", _("Choose one of your mailboxes."))
        return _page(request, form, status=400)
    body = form.cleaned_data["body"]
    # F6 as for a reply: a heated first message waits for a re-read, enforced here too.
    coaching = coach_first_message(request, mailbox, body)
    if coaching.cooldown_left:
        messages.error(
            request,
            _("This draft reads heated. Re-read it first: Send opens in %(seconds)d s.")
            % {"seconds": coaching.cooldown_left},
        )
        return _page(request, form, status=409)
    try:
        sent = do_start_conversation(
            mailbox,
            request.user,
            to=form.cleaned_data["to"],
            subject=form.cleaned_data["subject"],
            body=body,
            cc=form.cleaned_data["cc"],
            bcc=form.cleaned_data["bcc"],
            attachments=request.FILES.getlist("attachments"),
            then_status=form.cleaned_data["then_status"],
        )
    except ActionError as problem:
        messages.error(request, str(problem))
        return _page(request, form, status=400)
    messages.success(
        request,
        _("Message scheduled: it leaves at %(time)s unless you undo it.")
        % {"time": timezone.localtime(sent.outbox.send_at).strftime("%H:%M:%S")},
    )
    return redirect("conversation", pk=sent.conversation_id)


@agent_required
@require_POST
def new_conversation_coach(request: SignedInRequest) -> HttpResponse:
    """The coach on the first message, as the agent types it (htmx)."""
    mailbox = _mailbox(request, request.POST.get("mailbox"))
    draft = request.POST.get("body", "")[:MAX_BODY][:MAX_LIVE_DRAFT]
    if mailbox is None:
        return HttpResponse(status=204)
    coaching = coach_first_message(request, mailbox, draft)
    ends = utf16_offsets(draft, [p for f in coaching.findings for p in (f.start, f.end)])
    findings = [
        {"finding": f, "start16": ends[2 * i], "end16": ends[2 * i + 1], "excerpt": ""}
        for i, f in enumerate(coaching.findings)
    ]
    context = {"findings": findings, "coaching": coaching, "draft": draft}
    return render(request, "empathy/_findings.html", context)


@agent_required
@require_POST
def forward(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    form = ForwardForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("conversation", pk=conversation.pk)
    chosen = form.cleaned_data["message"]
    one = Message.objects.filter(pk=chosen, conversation=conversation).first() if chosen else None
    if chosen and one is None:
        messages.error(request, _("Only a message of this conversation can be forwarded."))
        return redirect("conversation", pk=conversation.pk)
    try:
        sent = do_forward(
            conversation,
            request.user,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
            message=one,
        )
    except ActionError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request,
            _("Forward to %(to)s scheduled: it leaves at %(time)s unless you undo it.")
            % {
                "to": sent.outbox.recipient,
                "time": timezone.localtime(sent.outbox.send_at).strftime("%H:%M:%S"),
            },
        )
    # A merged one (a stale tab) lives on in its target, where the refusal is read.
    return redirect("conversation", pk=conversation.merged_into_id or conversation.pk)
