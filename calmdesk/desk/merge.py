"""Merging two conversations of one customer about one problem: the source's messages
and events move into the target, kept in time order, and the source stays behind as a
stub (``merged_into``) whose page redirects to the target, which no inbox lists and whose
mail (its subject token, its Message-IDs) lands in the target (``mail.threads``). Within
a minute the merge can be undone: the merge event records what moved, and the undo puts
each message and event back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from calmdesk.desk.access import visible_conversations
from calmdesk.desk.actions import (
    ActionError,
    _bump_folder,
    _event,
    _move_folder,
    can_work_in,
    changed,
    counters_of,
)
from calmdesk.desk.models import Conversation, Event, EventKind, Message, Status, folder_of

# How long a merge can be undone.
UNDO_MERGE = timedelta(seconds=60)
# The kept counters a merge changes and its undo puts back.
_COUNTERS = ("message_count", "customer_message_count", "waiting_since", "last_message_at")


def _stamp(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _counters(conversation: Conversation) -> dict[str, object]:
    return {name: _stamp(getattr(conversation, name)) for name in _COUNTERS}


def _unstamp(data: dict[str, object]) -> dict[str, object]:
    return {
        name: parse_datetime(value) if isinstance(value, str) else value
        for name, value in data.items()
    }


def merge_candidates(actor: User, conversation: Conversation) -> QuerySet[Conversation]:
    """What ``conversation`` can be merged into from its page: the customer's other
    conversations in its mailbox that the agent sees, newest first."""
    return (
        visible_conversations(actor)
        .filter(
            customer_id=conversation.customer_id,
            mailbox_id=conversation.mailbox_id,
            merged_into__isnull=True,
        )
        .exclude(pk=conversation.pk)
        .order_by("-last_message_at", "-id")
    )


def _lock_both(source: Conversation, target: Conversation) -> tuple[Conversation, Conversation]:
    # Always in id order, so two merges of the same pair the other way round cannot deadlock.
    rows = {
        c.pk: c
        for c in Conversation.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    return rows[source.pk], rows[target.pk]


def _check_mergeable(source: Conversation, target: Conversation, actor: User) -> None:
    if source.pk == target.pk:
        raise ActionError(_("A conversation cannot be merged into itself."))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ActionError(_("That conversation was merged already."))
    # Threading never crosses mailboxes, and replies leave from the mailbox's address:
    # a thread of two mailboxes would answer from the wrong one.
    if source.mailbox_id != target.mailbox_id:
        raise ActionError(_("Only conversations of the same mailbox can be merged."))
    # Replies go to the target's customer: another customer's thread would get their
    # answers. One person with two records is merged as customers first.
    if source.customer_id != target.customer_id:
        raise ActionError(
            _("Those are different customers. Merge the customers first, then the conversations.")
        )
    if not can_work_in(actor, source.mailbox_id):
        raise ActionError(_("You cannot work in this mailbox."))


@transaction.atomic
def do_merge_conversations(
    source: Conversation, target: Conversation, actor: User, *, now: datetime | None = None
) -> Conversation:
    """Move ``source``'s messages and events into ``target``; ``source`` becomes a stub
    that redirects to it. Returns the target."""
    now = now or timezone.now()
    given = source
    source, target = _lock_both(source, target)
    _check_mergeable(source, target, actor)
    messages = list(source.messages.values_list("pk", flat=True))
    events = list(source.events.values_list("pk", flat=True))
    tags = [t for t in source.tags.all() if not target.tags.filter(pk=t.pk).exists()]
    record = {
        "source": source.pk,
        "target": target.pk,
        "subject": source.subject,
        "messages": messages,
        "events": events,
        "tags": [t.pk for t in tags],
        "source_counters": _counters(source),
        "source_snoozed_until": _stamp(source.snoozed_until),
        "target_counters": _counters(target),
        "target_status": target.status,
    }
    changed(source.pk, target.pk)
    # Re-writing the body fires the search triggers, which file the text under the target.
    Message.objects.filter(pk__in=messages).update(conversation=target, body_text=F("body_text"))
    Event.objects.filter(pk__in=events).update(conversation=target)
    target.tags.add(*tags)
    _refolder(source, merged=True, snoozed_until=None)
    Conversation.objects.filter(pk=source.pk).update(
        merged_into=target,
        snoozed_until=None,
        message_count=0,
        customer_message_count=0,
        waiting_since=None,
        updated_at=now,
    )
    status = target.status
    if source.status == Status.ACTIVE and target.status in {Status.PENDING, Status.CLOSED}:
        status = Status.ACTIVE  # the source's customer waits: the result is open
    _recount(target, status, now)
    _event(target, EventKind.CONVERSATION_MERGE, actor, **record)
    _event(source, EventKind.CONVERSATION_MERGE, actor, source=source.pk, target=target.pk)
    given.refresh_from_db()
    target.refresh_from_db()
    return target


def _refolder(conversation: Conversation, *, merged: bool, snoozed_until: object) -> None:
    """Count ``conversation`` (locked) out of its folder and into the one it is in once
    merged (or no longer merged, with ``snoozed_until`` back)."""
    was = folder_of(
        conversation.status,
        conversation.snoozed_until,
        merged=conversation.merged_into_id is not None,
    )
    _bump_folder(conversation.mailbox_id, was, conversation.assignee_id, -1)
    now_in = folder_of(conversation.status, snoozed_until, merged=merged)
    _bump_folder(conversation.mailbox_id, now_in, conversation.assignee_id, +1)


def _recount(target: Conversation, status: str, now: datetime) -> None:
    """The target's counters from all its messages now, and its status."""
    recount = counters_of(
        target.messages.order_by("created_at", "id").values_list("kind", "created_at")
    )
    if status != target.status:
        _move_folder(target, status=status)
    waits = status in {Status.ACTIVE, Status.PENDING}
    Conversation.objects.filter(pk=target.pk).update(
        status=status,
        message_count=recount.message_count,
        customer_message_count=recount.customer_message_count,
        waiting_since=recount.waiting_since if waits else None,
        last_message_at=recount.last_message_at or target.last_message_at,
        updated_at=now,
    )


def undoable_merge(source: Conversation, now: datetime | None = None) -> Event | None:
    """The merge of ``source`` (a stub) that can still be undone: its record in the
    target, written less than a minute ago and not undone yet."""
    if source.merged_into_id is None:
        return None
    now = now or timezone.now()
    found = (
        Event.objects.filter(
            conversation_id=source.merged_into_id,
            kind=EventKind.CONVERSATION_MERGE,
            data__source=source.pk,
            created_at__gt=now - UNDO_MERGE,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return None if found is None or found.data.get("undone") else found


@transaction.atomic
def do_unmerge_conversations(
    source: Conversation, actor: User, *, now: datetime | None = None
) -> Conversation:
    """Undo the merge of ``source`` within a minute: each message and event it brought
    goes back, and both conversations are as they were (the target's counters recounted
    when a message came meanwhile). Returns the source."""
    now = now or timezone.now()
    given = source
    into = Conversation.objects.filter(pk=source.pk).values_list("merged_into", flat=True)
    if into.first() is None:
        raise ActionError(_("This conversation is not merged."))
    source, target = _lock_both(source, Conversation(pk=into.first()))
    changed(source.pk, target.pk)
    merge = undoable_merge(source, now) if source.merged_into_id == target.pk else None
    if merge is None:
        raise ActionError(_("A merge can be undone only within a minute."))
    if not can_work_in(actor, source.mailbox_id):
        raise ActionError(_("You cannot work in this mailbox."))
    data = merge.data
    moved = Message.objects.filter(pk__in=data["messages"], conversation=target)
    moved.update(conversation=source, body_text=F("body_text"))
    Event.objects.filter(pk__in=data["events"], conversation=target).update(conversation=source)
    target.tags.remove(*data["tags"])
    snoozed_until = parse_datetime(data["source_snoozed_until"] or "")
    _refolder(source, merged=False, snoozed_until=snoozed_until)
    Conversation.objects.filter(pk=source.pk).update(
        merged_into=None,
        snoozed_until=snoozed_until,
        updated_at=now,
        **_unstamp(data["source_counters"]),
    )
    _restore_target(target, data, now)
    Event.objects.filter(pk=merge.pk).update(data={**data, "undone": now.isoformat()})
    _event(target, EventKind.CONVERSATION_UNMERGE, actor, source=source.pk, target=target.pk)
    _event(source, EventKind.CONVERSATION_UNMERGE, actor, source=source.pk, target=target.pk)
    given.refresh_from_db()
    return given


def _restore_target(target: Conversation, data: dict, now: datetime) -> None:
    """The target's status and counters as before the merge; recounted instead when a
    message came into it meanwhile (it counts), and a status someone set since stays."""
    before = _unstamp(data["target_counters"])
    status = target.status
    if status != data["target_status"] and status == Status.ACTIVE:
        status = data["target_status"]  # the merge opened it; a status set since stays
    recount = counters_of(target.messages.values_list("kind", "created_at"))
    if recount.message_count == before["message_count"] and status == data["target_status"]:
        if status != target.status:
            _move_folder(target, status=status)
        Conversation.objects.filter(pk=target.pk).update(status=status, updated_at=now, **before)
    else:
        _recount(target, status, now)


@dataclass(frozen=True)
class MergeUndo:
    """An Undo the target's page offers: what came in, and until when."""

    source: int
    subject: str
    until: datetime


def undoable_merges(thread: Iterable[object], now: datetime) -> list[MergeUndo]:
    """The merges into this conversation that can still be undone, from the thread's
    events the page has loaded already (no query)."""
    found = []
    for item in thread:
        if not isinstance(item, Event) or item.kind != EventKind.CONVERSATION_MERGE:
            continue
        if item.data.get("target") != item.conversation_id or item.data.get("undone"):
            continue
        until = item.created_at + UNDO_MERGE
        if until > now:
            found.append(MergeUndo(item.data["source"], item.data.get("subject", ""), until))
    return found
