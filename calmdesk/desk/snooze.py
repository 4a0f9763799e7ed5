"""Snooze: an active conversation put off until a time leaves the Active list (and its
count) for the Snoozed folder; its status stays. It comes back, marked "woke up", when
the time passes (the ``desk.wake_snoozed`` periodic job of ``calmdesk worker``) or when
the customer writes (``do_store_customer_message`` calls ``wake``)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.actions import ActionError, _bump_folder, _event, refuse_merged
from calmdesk.desk.models import Conversation, Event, EventKind, Status, folder_of
from calmdesk.jobs.registry import periodic

# A snooze further off than this is a typo of the year, not a plan.
LONGEST_SNOOZE = timedelta(days=366)
# How many woken per run: the rest wait a minute for the next one.
WAKE_BATCH = 200


def _refolder(conversation: Conversation, snoozed_until: datetime | None) -> None:
    """Count ``conversation`` (locked) out of its folder and into the one the new snooze
    puts it in, and write the snooze."""
    merged = conversation.merged_into_id is not None
    old = folder_of(conversation.status, conversation.snoozed_until, merged=merged)
    new = folder_of(conversation.status, snoozed_until, merged=merged)
    if old != new:
        _bump_folder(conversation.mailbox_id, old, conversation.assignee_id, -1)
        _bump_folder(conversation.mailbox_id, new, conversation.assignee_id, +1)
    conversation.snoozed_until = snoozed_until


@transaction.atomic
def do_snooze(
    conversation: Conversation, actor: User, until: datetime, *, now: datetime | None = None
) -> Conversation:
    """Put an active conversation off until ``until`` (a later time, within a year)."""
    now = now or timezone.now()
    if until <= now:
        raise ActionError(_("Pick a time in the future to snooze until."))
    if until > now + LONGEST_SNOOZE:
        raise ActionError(_("A snooze can last a year at most."))
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    refuse_merged(locked)
    if locked.status != Status.ACTIVE:
        raise ActionError(_("Only an active conversation can be snoozed."))
    _refolder(locked, until)
    Conversation.objects.filter(pk=locked.pk).update(
        snoozed_until=until, woke_at=None, updated_at=now
    )
    _event(locked, EventKind.SNOOZE, actor, until=until.isoformat())
    conversation.refresh_from_db()
    return conversation


@transaction.atomic
def do_unsnooze(conversation: Conversation, actor: User) -> Conversation:
    """Back to its folder now, by an agent's hand (no "woke up" mark: they know)."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    refuse_merged(locked)
    if locked.snoozed_until is not None:
        _refolder(locked, None)
        Conversation.objects.filter(pk=locked.pk).update(
            snoozed_until=None, updated_at=timezone.now()
        )
        _event(locked, EventKind.UNSNOOZE, actor)
    conversation.refresh_from_db()
    return conversation


def wake(locked: Conversation, now: datetime, *, by_customer: bool = True) -> None:
    """End the snooze of ``locked`` (the caller holds its row lock): back to its folder,
    marked as woken, with an event. Updates ``locked`` in place."""
    _refolder(locked, None)
    locked.woke_at = now
    Conversation.objects.filter(pk=locked.pk).update(snoozed_until=None, woke_at=now)
    Event.objects.create(
        conversation=locked,
        kind=EventKind.WAKE,
        data={"by": "customer" if by_customer else "time"},
        created_at=now,
    )


def do_wake_due(now: datetime) -> int:
    """Wake every conversation whose snooze is over; returns how many. Each in its own
    short transaction, claimed under its lock, so a customer's message that woke it
    meanwhile is not woken twice."""
    woken = 0
    due = Conversation.objects.filter(snoozed_until__lte=now).order_by("snoozed_until", "id")
    for pk in due.values_list("pk", flat=True)[:WAKE_BATCH]:
        with transaction.atomic():
            locked = Conversation.objects.select_for_update().get(pk=pk)
            if locked.snoozed_until is not None and locked.snoozed_until <= now:
                wake(locked, now, by_customer=False)
                woken += 1
    return woken


def do_clear_woke(conversation: Conversation) -> None:
    """An agent opened it: the "woke up" mark has done its job. No query unless marked."""
    if conversation.woke_at is not None:
        Conversation.objects.filter(pk=conversation.pk).update(woke_at=None)
        conversation.woke_at = None


@periodic("desk.wake_snoozed", every=timedelta(minutes=1))
def wake_snoozed(now: datetime) -> None:
    do_wake_due(now)


# -- when "tomorrow" is ------------------------------------------------------------------
MORNING = 9  # the hour "tomorrow" and "next week" mean, in the agent's time zone
LATER_TODAY = timedelta(hours=3)


def snooze_choices(now: datetime, zone: tzinfo) -> dict[str, datetime]:
    """The quick choices of the Snooze control: later today, tomorrow at 9:00 and next
    Monday at 9:00, in ``zone`` (the agent's)."""
    local = now.astimezone(zone)
    morning = local.replace(hour=MORNING, minute=0, second=0, microsecond=0)
    tomorrow = morning + timedelta(days=1)
    monday = morning + timedelta(days=7 - local.weekday())
    # Arithmetic on a zoned time is on the wall clock: 9:00 stays 9:00 across a DST change.
    return {"later": now + LATER_TODAY, "tomorrow": tomorrow, "next_week": monday}
