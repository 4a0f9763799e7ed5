"""/api/v1/conversations: the inbox's list (its filter grammar and keyset pages), a
conversation with its thread, and the changes an agent makes, each through the action
the pages call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from calmdesk.api import schemas as s
from calmdesk.api.auth import READ, WRITE, ApiError
from calmdesk.api.models import ApiToken
from calmdesk.desk.access import conversation_or_404, visible_mailboxes
from calmdesk.desk.actions import (
    ActionError,
    Collision,
    do_add_note,
    do_add_tag,
    do_assign,
    do_change_status,
    do_remove_tag,
)
from calmdesk.desk.inbox import inbox_page, parse_filter
from calmdesk.desk.merge import do_merge_conversations
from calmdesk.desk.models import Conversation, Message, Tag
from calmdesk.desk.snooze import do_snooze, do_unsnooze
from calmdesk.empathy.actions import do_close_draft
from calmdesk.empathy.coach import Coaching, coach_draft, coach_first_message
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.compose import do_start_conversation

router = Router(tags=["conversations"])
# Without ``if_unchanged_since`` a reply is refused when someone else wrote this recently.
QUIET_BEFORE_REPLY = timedelta(minutes=1)
MAX_LIMIT = 100


def conversation_out(c: Conversation) -> dict:
    tags = getattr(c, "tag_list", None)
    return {
        "id": c.pk,
        "subject": c.subject,
        "status": c.status,
        "snoozed_until": c.snoozed_until,
        "mailbox_id": c.mailbox_id,
        "customer_id": c.customer_id,
        "assignee": c.assignee.username if c.assignee_id and c.assignee else None,
        "tags": [t.name for t in (tags if tags is not None else c.tags.all())],
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "last_message_at": c.last_message_at,
        "waiting_since": c.waiting_since,
        "message_count": c.message_count,
    }


def message_out(m: Message) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "author": m.author.username if m.author_id and m.author else None,
        "customer_id": m.customer_id,
        "body_text": m.body_text,
        "created_at": m.created_at,
    }


def _detail(c: Conversation) -> dict:
    messages = c.messages.select_related("author").order_by("created_at", "id")
    return {**conversation_out(c), "messages": [message_out(m) for m in messages]}


def _refused(problem: ActionError) -> ApiError:
    return ApiError(400, "refused", str(problem))


@router.get("/conversations", response={200: s.ConversationPage, **s.ERRORS}, auth=READ)
def list_conversations(
    request: HttpRequest,
    q: str = Query("", max_length=1000, description="The inbox's filter grammar"),
    sort: str = Query("", pattern="^(|waiting|recent|care)$"),
    cursor: str = Query("", max_length=96),
    limit: int = Query(30, ge=1, le=MAX_LIMIT),
) -> dict:
    """Conversations in the inbox's order, filtered as the desk's search operators say
    (``status:pending tag:billing assignee:me mailbox:support from:maya``)."""
    params = {"q": q, "sort": sort, "after": cursor}
    f = parse_filter(request.user, {k: v for k, v in params.items() if v})  # type: ignore[arg-type]
    if cursor and f.after is None:
        raise ApiError(422, "invalid", "The cursor is not valid for this sort.")
    rows, next_cursor = inbox_page(request.user, f, size=limit)  # type: ignore[arg-type]
    return {
        "items": [conversation_out(c) for c in rows],
        "next_cursor": next_cursor or None,
        "problems": [str(p) for p in f.problems],
    }


@router.get("/conversations/{pk}", response={200: s.ConversationDetail, **s.ERRORS}, auth=READ)
def read_conversation(request: HttpRequest, pk: int) -> dict:
    return _detail(conversation_or_404(request.user, pk))  # type: ignore[arg-type]


class _TokenSession:
    """What coach_draft needs of a request: the user and a session for the cool-down's
    start, kept in the token's row (a token has no session)."""

    def __init__(self, token: ApiToken) -> None:
        self.user = token.owner
        self.session = dict(token.cooldowns or {})


def _coach(token: ApiToken, check: Callable[[_TokenSession], Coaching], acknowledged: bool) -> None:
    """Run the coach as Send does (``check`` is coach_draft or coach_first_message on
    the token's session): a heated draft is 409 until acknowledged after its cool-down."""
    session = _TokenSession(token)
    coaching = check(session)
    if session.session != token.cooldowns:
        ApiToken.objects.filter(pk=token.pk).update(cooldowns=session.session)
        token.cooldowns = session.session
    if not coaching.heated or (acknowledged and not coaching.cooldown_left):
        return
    ends = timezone.now() + timedelta(seconds=coaching.cooldown_left)
    raise ApiError(
        409,
        "cooling_down" if acknowledged else "heated_reply",
        findings=[f.to_dict() for f in coaching.findings],
        cooldown_ends_at=ends.isoformat(),
    )


def _guard(conversation: Conversation, actor: User, since: datetime | None) -> int:
    """The collision guard: the id of the newest message the client is taken to have
    seen (do_send_reply refuses a teammate's message after it inside its lock)."""
    others = conversation.messages.exclude(author=actor)
    cutoff = since if since is not None else timezone.now() - QUIET_BEFORE_REPLY
    added = list(others.filter(created_at__gt=cutoff).values_list("pk", flat=True))
    if added:
        code = "conflict" if since is not None else "changed_recently"
        raise ApiError(409, code, added_message_ids=added)
    newest = conversation.messages.order_by("-id").values_list("pk", flat=True).first()
    return newest or 0


@router.post("/conversations/{pk}/reply", response={201: s.ReplyOut, **s.WRITE_ERRORS}, auth=WRITE)
def reply(request: HttpRequest, pk: int, payload: s.ReplyIn) -> Status[dict]:
    """A reply, as Send on the page: the coach reads it first (a heated draft is 409
    heated_reply until sent again with ``acknowledge_findings`` once the cool-down is
    over), then it waits the agent's undo window in the outbox."""
    actor: User = request.user  # type: ignore[assignment]
    conversation = conversation_or_404(actor, pk)
    if conversation.customer.erased_at is not None:
        raise ApiError(400, "refused", "This customer was erased; there is nobody to reply to.")
    seen = _guard(conversation, actor, payload.if_unchanged_since)
    _coach(
        request.auth,  # type: ignore[attr-defined]
        lambda session: coach_draft(session, conversation, payload.body),  # type: ignore[arg-type]
        payload.acknowledge_findings,
    )
    try:
        sent = do_send_reply(
            conversation, actor, payload.body, seen_up_to=seen, then_status=payload.then_status
        )
    except Collision as collision:
        raise ApiError(
            409, "conflict", str(collision), added_message_ids=[m.pk for m in collision.added]
        ) from None
    except ActionError as problem:
        raise _refused(problem) from None
    do_close_draft(conversation, actor, sent)
    return Status(201, {**message_out(sent), "send_at": sent.outbox.send_at})


@router.post("/conversations", response={201: s.NewConversationOut, **s.WRITE_ERRORS}, auth=WRITE)
def start_conversation(request: HttpRequest, payload: s.NewConversationIn) -> Status[dict]:
    """Write to a customer first, as New conversation on the desk: the coach reads the
    message as it reads a reply (409 heated_reply, then ``acknowledge_findings`` after the
    cool-down), the conversation is the agent's, and the message waits their undo window."""
    actor: User = request.user  # type: ignore[assignment]
    mailbox = visible_mailboxes(actor).filter(pk=payload.mailbox_id).first()
    if mailbox is None:
        raise ApiError(404, "not_found")
    _coach(
        request.auth,  # type: ignore[attr-defined]
        lambda session: coach_first_message(session, mailbox, payload.body),  # type: ignore[arg-type]
        payload.acknowledge_findings,
    )
    try:
        sent = do_start_conversation(
            mailbox,
            actor,
            to=payload.to,
            subject=payload.subject,
            body=payload.body,
            cc=payload.cc,
            bcc=payload.bcc,
            then_status=payload.then_status,
        )
    except ActionError as problem:
        raise _refused(problem) from None
    conversation = Conversation.objects.select_related("assignee").get(pk=sent.conversation_id)
    message = {**message_out(sent), "send_at": sent.outbox.send_at}
    return Status(201, {"conversation": conversation_out(conversation), "message": message})


@router.post(
    "/conversations/{pk}/notes", response={201: s.MessageOut, **s.WRITE_ERRORS}, auth=WRITE
)
def add_note(request: HttpRequest, pk: int, payload: s.NoteIn) -> Status[dict]:
    conversation = conversation_or_404(request.user, pk)  # type: ignore[arg-type]
    try:
        note = do_add_note(conversation, request.user, payload.body)  # type: ignore[arg-type]
    except ActionError as problem:
        raise _refused(problem) from None
    return Status(201, message_out(note))


@router.post(
    "/conversations/{pk}/assign", response={200: s.ConversationOut, **s.WRITE_ERRORS}, auth=WRITE
)
def assign(request: HttpRequest, pk: int, payload: s.AssignIn) -> dict:
    actor: User = request.user  # type: ignore[assignment]
    conversation = conversation_or_404(actor, pk)
    assignee = None
    if payload.assignee:
        assignee = get_user_model().objects.filter(username=payload.assignee).first()
        if assignee is None:
            raise ApiError(400, "refused", "That person cannot take conversations of this mailbox.")
    try:
        return conversation_out(do_assign(conversation, actor, assignee))
    except ActionError as problem:
        raise _refused(problem) from None


@router.post(
    "/conversations/{pk}/status", response={200: s.ConversationOut, **s.WRITE_ERRORS}, auth=WRITE
)
def change_status(request: HttpRequest, pk: int, payload: s.StatusIn) -> dict:
    conversation = conversation_or_404(request.user, pk)  # type: ignore[arg-type]
    try:
        return conversation_out(do_change_status(conversation, request.user, payload.status))  # type: ignore[arg-type]
    except ActionError as problem:
        raise _refused(problem) from None


@router.post(
    "/conversations/{pk}/tags", response={200: s.ConversationOut, **s.WRITE_ERRORS}, auth=WRITE
)
def change_tags(request: HttpRequest, pk: int, payload: s.TagsIn) -> dict:
    actor: User = request.user  # type: ignore[assignment]
    conversation = conversation_or_404(actor, pk)
    try:
        for name in payload.add:
            do_add_tag(conversation, actor, name)
        # A merged conversation refuses a removal too (desk.actions.refuse_merged).
        for tag in Tag.objects.filter(name__in=[n.strip().lower() for n in payload.remove]):
            do_remove_tag(conversation, actor, tag)
    except ActionError as problem:
        raise _refused(problem) from None
    return conversation_out(conversation)


@router.post(
    "/conversations/{pk}/snooze", response={200: s.ConversationOut, **s.WRITE_ERRORS}, auth=WRITE
)
def snooze(request: HttpRequest, pk: int, payload: s.SnoozeIn) -> dict:
    actor: User = request.user  # type: ignore[assignment]
    conversation = conversation_or_404(actor, pk)
    try:
        if payload.until is None:
            return conversation_out(do_unsnooze(conversation, actor))
        return conversation_out(do_snooze(conversation, actor, payload.until))
    except ActionError as problem:
        raise _refused(problem) from None


@router.post(
    "/conversations/{pk}/merge", response={200: s.ConversationOut, **s.WRITE_ERRORS}, auth=WRITE
)
def merge(request: HttpRequest, pk: int, payload: s.MergeIn) -> dict:
    """Merge this conversation into ``into`` (both must be visible): its messages and
    events move there, as Merge on the page does (undone there, not here)."""
    actor: User = request.user  # type: ignore[assignment]
    source = conversation_or_404(actor, pk)
    target = conversation_or_404(actor, payload.into)
    try:
        return conversation_out(do_merge_conversations(source, target, actor))
    except ActionError as problem:
        raise _refused(problem) from None
