"""The kept emotional load: KeptLoad rows per agent, day (of the agent's time zone) and
conversation, so "Your day", Team health and the assignee picker read a few small rows
instead of the day's messages of the whole desk.

Why a conversation is counted again whole instead of adding to a per-agent figure: the
load is not a sum of events. A message counts for whoever holds its conversation *while
it is open*, so an assignment, a close or a reopen moves every message of the thread
between agents, on every day; a reply counts only on the agent's own day, so a change of
time zone moves it too. Adding and taking away deltas at each of those writes would have
to redo that rule in a dozen places. Instead, every write that can change a
conversation's facts (desk's ``conversations_changed``: a status, an assignee, a
message, a reading; an agent's time zone) marks the conversation in LoadToRecount inside
its own transaction, and the marked conversations are counted again from their own
messages (one rule, ``count_conversations``) before the next read and by a periodic job.
A committed change is always marked, so a read after it is exact; a conversation costs
a few rows to recount, so a read costs what was written since the last one, not the size
of the desk. ``do_rebuild_loads`` counts a range again whole (``calmdesk rollup``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from calmdesk.accounts.models import Agent
from calmdesk.desk.actions import conversations_changed
from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.jobs.registry import periodic
from calmdesk.team.load_rules import OPEN, hostile_messages, weight, zone_named
from calmdesk.team.models import KeptLoad, LoadToRecount

REPLY_KINDS = (MessageKind.REPLY, MessageKind.FAILED)
# Conversations counted again per transaction: a rebuild shows progress and holds no
# lock for long; the marks a read finds are usually far fewer.
BATCH = 500


def _mark(conversation_ids: Iterable[int]) -> None:
    rows = [LoadToRecount(conversation_id=pk) for pk in sorted(set(conversation_ids))]
    LoadToRecount.objects.bulk_create(rows, ignore_conflicts=True)


@receiver(conversations_changed)
def _conversations_changed(sender: object, conversation_ids: set[int], **kwargs: Any) -> None:
    _mark(conversation_ids)


@receiver(pre_save, sender=Agent)
def _note_zone_change(sender: object, instance: Agent, **kwargs: Any) -> None:
    before = Agent.objects.filter(pk=instance.pk).values_list("time_zone", flat=True).first()
    instance._load_zone_changed = before is not None and before != instance.time_zone  # type: ignore[attr-defined]


@receiver(post_save, sender=Agent)
def _zone_changed(sender: object, instance: Agent, **kwargs: Any) -> None:
    """A new time zone moves the agent's days: every conversation they count in, or
    replied in, is counted again."""
    if not getattr(instance, "_load_zone_changed", False):
        return
    held = KeptLoad.objects.filter(agent_id=instance.user_id).values_list(
        "conversation_id", flat=True
    )
    replied = Message.objects.filter(author_id=instance.user_id, kind__in=REPLY_KINDS)
    _mark({*held, *replied.values_list("conversation_id", flat=True)})


def zones_of(user_ids: Iterable[int]) -> dict[int, tzinfo]:
    """Each person's zone as ``load_rules.zone_of`` reads it (UTC without an agent profile)."""
    ids = set(user_ids)
    named = dict(Agent.objects.filter(user_id__in=ids).values_list("user_id", "time_zone"))
    return {pk: zone_named(named.get(pk, "UTC")) for pk in ids}


def count_conversations(conversation_ids: Iterable[int]) -> list[KeptLoad]:
    """The load rows of these conversations, counted from their messages: a hostile or
    distressed customer message (not imported) counts for whoever holds the open
    conversation, on the holder's day of it, and for each agent who replied in the
    conversation on the same day of their own zone as it."""
    ids = list(conversation_ids)
    hostile = list(hostile_messages().filter(conversation_id__in=ids).values_list(*_HOSTILE))
    if not hostile:
        return []
    with_hostile = {row[0] for row in hostile}
    holders = dict(
        Conversation.objects.filter(pk__in=with_hostile, status__in=OPEN)
        .exclude(assignee=None)
        .values_list("pk", "assignee_id")
    )
    replies = list(
        Message.objects.filter(
            conversation_id__in=with_hostile, kind__in=REPLY_KINDS, author__isnull=False
        ).values_list("conversation_id", "author_id", "created_at")
    )
    zones = zones_of({*holders.values(), *(author for _c, author, _t in replies)})
    replied: defaultdict[int, set[tuple[int, date]]] = defaultdict(set)
    for conversation_id, author_id, created in replies:
        replied[conversation_id].add((author_id, created.astimezone(zones[author_id]).date()))
    found: dict[tuple[int, date, int], KeptLoad] = {}
    for conversation_id, created, intensity, sentiment in hostile:
        points = weight(intensity or 0.0, float(sentiment or 0.0))
        handlers = {
            a for a, day in replied[conversation_id] if created.astimezone(zones[a]).date() == day
        }
        if conversation_id in holders:
            handlers.add(holders[conversation_id])
        for agent_id in handlers:
            day = created.astimezone(zones[agent_id]).date()
            row = found.setdefault(
                (agent_id, day, conversation_id),
                KeptLoad(
                    agent_id=agent_id,
                    day=day,
                    conversation_id=conversation_id,
                    points=0.0,
                    messages=0,
                ),
            )
            row.points += points
            row.messages += 1
    return [found[key] for key in sorted(found)]


_HOSTILE = ("conversation_id", "created_at", "reading__intensity", "reading__data__sentiment_score")


def _recount(conversation_ids: list[int]) -> int:
    KeptLoad.objects.filter(conversation_id__in=conversation_ids).delete()
    rows = count_conversations(conversation_ids)
    KeptLoad.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def do_recount_marked() -> int:
    """Count the marked conversations again and take their marks away; returns how many.
    On PostgreSQL a mark another process is counting is skipped (it is being done)."""
    done = 0
    while True:
        with transaction.atomic():
            marks = LoadToRecount.objects.order_by("conversation_id")
            if connection.features.has_select_for_update_skip_locked:
                marks = marks.select_for_update(skip_locked=True)
            ids = list(marks.values_list("conversation_id", flat=True)[:BATCH])
            if not ids:
                return done
            _recount(ids)
            LoadToRecount.objects.filter(conversation_id__in=ids).delete()
        done += len(ids)


@periodic("team.kept_load", every=timedelta(minutes=1))
def recount_marked(now: datetime) -> None:
    do_recount_marked()


def do_rebuild_loads(
    start: datetime,
    end: datetime,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Count again every conversation with a customer message in [start, end): its rows
    on every day are replaced, so running it twice gives the same rows. Returns the rows
    written; ``progress(done, total)`` is told after each batch, in conversations."""
    ids = sorted(
        set(
            Message.objects.filter(
                kind=MessageKind.CUSTOMER, created_at__gte=start, created_at__lt=end
            ).values_list("conversation_id", flat=True)
        )
    )
    written = 0
    for at in range(0, len(ids), BATCH):
        batch = ids[at : at + BATCH]
        with transaction.atomic():
            written += _recount(batch)
            LoadToRecount.objects.filter(conversation_id__in=batch).delete()
        if progress is not None:
            progress(min(at + BATCH, len(ids)), len(ids))
    return written


def rebuild_all_loads() -> int:
    """Every conversation from scratch (the demo, the bench, the tests)."""
    KeptLoad.objects.all().delete()
    first = Message.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return 0
    last = Message.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    return do_rebuild_loads(first, last + timedelta(seconds=1))


def kept_rows(user_ids: list[int], day: date) -> list[tuple[int, int, str, float, int]]:
    """(agent, conversation, subject, points, messages) of these people on ``day``."""
    return list(
        KeptLoad.objects.filter(agent_id__in=user_ids, day=day)
        .order_by("agent_id", "conversation_id")
        .values_list("agent_id", "conversation_id", "conversation__subject", "points", "messages")
    )
