from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.db.models import Max, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from calmdesk.accounts.models import Agent, Capability, roles_that_can
from calmdesk.desk.access import (
    SignedInRequest,
    agent_required,
    attachment_or_404,
    conversation_or_404,
    message_or_404,
    visible_conversations,
    visible_mailboxes,
)
from calmdesk.desk.actions import may_reassign_anyone
from calmdesk.desk.bulk import BULK_CHOICES
from calmdesk.desk.forms import NoteForm, ReplyForm
from calmdesk.desk.inbox import (
    FOLDERS,
    folder_counts,
    inbox_page,
    parse_filter,
    sorts_for,
    teammates,
)
from calmdesk.desk.merge import undoable_merges
from calmdesk.desk.models import (
    Conversation,
    Event,
    Message,
    MessageKind,
    Status,
    Tag,
)
from calmdesk.desk.saved_replies import saved_replies_for
from calmdesk.desk.saved_views import counted_views, saved_views_of
from calmdesk.desk.search import search as run_search
from calmdesk.desk.snooze import do_clear_woke, snooze_choices
from calmdesk.desk.validation import visible_filename
from calmdesk.desk.views.places import back_link, remember_place
from calmdesk.empathy.context import conversation_context
from calmdesk.mail.participants import reply_choices
from calmdesk.mail.sendstate import mark_send_problems, send_state_context

# Shown with each inbox and search row: the empathy layer's care row (the gauge).
ROW_RELATED = ("care",)
_SAFE_TYPE = re.compile(r"^[a-z0-9.+-]{1,60}/[a-z0-9.+-]{1,60}$")


@agent_required
def inbox(request: SignedInRequest) -> HttpResponse:
    f = parse_filter(request.user, request.GET)
    conversations, next_cursor = inbox_page(request.user, f, ROW_RELATED)
    mark_send_problems(conversations)
    remember_place(request, "inbox", f.params())
    mailboxes = list(visible_mailboxes(request.user))
    counts = folder_counts(request.user, f, [m.pk for m in mailboxes])
    context = {
        "f": f,
        "conversations": conversations,
        "next_cursor": next_cursor,
        "counts": counts,
        # The sidebar's people (who holds what here) and the agent's saved views.
        "teammates": teammates(request.user, f, counts),
        "saved_views": counted_views(request.user, saved_views_of(request.user), counts.rows),
        "current_query": f.where.query.text(),
        "mailboxes": mailboxes,
        "statuses": FOLDERS.items(),
        "sorts": sorts_for(f.status),
        "is_first_page": f.after is None,
        "bulk": BULK_CHOICES,
    }
    return render(request, "desk/inbox.html", context)


@agent_required
def search(request: SignedInRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:500]
    raw_before = request.GET.get("before", "")
    before = int(raw_before) if raw_before.isdigit() and len(raw_before) < 19 else None
    page = run_search(request.user, query, before=before, related=ROW_RELATED)
    if query:
        remember_place(
            request, "search", {"q": query, **({"before": raw_before} if before else {})}
        )
    context = {"query": query, "page": page, "conversations": page.conversations}
    return render(request, "desk/search.html", context)


def thread_of(conversation: Conversation, actor: User) -> list[Message | Event]:
    """Messages and events in the order they happened."""
    messages = list(
        conversation.messages.select_related(
            "author", "outbox", "customer", "reading"
        ).prefetch_related("attachments")
    )
    for message in messages:
        if message.kind in (
            MessageKind.REPLY,
            MessageKind.WITHDRAWN,
            MessageKind.FAILED,
            MessageKind.FORWARD,
        ):
            message.send_state = send_state_context(message, actor)  # type: ignore[attr-defined]
    events = list(conversation.events.select_related("actor"))
    items: list[Message | Event] = [*messages, *events]
    return sorted(
        items,
        key=lambda item: (item.created_at, 0 if hasattr(item, "body_text") else 1, item.pk),
    )


def last_copies(thread: list[Message | Event]) -> list[str]:
    """The Cc of the thread's latest reply (its outbox row is loaded already: no query)."""
    for item in reversed(thread):
        if isinstance(item, Message) and item.kind in (MessageKind.REPLY, MessageKind.FAILED):
            outbox = getattr(item, "outbox", None)
            return list(outbox.cc) if outbox is not None else []
    return []


def assignable_agents(conversation: Conversation) -> list[Agent]:
    return list(
        Agent.objects.filter(
            Q(mailboxes=conversation.mailbox_id)
            | Q(role__in=roles_that_can(Capability.SEE_EVERY_MAILBOX)),
            user__is_active=True,
        )
        .select_related("user")
        .distinct()
        .order_by("user__first_name", "user__username")
    )


def render_conversation(
    request: SignedInRequest,
    conversation: Conversation,
    *,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    collision: tuple[object, ...] = (),
    status: int = 200,
) -> HttpResponse:
    customer = conversation.customer
    others = list(
        visible_conversations(request.user)
        .filter(customer=customer, merged_into__isnull=True)
        .exclude(pk=conversation.pk)
        .select_related("care")
        .order_by("-last_message_at")[:10]
    )
    thread = thread_of(conversation, request.user)
    emails = list(customer.emails.order_by("id"))
    # A note refused elsewhere (posted to a conversation merged into this one) comes back.
    note_back = request.session.pop(f"calmdesk.note.{conversation.pk}", "")
    context = {
        "conversation": conversation,
        "back": back_link(request, conversation),
        "customer": customer,
        "emails": emails,
        "thread": thread,
        "latest_id": conversation.messages.aggregate(m=Max("id"))["m"] or 0,
        "others": others,
        # What this one can be merged into: the customer's others in its mailbox.
        "merge_into": [o for o in others if o.mailbox_id == conversation.mailbox_id],
        "merge_undo": undoable_merges(thread, timezone.now()),
        "saved_replies": saved_replies_for(conversation),
        "agents": assignable_agents(conversation),
        # An agent does not take a teammate's conversation (README, "Roles").
        "may_reassign": conversation.assignee_id in (None, request.user.pk)
        or may_reassign_anyone(request.user),
        "tags": list(conversation.tags.all()),
        "all_tags": Tag.objects.all()[:500],
        "statuses": Status.choices,
        # In the agent's time zone, which the middleware made current.
        "snooze_choices": snooze_choices(timezone.now(), timezone.get_current_timezone()),
        # Whom a reply may go to instead of the customer (one query; the choice shows
        # only when there is someone else).
        "reply_choices": reply_choices(conversation, [e.email for e in emails]),
        "reply_form": reply_form
        or ReplyForm(
            initial={
                "body": request.session.pop(f"calmdesk.draft.{conversation.pk}", ""),
                # Those the last reply copied are copied again unless the agent takes
                # them out.
                "cc": ", ".join(last_copies(thread)),
            }
        ),
        "note_form": note_form or NoteForm(initial={"body": note_back}),
        "collision": collision,
        "composer": "note"
        if note_back or (note_form is not None and not note_form.is_valid())
        else "reply",
        **conversation_context(
            conversation, request.user, [item for item in thread if isinstance(item, Event)]
        ),
    }
    return render(request, "desk/conversation.html", context, status=status)


@agent_required
def conversation(request: SignedInRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request.user, pk)
    if conversation.merged_into_id is not None:
        return redirect("conversation", pk=conversation.merged_into_id)  # lives on there
    do_clear_woke(conversation)  # opened: its "woke up" mark is seen
    return render_conversation(request, conversation)


@agent_required
def message_text(request: SignedInRequest, pk: int) -> HttpResponse:
    """The whole text of a message the conversation page shows cut ("Show all"), as
    plain text: no template, so even a huge body costs only its own size."""
    found = message_or_404(request.user, pk)
    response = HttpResponse(found.body_text, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@agent_required
def attachment(request: SignedInRequest, pk: int) -> FileResponse:
    found = attachment_or_404(request.user, pk)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = found.content_type.lower()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=visible_filename(found.filename) or "attachment",
        content_type=content_type if _SAFE_TYPE.match(content_type) else None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
