"""Every write to conversations, messages and customers goes through here (STYLE.md #3).
Views, the API, the receive action, the mail worker, the demo generator and the CLI call
these; nothing else calls ``.save()`` on a conversation or message. This is the help-desk
core: it knows nothing of the empathy layer or of mail (README, "Architecture")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Value, When
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from calmdesk.accounts.models import Capability
from calmdesk.desk import notices
from calmdesk.desk.models import (
    MERGED,
    SNOOZED,
    Attachment,
    Conversation,
    Customer,
    CustomerEmail,
    Event,
    EventKind,
    FolderCount,
    Mailbox,
    Message,
    MessageKind,
    Status,
    Tag,
    folder_of,
)
from calmdesk.desk.rows import update_rows
from calmdesk.desk.scrub import begin_secure_erasure
from calmdesk.desk.validation import visible_filename

# Sent inside the erasing transaction with ``customer`` and ``messages`` (a queryset of
# every message about to be deleted), so the layers above can remove what they keep of
# them (the mail app, the raw mail they arrived in).
erasing_customer = Signal()

# Sent inside the writing transaction with ``conversation_ids`` whose status, assignee,
# messages (a customer's, a reply) or readings changed, so the layers above can recount
# what they keep of them (the team's emotional load).
conversations_changed = Signal()


def changed(*conversation_ids: int) -> None:
    conversations_changed.send(sender=Conversation, conversation_ids=set(conversation_ids))


class ActionError(Exception):
    """A write that cannot happen, with a message fit to show the agent."""


NO_SUCH_ASSIGNEE = _lazy("That person cannot take conversations of this mailbox.")


@dataclass(frozen=True)
class Collision(ActionError):
    """A teammate wrote to the conversation after the agent loaded it."""

    added: tuple[Message, ...]

    def __str__(self) -> str:
        count = len(self.added)
        return ngettext(
            "A teammate added a message since you opened this conversation.",
            "A teammate added %(count)d messages since you opened this conversation.",
            count,
        ) % {"count": count}


class MergedAway(ActionError):
    """The conversation was merged into another (``target_id``): it takes no writes
    (a stale tab's reply, note, status, assignment, tag or snooze), which belong to the
    target now."""

    def __init__(self, target_id: int) -> None:
        self.target_id = target_id
        super().__init__(
            _("This conversation was merged into #%(number)d; nothing was changed. Carry on there.")
            % {"number": target_id}
        )


def refuse_merged(locked: Conversation) -> None:
    """Raise MergedAway if ``locked`` (read under its row lock, as a merge takes it) was
    merged into another conversation."""
    if locked.merged_into_id is not None:
        raise MergedAway(locked.merged_into_id)


def find_or_create_customer(email: str, name: str = "") -> Customer:
    address = email.strip().lower()
    # Addresses are stored lowercased, so the exact lookup (on the unique index) finds
    # almost everyone; the case-insensitive one, a scan, only runs for a new address or
    # one an admin typed with capitals.
    emails = CustomerEmail.objects.select_related("customer")
    exact = list(emails.filter(email=address)[:1])  # unique: no ORDER BY, unlike first()
    existing = exact[0] if exact else emails.filter(email__iexact=address).first()
    if existing is not None:
        customer = existing.customer
        while customer.merged_into_id is not None:
            customer = customer.merged_into  # type: ignore[assignment]
        return customer
    customer = Customer.objects.create(name=name.strip()[:200])
    CustomerEmail.objects.create(customer=customer, email=address)
    return customer


# No savepoint of its own: callers (the receive action) run it inside their transaction,
# and a failure here must roll all of that back anyway. A savepoint is two more statements
# on every stored message.
@transaction.atomic(savepoint=False)
def do_store_customer_message(
    *,
    mailbox: Mailbox,
    customer: Customer,
    text: str,
    subject: str = "",
    html: str = "",
    analysis_text: str | None = None,
    message_id: str = "",
    received_at: datetime | None = None,
    conversation: Conversation | None = None,
) -> Message:
    """Store a customer's message, opening a conversation unless one is given. A message
    into a closed or pending conversation makes it active again: the customer waits.
    The returned message's ``conversation`` holds the counts and times just written.
    Nothing reads the message here: ``calmdesk.receive.do_receive_message`` does both."""
    when = received_at or timezone.now()
    opened = conversation is None
    if conversation is not None:
        # Locked and re-read, so the values computed below from it are the row's.
        conversation.refresh_from_db(from_queryset=Conversation.objects.select_for_update())
        if conversation.snoozed_until is not None:
            # The customer wrote: a snooze ends (imported here: snooze builds on this module).
            from calmdesk.desk.snooze import wake

            wake(conversation, when)
        if conversation.status not in {Status.ACTIVE, Status.SPAM}:
            _move_folder(conversation, status=Status.ACTIVE)
    else:
        # Opened by this message, so born with its counts: no UPDATE after the INSERT.
        conversation = Conversation.objects.create(
            mailbox=mailbox,
            customer=customer,
            subject=subject[:500],
            status=Status.ACTIVE,
            created_at=when,
            updated_at=timezone.now(),
            **counters_of([(MessageKind.CUSTOMER, when)]).fields(),
        )
        _bump_folder(conversation.mailbox_id, Status.ACTIVE, None, +1)
    message = Message.objects.create(
        conversation=conversation,
        kind=MessageKind.CUSTOMER,
        customer=customer,
        body_text=text,
        body_html=html,
        analysis_text=text if analysis_text is None else analysis_text,
        message_id=message_id[:998],
        created_at=when,
    )
    if not opened:
        if conversation.status != Status.SPAM:
            conversation.status = Status.ACTIVE
            notices.notify_customer_replied(conversation, customer, text)
        count_message(conversation, MessageKind.CUSTOMER, when, status=conversation.status)
    return message


# -- conversation counters -------------------------------------------------------------
# What a conversation keeps about its messages so the inbox never counts them: how many
# (all, and the customer's), since when the customer waits (their oldest unanswered
# message; a reply ends the wait) and when the latest customer message or reply came (a
# note is not a message the customer sees). ``counters_of`` says it from scratch;
# ``count_message`` keeps it one message at a time. A test checks that they agree.


@dataclass(frozen=True)
class Counters:
    message_count: int = 0
    customer_message_count: int = 0
    waiting_since: datetime | None = None
    last_message_at: datetime | None = None

    def fields(self) -> dict[str, object]:
        return {
            "message_count": self.message_count,
            "customer_message_count": self.customer_message_count,
            "waiting_since": self.waiting_since,
            "last_message_at": self.last_message_at,
        }


# What the customer has seen: the latest of these is the conversation's latest time.
LATEST_KINDS = frozenset({MessageKind.CUSTOMER, MessageKind.REPLY})


def counters_of(messages: Iterable[tuple[str, datetime]]) -> Counters:
    """The counters of a conversation whose messages (kind, time) came in this order."""
    total = customer = 0
    waiting: datetime | None = None
    latest: datetime | None = None
    for kind, when in messages:
        if kind in (MessageKind.WITHDRAWN, MessageKind.FORWARD):
            # Taken back before it left, or sent to someone else: the customer never saw it.
            continue
        total += 1
        if kind == MessageKind.CUSTOMER:
            customer += 1
            waiting = waiting or when
        elif kind == MessageKind.REPLY:
            waiting = None
        elif kind == MessageKind.FAILED:
            # It answered nobody: the team owes an answer since then at the latest.
            waiting = waiting or when
        if kind in LATEST_KINDS and (latest is None or latest < when):
            latest = when
    return Counters(total, customer, waiting, latest)


def count_message(
    conversation: Conversation,
    kind: str,
    when: datetime,
    *,
    now: datetime | None = None,
    **changes: object,
) -> None:
    """Count a just-stored message of ``kind`` into the conversation's counters: one
    UPDATE (with ``changes`` to other fields), and ``conversation`` holds the new values.
    For a customer's message or a reply the caller holds the row's lock (the wait and the
    latest time are computed from it); a note only adds to the counts. Imports may bring
    messages out of order: the latest time only moves forward."""
    now = now or timezone.now()
    if kind == MessageKind.REPLY:
        changed(conversation.pk)  # a customer's message weighs once it is read (empathy)
    conversation.message_count += 1
    conversation.updated_at = now
    changes.update(message_count=F("message_count") + 1, updated_at=now)
    if kind == MessageKind.CUSTOMER:
        conversation.customer_message_count += 1
        conversation.waiting_since = conversation.waiting_since or when
        changes.update(
            customer_message_count=F("customer_message_count") + 1,
            waiting_since=conversation.waiting_since,
        )
    elif kind == MessageKind.REPLY:
        conversation.waiting_since = None
        changes["waiting_since"] = None
    if kind in LATEST_KINDS and conversation.last_message_at < when:
        conversation.last_message_at = when
        changes["last_message_at"] = when
    Conversation.objects.filter(pk=conversation.pk).update(**changes)


# -- taking a reply back ---------------------------------------------------------------


@dataclass(frozen=True)
class ConversationState:
    """What sending a reply may change besides the counters (its "then set" status, an
    assignment), kept with the reply so that taking it back puts them back."""

    status: str
    assignee_id: int | None
    waiting: bool  # whether a customer waited for an answer

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationState:
        return cls(
            conversation.status, conversation.assignee_id, conversation.waiting_since is not None
        )

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "assignee_id": self.assignee_id, "waiting": self.waiting}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ConversationState:
        assignee = data.get("assignee_id")
        return cls(
            str(data["status"]),
            assignee if isinstance(assignee, int) else None,
            bool(data.get("waiting")),
        )


@transaction.atomic
def do_withdraw_reply(
    reply: Message,
    actor: User,
    *,
    before: ConversationState | None,
    after: ConversationState | None,
    now: datetime | None = None,
) -> Conversation:
    """A reply the customer never got (an undone send) stops counting, and what its send
    changed goes back: ``before`` is the conversation as the send found it, ``after`` as
    the send left it. A status or assignee someone changed since is theirs and stays; the
    wait and the latest time are recounted from the messages that remain, so a customer
    message that came meanwhile keeps its place. Without the states (a reply written
    before they were kept) only the counters are put back."""
    locked = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
    if not Message.objects.filter(pk=reply.pk, kind=MessageKind.REPLY).update(
        kind=MessageKind.WITHDRAWN
    ):
        return locked  # already taken back
    changed(locked.pk)
    status, assignee_id = locked.status, locked.assignee_id
    if before is not None and after is not None:
        status = before.status if locked.status == after.status else locked.status
        if locked.assignee_id == after.assignee_id:
            assignee_id = before.assignee_id
    recount = counters_of(locked.messages.order_by("id").values_list("kind", "created_at"))
    # Someone waited before the send, or writes meanwhile: the wait is the recount's. A
    # wait that closing cleared stays cleared, as it would have without the reply.
    was_waiting = before.waiting if before is not None else True
    waits = (was_waiting or locked.waiting_since is not None) and status in {
        Status.ACTIVE,
        Status.PENDING,
    }
    if status != locked.status or assignee_id != locked.assignee_id:
        _move_folder(locked, status=status, assignee_id=assignee_id)
    Conversation.objects.filter(pk=locked.pk).update(
        status=status,
        assignee_id=assignee_id,
        message_count=F("message_count") - 1,
        waiting_since=recount.waiting_since if waits else None,
        last_message_at=recount.last_message_at or locked.last_message_at,
        updated_at=now or timezone.now(),
    )
    locked.refresh_from_db()
    return locked


def _recount_wait(locked: Conversation, status: str, now: datetime | None) -> None:
    """Move ``locked`` to ``status`` with the wait and latest time its messages say."""
    recount = counters_of(locked.messages.order_by("id").values_list("kind", "created_at"))
    if status != locked.status:
        _move_folder(locked, status=status)
    Conversation.objects.filter(pk=locked.pk).update(
        status=status,
        waiting_since=recount.waiting_since,
        last_message_at=recount.last_message_at or locked.last_message_at,
        updated_at=now or timezone.now(),
    )
    locked.refresh_from_db()


@transaction.atomic
def do_mark_reply_failed(reply: Message, *, now: datetime | None = None) -> Conversation:
    """A reply the mail server refused for good answered nobody: the conversation is
    active again and waits since the customer's oldest unanswered message (or the failed
    reply), so it comes back to the top of the inbox. Spam stays spam."""
    locked = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
    if Message.objects.filter(pk=reply.pk, kind=MessageKind.REPLY).update(kind=MessageKind.FAILED):
        status = locked.status if locked.status == Status.SPAM else Status.ACTIVE
        _recount_wait(locked, status, now)
    return locked


@transaction.atomic
def do_mark_reply_retried(reply: Message, *, now: datetime | None = None) -> Conversation:
    """A failed reply sent again: it answers the customer once more (until it fails)."""
    locked = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
    if Message.objects.filter(pk=reply.pk, kind=MessageKind.FAILED).update(kind=MessageKind.REPLY):
        _recount_wait(locked, locked.status, now)
    return locked


# -- folder counts ---------------------------------------------------------------------


def _bump_folder(mailbox_id: int, status: str, assignee_id: int | None, delta: int) -> None:
    key = {"mailbox_id": mailbox_id, "status": status, "assignee_key": assignee_id or 0}
    if FolderCount.objects.filter(**key).update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():
            FolderCount.objects.create(**key, count=delta)
    except IntegrityError:  # another process created the row first
        FolderCount.objects.filter(**key).update(count=F("count") + delta)


def bump_folders(deltas: dict[tuple[int, str, int | None], int]) -> None:
    """Count a bulk write's conversations into or out of their (mailbox, folder,
    assignee) folders, in one order so two writers never wait on each other (an import)."""
    for (mailbox_id, folder, assignee_id), delta in sorted(deltas.items(), key=repr):
        if delta:
            _bump_folder(mailbox_id, folder, assignee_id, delta)


def _move_folder(
    conversation: Conversation, *, status: str | None = None, assignee_id: object = ...
) -> None:
    """Count ``conversation`` out of its folder and into the one it is moving to."""
    changed(conversation.pk)
    new_status = conversation.status if status is None else status
    new_assignee = conversation.assignee_id if assignee_id is ... else assignee_id
    snoozed = conversation.snoozed_until
    merged = conversation.merged_into_id is not None
    _bump_folder(
        conversation.mailbox_id,
        folder_of(conversation.status, snoozed, merged=merged),
        conversation.assignee_id,
        -1,
    )
    new_folder = folder_of(new_status, snoozed, merged=merged)
    _bump_folder(conversation.mailbox_id, new_folder, new_assignee, +1)  # type: ignore[arg-type]


def counted_folders() -> dict[tuple[int, str, int], int]:
    """How many conversations each (mailbox, folder, assignee key) holds, counted from the
    table: what the kept counts must equal (recount_folders, the doctor's DR08)."""
    folder = Case(
        When(merged_into__isnull=False, then=Value(MERGED)),
        When(status=Status.ACTIVE, snoozed_until__isnull=False, then=Value(SNOOZED)),
        default=F("status"),
    )
    rows = (
        Conversation.objects.annotate(folder=folder)
        .values("mailbox_id", "folder", "assignee_id")
        .annotate(n=Count("id"))
    )
    return {(r["mailbox_id"], r["folder"], r["assignee_id"] or 0): r["n"] for r in rows}


@transaction.atomic
def recount_folders() -> None:
    """Rebuild every folder count from the conversations (after a bulk load or import)."""
    FolderCount.objects.all().delete()
    FolderCount.objects.bulk_create(
        FolderCount(mailbox_id=mailbox_id, status=folder, assignee_key=assignee_key, count=n)
        for (mailbox_id, folder, assignee_key), n in counted_folders().items()
    )


def kept_counters_differ(stored: Counters, recount: Counters) -> bool:
    """Whether a conversation's kept counters disagree with a recount of its messages.
    A wait the recount sees may have been cleared by closing (and stays cleared when
    reopened), and an erased conversation keeps its last time, so those are no fault."""
    return (
        stored.message_count != recount.message_count
        or stored.customer_message_count != recount.customer_message_count
        or (recount.waiting_since is None and stored.waiting_since is not None)
        or (
            recount.last_message_at is not None
            and stored.last_message_at != recount.last_message_at
        )
    )


@transaction.atomic
def recount_conversation(conversation_id: int) -> Counters:
    """Rebuild one conversation's counters from its messages (``calmdesk doctor --fix``),
    changing only what ``kept_counters_differ`` calls a fault."""
    locked = Conversation.objects.select_for_update().get(pk=conversation_id)
    recount = counters_of(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("created_at", "id")
        .values_list("kind", "created_at")
    )
    changes: dict[str, object] = {
        "message_count": recount.message_count,
        "customer_message_count": recount.customer_message_count,
    }
    if recount.waiting_since is None:
        changes["waiting_since"] = None
    if recount.last_message_at is not None:
        changes["last_message_at"] = recount.last_message_at
    Conversation.objects.filter(pk=locked.pk).update(**changes)
    return recount


# -- changing a conversation -----------------------------------------------------------


def _event(conversation: Conversation, kind: str, actor: User, **data: object) -> Event:
    return Event.objects.create(
        conversation=conversation, kind=kind, actor=actor, data=data, created_at=timezone.now()
    )


class StatusConflict(ActionError):
    """The status changed under the agent: their change is not applied."""


@transaction.atomic
def do_change_status(
    conversation: Conversation, actor: User, status: str, *, seen_status: str | None = None
) -> Conversation:
    """Move a conversation to ``status``. ``seen_status`` is the status the agent had on
    screen: if a teammate changed it meanwhile, nothing is changed and StatusConflict says
    what it is now."""
    if status not in Status.values:
        raise ActionError(_("“%(status)s” is not a status.") % {"status": status})
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    refuse_merged(locked)
    if seen_status is not None and locked.status != seen_status:
        raise StatusConflict(
            _(
                "A teammate changed the status to “%(now)s” while you were looking. "
                "Nothing was changed."
            )
            % {"now": locked.get_status_display()}
        )
    if locked.status != status:
        _move_folder(locked, status=status)
        changes: dict[str, object] = {"status": status, "updated_at": timezone.now()}
        if status in {Status.CLOSED, Status.SPAM}:
            changes["waiting_since"] = None  # nobody is waiting on a closed conversation
        Conversation.objects.filter(pk=locked.pk).update(**changes)
        _event(locked, EventKind.STATUS, actor, old=locked.status, new=status)
    conversation.refresh_from_db()
    return conversation


def can_work_in(user: User, mailbox_id: int) -> bool:
    agent = getattr(user, "agent", None)
    if user.is_superuser or (agent is not None and agent.can(Capability.SEE_EVERY_MAILBOX)):
        return True
    return agent is not None and agent.mailboxes.filter(pk=mailbox_id).exists()


def may_reassign_anyone(user: User) -> bool:
    agent = getattr(user, "agent", None)
    return user.is_superuser or (agent is not None and agent.can(Capability.REASSIGN_ANYONE))


@transaction.atomic
def do_assign(conversation: Conversation, actor: User, assignee: User | None) -> Conversation:
    """Give the conversation to ``assignee`` (a user), or to nobody with None."""
    if assignee is not None and not (
        assignee.is_active and can_work_in(assignee, conversation.mailbox_id)
    ):
        # The same words as for an id that names nobody: an answer must not tell who exists.
        raise ActionError(NO_SUCH_ASSIGNEE)
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    refuse_merged(locked)
    new_id = assignee.pk if assignee is not None else None
    if locked.assignee_id not in (None, actor.pk, new_id) and not may_reassign_anyone(actor):
        # An agent takes what nobody holds and hands on their own; a teammate's
        # conversation is theirs until they (or a lead) hand it on.
        raise ActionError(_("Only a lead or an admin can take a conversation from a teammate."))
    if locked.assignee_id != new_id:
        _move_folder(locked, assignee_id=new_id)
        Conversation.objects.filter(pk=locked.pk).update(
            assignee_id=new_id, updated_at=timezone.now()
        )
        _event(
            locked,
            EventKind.ASSIGN,
            actor,
            old=locked.assignee_id,
            new=new_id,
            name=str(getattr(assignee, "agent", assignee)) if assignee is not None else "",
        )
        if assignee is not None:
            notices.notify_assigned(locked, actor, assignee)
    conversation.refresh_from_db()
    return conversation


def clean_tag_name(name: str) -> str:
    cleaned = " ".join(name.split()).lower()
    if not cleaned:
        raise ActionError(_("A tag needs a name."))
    if len(cleaned) > 50:
        raise ActionError(_("A tag name has at most 50 characters."))
    return cleaned


@transaction.atomic
def do_add_tag(conversation: Conversation, actor: User, name: str) -> Tag:
    refuse_merged(Conversation.objects.select_for_update().get(pk=conversation.pk))
    tag, _created = Tag.objects.get_or_create(name=clean_tag_name(name))
    if not conversation.tags.filter(pk=tag.pk).exists():
        conversation.tags.add(tag)
        _event(conversation, EventKind.TAG, actor, tag=tag.name)
    return tag


@transaction.atomic
def do_remove_tag(conversation: Conversation, actor: User, tag: Tag) -> None:
    refuse_merged(Conversation.objects.select_for_update().get(pk=conversation.pk))
    if conversation.tags.filter(pk=tag.pk).exists():
        conversation.tags.remove(tag)
        _event(conversation, EventKind.UNTAG, actor, tag=tag.name)


@transaction.atomic
def do_add_note(conversation: Conversation, actor: User, body: str) -> Message:
    """An internal note: teammates see it, the customer never does."""
    if not body.strip():
        raise ActionError(_("The note is empty."))
    refuse_merged(Conversation.objects.select_for_update().get(pk=conversation.pk))
    when = timezone.now()
    note = Message.objects.create(
        conversation=conversation,
        kind=MessageKind.NOTE,
        author=actor,
        body_text=body,
        created_at=when,
    )
    count_message(conversation, MessageKind.NOTE, when, now=when)
    notices.notify_mentions(note, actor)
    return note


def do_set_priority_score(conversation: Conversation, score: float) -> None:
    """Where the conversation sorts in the "needs care first" order, higher first. The
    core keeps and sorts by the number; the layer that computes it says what it means
    (calmdesk.empathy.actions: what is at stake, then how heated the customer is)."""
    Conversation.objects.filter(pk=conversation.pk).update(priority_score=score)
    conversation.priority_score = score


def do_set_priority_scores(scores: dict[int, float]) -> None:
    """``do_set_priority_score`` for many conversations (by id) in one statement run over
    them all (an import's batch: one UPDATE a conversation was a tenth of it)."""
    rows = [Conversation(pk=pk, priority_score=score) for pk, score in sorted(scores.items())]
    update_rows(Conversation, rows, ["priority_score"])


# -- customers -------------------------------------------------------------------------


@transaction.atomic
def do_update_customer_notes(customer: Customer, actor: User, notes: str) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(notes=notes[:20000])
    customer.refresh_from_db()
    return customer


# What an integration may change of a customer (the API's PATCH): their own record, never
# their addresses (mail threads by them) nor a merge.
CUSTOMER_ATTRIBUTES = ("name", "website", "plan", "monthly_revenue", "revenue_currency", "notes")


@transaction.atomic
def do_update_customer(customer: Customer, actor: User, **changes: object) -> Customer:
    """Set some of ``CUSTOMER_ATTRIBUTES``; a value the model refuses is an ActionError
    and nothing is changed."""
    if customer.erased_at is not None:
        raise ActionError(_("This customer was erased."))
    unknown = set(changes) - set(CUSTOMER_ATTRIBUTES)
    if unknown:
        raise ActionError(_("Unknown field: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    try:
        locked.full_clean(exclude=["organisation", "merged_into"])
    except ValidationError as error:
        raise ActionError(" ".join(m for ms in error.message_dict.values() for m in ms)) from None
    locked.save(update_fields=list(changes))
    customer.refresh_from_db()
    return customer


@transaction.atomic
def do_merge_customers(source: Customer, target: Customer, actor: User) -> Customer:
    """Fold ``source`` into ``target``: their addresses and conversations move over, and
    mail from any of the addresses lands with ``target`` from now on."""
    if source.pk == target.pk:
        raise ActionError(_("A customer cannot be merged with themselves."))
    if source.erased_at or target.erased_at:
        raise ActionError(_("An erased customer cannot be merged."))
    moved = list(source.conversations.values_list("pk", flat=True))
    CustomerEmail.objects.filter(customer=source).update(customer=target)
    Conversation.objects.filter(customer=source).update(customer=target)
    Message.objects.filter(customer=source).update(customer=target)
    for field in ("website", "plan"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    if target.organisation_id is None:
        target.organisation_id = source.organisation_id
    if source.notes:
        target.notes = "\n\n".join(part for part in (target.notes, source.notes) if part)
    target.name = target.name or source.name
    target.save()
    Customer.objects.filter(pk=source.pk).update(merged_into=target)
    # Re-writing the body fires the search triggers, which re-read the customer's names.
    Message.objects.filter(conversation_id__in=moved).update(body_text=F("body_text"))
    for conversation in Conversation.objects.filter(pk__in=moved):
        _event(conversation, EventKind.MERGE, actor, source=source.pk, target=target.pk)
    return target


@transaction.atomic
def do_erase_customer(customer: Customer, actor: User) -> int:
    """A data-protection erasure: every message of the customer's conversations, their
    attachments and raw mail go; the conversations stay, closed and without a subject, each
    with an audit event naming who erased and when. Returns the number of messages removed."""
    if customer.erased_at is not None:
        raise ActionError(_("This customer was already erased."))
    begin_secure_erasure()
    conversations = list(Conversation.objects.select_for_update().filter(customer=customer))
    messages = Message.objects.filter(conversation__customer=customer)
    erasing_customer.send(sender=Customer, customer=customer, messages=messages)
    stored = [a.file.name for a in Attachment.objects.filter(message__in=messages) if a.file]
    removed_messages = messages.delete()[1].get("desk.Message", 0)
    changed(*(c.pk for c in conversations))
    notices.forget(conversations)  # notifications (and their mails) quoting the customer
    for conversation in conversations:
        if conversation.status != Status.CLOSED:
            _move_folder(conversation, status=Status.CLOSED)
        _event(conversation, EventKind.ERASE, actor, messages=removed_messages)
    Conversation.objects.filter(customer=customer).update(
        subject="",
        status=Status.CLOSED,
        waiting_since=None,
        message_count=0,
        customer_message_count=0,
        updated_at=timezone.now(),
    )
    customer.emails.all().delete()
    Customer.objects.filter(pk=customer.pk).update(
        name="", website="", plan="", notes="", organisation=None, erased_at=timezone.now()
    )
    customer.refresh_from_db()

    def delete_files() -> None:
        storage = Attachment._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return removed_messages


@dataclass(frozen=True)
class ReceivedFile:
    """A file that came with a customer's message (an importer or the mail ingest says
    what it is; the desk only stores it)."""

    filename: str
    content_type: str
    payload: bytes
    content_id: str = ""
    inline: bool = False


def do_attach_received(message: Message, files: Iterable[ReceivedFile]) -> list[Attachment]:
    """Store the files of a just-received customer message. Call inside the transaction
    that stored the message. Files are written before the commit: a rollback leaves them
    unreferenced (never a row pointing at a missing file), the cheaper failure to have."""
    return [
        Attachment.objects.create(
            message=message,
            filename=visible_filename(part.filename or "attachment"),
            content_type=part.content_type,
            size=len(part.payload),
            file=ContentFile(part.payload, name=part.filename or "attachment"),
            content_id=part.content_id,
            inline=part.inline,
        )
        for part in files
    ]


def do_mark_bouncing(addresses: Iterable[str]) -> int:
    """Mail to these addresses bounced: the customer page says so. Returns how many."""
    return CustomerEmail.objects.filter(email__in=list(addresses)).update(bouncing=True)


# F8: a reply can carry screenshots (and a screencast link in its text). Limits keep a
# reply deliverable: most mail servers refuse messages over 25 MB once encoded.
MAX_REPLY_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_REPLY_ATTACHMENTS_TOTAL = 15 * 1024 * 1024


def do_attach_to_reply(message: Message, uploads: list) -> list[Attachment]:
    """Store files the agent attached to a reply. Call inside the transaction that wrote
    the reply, so the worker never sends the reply without them."""
    if message.kind != MessageKind.REPLY:
        raise ActionError(_("Only replies carry the agent's attachments."))
    total = sum(upload.size for upload in uploads)
    if any(upload.size > MAX_REPLY_ATTACHMENT_BYTES for upload in uploads):
        raise ActionError(_("An attachment is larger than 10 MB; share a link instead."))
    if total > MAX_REPLY_ATTACHMENTS_TOTAL:
        raise ActionError(_("The attachments add up to more than 15 MB; share a link instead."))
    stored = []
    for upload in uploads:
        name = Path(upload.name or "attachment").name[:255] or "attachment"
        attachment = Attachment(
            message=message,
            filename=visible_filename(name),
            content_type=(upload.content_type or "application/octet-stream")[:255],
            size=upload.size,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
