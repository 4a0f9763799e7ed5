"""Snooze: alice puts Maya's conversation off; it leaves the Active list and its count
for the Snoozed folder, the kept counts always equal a recount, and it comes back marked
"woke up" when the time passes (the worker's periodic job) or when Maya writes. Time is
passed in wherever the snooze depends on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk.actions import (
    ActionError,
    counted_folders,
    do_assign,
    do_change_status,
    recount_folders,
)
from calmdesk.desk.inbox import folder_counts, inbox_page, parse_filter
from calmdesk.desk.models import SNOOZED, Conversation, Event, EventKind, FolderCount, Status
from calmdesk.desk.snooze import (
    do_snooze,
    do_unsnooze,
    do_wake_due,
    snooze_choices,
)
from calmdesk.jobs.actions import do_run_due_jobs
from calmdesk.jobs.registry import job_named
from calmdesk.ops.doctor import folder_counts_differ

from .conftest import Desk, receive

HOUR = timedelta(hours=1)


def kept_folders() -> dict[tuple[int, str, int], int]:
    return {
        (m, s, a): n
        for m, s, a, n in FolderCount.objects.exclude(count=0).values_list(
            "mailbox_id", "status", "assignee_key", "count"
        )
    }


def assert_counts_agree() -> None:
    assert kept_folders() == counted_folders()
    assert folder_counts_differ(None) == []  # type: ignore[arg-type]


def active_ids(desk: Desk, user) -> list[int]:  # type: ignore[no-untyped-def]
    rows, _ = inbox_page(user, parse_filter(user, {}))
    return [c.pk for c in rows]


def counts(desk: Desk, status: str = "active"):  # type: ignore[no-untyped-def]
    f = parse_filter(desk.alice, {"status": status})
    return folder_counts(desk.alice, f, [desk.support.pk])


def test_a_snoozed_conversation_leaves_active_and_its_count(desk: Desk) -> None:
    before = counts(desk)
    do_snooze(desk.conversation, desk.alice, timezone.now() + HOUR)
    after = counts(desk)
    assert desk.conversation.pk not in active_ids(desk, desk.alice)
    assert after.by_status[Status.ACTIVE] == before.by_status[Status.ACTIVE] - 1
    assert after.by_status[SNOOZED] == 1
    assert after.by_mailbox[desk.support.pk] == before.by_mailbox[desk.support.pk] - 1
    snoozed, _ = inbox_page(desk.alice, parse_filter(desk.alice, {"status": "snoozed"}))
    assert [c.pk for c in snoozed] == [desk.conversation.pk]
    desk.conversation.refresh_from_db()
    assert desk.conversation.status == Status.ACTIVE  # the status stays
    assert_counts_agree()


@pytest.mark.parametrize(
    "then",
    [
        "unsnooze",
        "close",
        "close_and_reopen",
        "reassign",
        "customer_writes",
        "time_passes",
        "recount",
    ],
)
def test_folder_counts_equal_a_recount_whatever_follows_a_snooze(desk: Desk, then: str) -> None:
    now = timezone.now()
    conversation = do_snooze(desk.conversation, desk.alice, now + HOUR, now=now)
    if then == "unsnooze":
        do_unsnooze(conversation, desk.alice)
    elif then == "close":
        do_change_status(conversation, desk.alice, Status.CLOSED)
    elif then == "close_and_reopen":
        do_change_status(conversation, desk.alice, Status.CLOSED)
        do_change_status(conversation, desk.alice, Status.ACTIVE)
    elif then == "reassign":
        do_assign(conversation, desk.alice, desk.bob)
    elif then == "customer_writes":
        receive(desk.support, "maya@shop.example", "Any news?", conversation=conversation)
    elif then == "time_passes":
        assert do_wake_due(now + 2 * HOUR) == 1
    elif then == "recount":
        recount_folders()
    assert_counts_agree()


def test_a_snooze_is_an_event_and_unsnooze_another(desk: Desk) -> None:
    until = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    do_snooze(desk.conversation, desk.alice, until, now=until - HOUR)
    do_unsnooze(desk.conversation, desk.alice)
    events = list(desk.conversation.events.values_list("kind", "actor", "data"))
    assert events == [
        (EventKind.SNOOZE, desk.alice.pk, {"until": until.isoformat()}),
        (EventKind.UNSNOOZE, desk.alice.pk, {}),
    ]
    assert desk.conversation.snoozed_until is None
    assert desk.conversation.woke_at is None  # unsnoozed by hand: no "woke up" mark


def test_the_job_wakes_it_when_the_time_passes(desk: Desk) -> None:
    now = timezone.now()
    do_snooze(desk.conversation, desk.alice, now + HOUR, now=now)
    assert do_wake_due(now + HOUR - timedelta(seconds=1)) == 0
    assert do_wake_due(now + HOUR) == 1
    assert do_wake_due(now + HOUR) == 0  # woken once
    desk.conversation.refresh_from_db()
    assert desk.conversation.snoozed_until is None
    assert desk.conversation.woke_at == now + HOUR
    assert desk.conversation.pk in active_ids(desk, desk.alice)
    wake = Event.objects.get(conversation=desk.conversation, kind=EventKind.WAKE)
    assert wake.data == {"by": "time"}


def test_the_worker_runs_the_wake_job(desk: Desk) -> None:
    assert job_named("desk.wake_snoozed") is not None
    now = timezone.now()
    do_snooze(desk.conversation, desk.alice, now + HOUR, now=now)
    do_run_due_jobs("w1", lambda: now + 2 * HOUR)
    desk.conversation.refresh_from_db()
    assert desk.conversation.snoozed_until is None
    assert desk.conversation.woke_at == now + 2 * HOUR


def test_the_customer_writing_wakes_it(desk: Desk) -> None:
    do_snooze(desk.conversation, desk.alice, timezone.now() + 24 * HOUR)
    receive(
        desk.support, "maya@shop.example", "Hello? Still broken.", conversation=desk.conversation
    )
    desk.conversation.refresh_from_db()
    assert desk.conversation.snoozed_until is None
    assert desk.conversation.woke_at is not None
    assert desk.conversation.pk in active_ids(desk, desk.alice)
    wake = Event.objects.get(conversation=desk.conversation, kind=EventKind.WAKE)
    assert wake.data == {"by": "customer"}
    assert_counts_agree()


def test_the_woke_up_mark_shows_until_an_agent_opens_it(desk: Desk) -> None:
    now = timezone.now()
    do_snooze(desk.conversation, desk.alice, now + HOUR, now=now)
    do_wake_due(now + 2 * HOUR)
    client = desk.client_for(desk.alice)
    assert 'class="woke"' in client.get(reverse("inbox")).content.decode()
    page = client.get(reverse("conversation", args=[desk.conversation.pk])).content.decode()
    assert "Woke up: the snooze is over" in page
    assert 'class="woke"' not in client.get(reverse("inbox")).content.decode()


@pytest.mark.parametrize(
    "until,problem",
    [(-HOUR, "future"), (400 * 24 * HOUR, "a year")],
)
def test_a_snooze_must_end_within_a_year_from_now(desk: Desk, until, problem) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with pytest.raises(ActionError, match=problem):
        do_snooze(desk.conversation, desk.alice, now + until, now=now)


def test_only_an_active_conversation_is_snoozed(desk: Desk) -> None:
    do_change_status(desk.conversation, desk.alice, Status.CLOSED)
    with pytest.raises(ActionError):
        do_snooze(desk.conversation, desk.alice, timezone.now() + HOUR)


def test_the_quick_choices_are_in_the_agents_time_zone() -> None:
    # Saturday 23:30 in Berlin (22:30 UTC); summer time begins that night.
    now = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    choices = snooze_choices(now, berlin)
    assert choices["later"] == now + 3 * HOUR
    assert choices["tomorrow"] == datetime(2026, 3, 29, 9, 0, tzinfo=berlin)
    assert choices["tomorrow"].astimezone(UTC).hour == 7  # summer time by then
    assert choices["next_week"] == datetime(2026, 3, 30, 9, 0, tzinfo=berlin)


def test_snoozing_from_the_page_goes_back_to_the_inbox(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_snooze", args=[desk.conversation.pk])
    response = client.post(url, {"choice": "tomorrow"})
    assert response.status_code == 302 and response.url == reverse("inbox")
    desk.conversation.refresh_from_db()
    assert desk.conversation.snoozed_until is not None
    page = client.get(reverse("conversation", args=[desk.conversation.pk])).content.decode()
    assert "Snoozed until" in page and "Unsnooze" in page
    client.post(reverse("conversation_unsnooze", args=[desk.conversation.pk]))
    desk.conversation.refresh_from_db()
    assert desk.conversation.snoozed_until is None


def test_snoozing_until_a_typed_time_reads_it_in_the_agents_zone(desk: Desk) -> None:
    desk.alice.agent.time_zone = "America/New_York"
    desk.alice.agent.save()
    client = desk.client_for(desk.alice)
    url = reverse("conversation_snooze", args=[desk.conversation.pk])
    day = (timezone.now() + timedelta(days=30)).date()
    client.post(url, {"until": f"{day.isoformat()}T09:30"})
    desk.conversation.refresh_from_db()
    new_york = datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert desk.conversation.snoozed_until == new_york


def test_an_outsider_cannot_snooze_another_mailboxs_conversation(desk: Desk) -> None:
    client = desk.client_for(desk.charlie)
    for name in ("conversation_snooze", "conversation_unsnooze"):
        url = reverse(name, args=[desk.conversation.pk])
        assert client.post(url, {"choice": "later"}).status_code == 404
    assert Conversation.objects.get(pk=desk.conversation.pk).snoozed_until is None


def test_the_snoozed_folder_lists_the_soonest_to_wake_first(desk: Desk) -> None:
    """Five put off in an order unlike their last messages': the folder reads by wake time
    (ties by id), page after page through its cursor; the sort is offered only there."""
    now = timezone.now()
    wakes = [5, 1, 3, 3, 2]  # hours from now
    ids = []
    for n, hours in enumerate(wakes):
        message = receive(
            desk.support, f"c{n}@shop.example", "Later, please.", received_at=now - n * HOUR
        )
        do_snooze(message.conversation, desk.alice, now + hours * HOUR, now=now)
        ids.append(message.conversation.pk)
    expected = [pk for _hours, pk in sorted(zip(wakes, ids, strict=True))]
    f = parse_filter(desk.alice, {"status": "snoozed"})
    assert f.sort == "waking"
    seen, cursor = [], ""
    while True:
        f = parse_filter(desk.alice, {"status": "snoozed", "after": cursor})
        assert f.problems == []
        rows, cursor = inbox_page(desk.alice, f, size=2)
        seen += [c.pk for c in rows]
        if not cursor:
            break
    assert seen == expected
    page = desk.client_for(desk.alice).get(reverse("inbox"), {"status": "snoozed"})
    assert "Wakes soonest" in page.content.decode()
    active = parse_filter(desk.alice, {"sort": "waking"})
    assert active.sort == "waiting" and active.problems  # nothing in Active wakes
    assert "Wakes soonest" not in desk.client_for(desk.alice).get(reverse("inbox")).content.decode()
