"""Every write to conversations, messages and customers goes through here (STYLE.md #3).
Views, the API, the mail ingest, the worker, the demo generator and the CLI call these;
nothing else calls ``.save()`` on a conversation or message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calmdesk.desk.models import (
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
)
from calmdesk.empathy.actions import do_read_message

# Sent inside the erasing transaction with ``customer`` and ``messages`` (a queryset of
# every message about to be deleted), so the mail app can remove the raw mail it keeps.
erasing_customer = Signal()


class ActionError(Exception):
    """A write that cannot happen, with a message fit to show the agent."""


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


# No savepoint of its own: callers (the mail ingest) run it inside their transaction, and
# a failure here must roll all of that back anyway. A savepoint is two more statements
# on every stored message.
@transaction.atomic(savepoint=False)
def do_receive_message(
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
    The returned message's ``conversation`` holds the counts and times just written."""
    when = received_at or timezone.now()
    opened = conversation is None
    if conversation is not None:
        # Locked and re-read, so the values computed below from it are the row's.
        conversation.refresh_from_db(from_queryset=Conversation.objects.select_for_update())
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
            last_message_at=when,
            waiting_since=when,
            customer_message_count=1,
            message_count=1,
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
        _count_message(conversation, when)
    # F1–F3: every customer message is read when it is stored; the engine is fast enough
    # to do it in the same transaction, so a stored message always has its reading.
    do_read_message(message)
    return message


def _count_message(conversation: Conversation, when: datetime) -> None:
    """One UPDATE for a customer's message into a locked, existing conversation. The
    customer waits from their oldest unanswered message; the latest message time only
    moves forward (imports may arrive out of order)."""
    conversation.customer_message_count += 1
    conversation.message_count += 1
    conversation.updated_at = timezone.now()
    if conversation.status != Status.SPAM:
        conversation.status = Status.ACTIVE
    if conversation.waiting_since is None:
        conversation.waiting_since = when
    if conversation.last_message_at < when:
        conversation.last_message_at = when
    Conversation.objects.filter(pk=conversation.pk).update(
        customer_message_count=F("customer_message_count") + 1,
        message_count=F("message_count") + 1,
        updated_at=conversation.updated_at,
        status=conversation.status,
        waiting_since=conversation.waiting_since,
        last_message_at=conversation.last_message_at,
    )


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


def _move_folder(
    conversation: Conversation, *, status: str | None = None, assignee_id: object = ...
) -> None:
    """Count ``conversation`` out of its folder and into the one it is moving to."""
    new_status = conversation.status if status is None else status
    new_assignee = conversation.assignee_id if assignee_id is ... else assignee_id
    _bump_folder(conversation.mailbox_id, conversation.status, conversation.assignee_id, -1)
    _bump_folder(conversation.mailbox_id, new_status, new_assignee, +1)  # type: ignore[arg-type]


@transaction.atomic
def recount_folders() -> None:
    """Rebuild every folder count from the conversations (after a bulk load or import)."""
    FolderCount.objects.all().delete()
    rows = Conversation.objects.values("mailbox_id", "status", "assignee_id").annotate(
        n=Count("id")
    )
    FolderCount.objects.bulk_create(
        FolderCount(
            mailbox_id=row["mailbox_id"],
            status=row["status"],
            assignee_key=row["assignee_id"] or 0,
            count=row["n"],
        )
        for row in rows
    )


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
    if user.is_superuser or (agent is not None and agent.is_admin):
        return True
    return agent is not None and agent.mailboxes.filter(pk=mailbox_id).exists()


@transaction.atomic
def do_assign(conversation: Conversation, actor: User, assignee: User | None) -> Conversation:
    """Give the conversation to ``assignee`` (a user), or to nobody with None."""
    if assignee is not None and not (
        assignee.is_active and can_work_in(assignee, conversation.mailbox_id)
    ):
        raise ActionError(_("%(name)s cannot see this mailbox.") % {"name": assignee})
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    new_id = assignee.pk if assignee is not None else None
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
    tag, _created = Tag.objects.get_or_create(name=clean_tag_name(name))
    if not conversation.tags.filter(pk=tag.pk).exists():
        conversation.tags.add(tag)
        _event(conversation, EventKind.TAG, actor, tag=tag.name)
    return tag


@transaction.atomic
def do_remove_tag(conversation: Conversation, actor: User, tag: Tag) -> None:
    if conversation.tags.filter(pk=tag.pk).exists():
        conversation.tags.remove(tag)
        _event(conversation, EventKind.UNTAG, actor, tag=tag.name)


@transaction.atomic
def do_add_note(conversation: Conversation, actor: User, body: str) -> Message:
    """An internal note: teammates see it, the customer never does."""
    if not body.strip():
        raise ActionError(_("The note is empty."))
    when = timezone.now()
    note = Message.objects.create(
        conversation=conversation,
        kind=MessageKind.NOTE,
        author=actor,
        body_text=body,
        created_at=when,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=F("message_count") + 1, updated_at=when
    )
    return note


# -- customers -------------------------------------------------------------------------


@transaction.atomic
def do_update_customer_notes(customer: Customer, actor: User, notes: str) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(notes=notes[:20000])
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
    conversations = list(Conversation.objects.select_for_update().filter(customer=customer))
    messages = Message.objects.filter(conversation__customer=customer)
    erasing_customer.send(sender=Customer, customer=customer, messages=messages)
    stored = [a.file.name for a in Attachment.objects.filter(message__in=messages) if a.file]
    raw_paths = _raw_mail_of(messages)
    removed_messages = messages.delete()[1].get("desk.Message", 0)
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
        storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
        for name in stored:
            storage.delete(name)
        _delete_raw_mail(raw_paths)

    transaction.on_commit(delete_files)
    return removed_messages


def _raw_mail_of(messages) -> set[str]:  # type: ignore[no-untyped-def]
    """Paths of the raw mail the messages arrived in (the mail app's InboundMail rows go
    with the messages; the files they name must go too)."""
    try:
        inbound = apps.get_model("mail", "InboundMail")
    except LookupError:
        return set()
    return set(inbound.objects.filter(message__in=messages).values_list("raw_path", flat=True))


def _delete_raw_mail(paths: set[str]) -> None:
    if not paths:
        return
    inbound = apps.get_model("mail", "InboundMail")
    # Raw mail is stored by content: a file another message still names stays.
    still_used = set(inbound.objects.filter(raw_path__in=paths).values_list("raw_path", flat=True))
    root = Path(settings.RAW_MAIL_DIR).resolve()
    for relative in paths - still_used:
        target = (root / relative).resolve()
        if target.is_relative_to(root):
            target.unlink(missing_ok=True)


# F8: a reply can carry screenshots (and a screencast link in its text). Limits keep a
# reply deliverable: most mail servers refuse messages over 25 MB once encoded.
MAX_REPLY_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_REPLY_ATTACHMENTS_TOTAL = 15 * 1024 * 1024


def do_attach_to_reply(message: Message, uploads: list) -> list[Attachment]:  # type: ignore[type-arg]
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
            filename=name,
            content_type=(upload.content_type or "application/octet-stream")[:255],
            size=upload.size,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
