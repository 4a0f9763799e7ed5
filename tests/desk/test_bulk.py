"""Bulk actions: alice picks rows in the inbox and changes them in one POST. Each
conversation gets its own action and its own event, the folder counts equal a count
from scratch afterwards, and a row she may not see refuses the whole request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calmdesk.desk.actions import counted_folders, do_assign
from calmdesk.desk.inbox import folder_counts, parse_filter
from calmdesk.desk.models import Conversation, Event, EventKind, FolderCount, Status
from calmdesk.ops.doctor import folder_counts_differ

from .conftest import Desk, receive


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


def three(desk: Desk) -> list[Conversation]:
    more = [
        receive(desk.support, f"{name}@shop.example", "The export fails.", f"Export {name}")
        for name in ("lee", "sam")
    ]
    return [desk.conversation, *(m.conversation for m in more)]


def post(desk: Desk, user, rows: list[Conversation], **change: str):  # type: ignore[no-untyped-def]
    data = {"c": [str(c.pk) for c in rows], "back": "?status=active", **change}
    return desk.client_for(user).post(reverse("bulk"), data)


def events(rows: list[Conversation], kind: str) -> list[int]:
    return sorted(
        Event.objects.filter(conversation__in=rows, kind=kind).values_list(
            "conversation_id", flat=True
        )
    )


def test_one_event_per_conversation_and_the_counts_right(desk: Desk) -> None:
    rows = three(desk)
    response = post(desk, desk.alice, rows, assignee="me", tag="export", status="pending")
    assert response.status_code == 302 and response["Location"] == "/?status=active"
    ids = sorted(c.pk for c in rows)
    for kind in (EventKind.ASSIGN, EventKind.TAG, EventKind.STATUS):
        assert events(rows, kind) == ids
    for c in rows:
        c.refresh_from_db()
        assert (c.assignee_id, c.status) == (desk.alice.pk, Status.PENDING)  # type: ignore[attr-defined]
        assert [t.name for t in c.tags.all()] == ["export"]
    assert_counts_agree()
    pending = folder_counts(desk.alice, parse_filter(desk.alice, {"status": "pending"}), [])
    counts = folder_counts(
        desk.alice, parse_filter(desk.alice, {"status": "pending"}), [desk.support.pk]
    )
    assert pending.by_status[Status.PENDING] == 0  # no mailbox asked: nothing counted
    assert (counts.by_status[Status.ACTIVE], counts.by_status[Status.PENDING]) == (0, 3)
    assert counts.mine == 3


def test_snoozing_rows_moves_them_out_of_active(desk: Desk) -> None:
    rows = three(desk)
    post(desk, desk.alice, rows[:2], snooze="tomorrow")
    counts = folder_counts(desk.alice, parse_filter(desk.alice, {}), [desk.support.pk])
    assert (counts.by_status[Status.ACTIVE], counts.by_status["snoozed"]) == (1, 2)
    assert events(rows, EventKind.SNOOZE) == sorted(c.pk for c in rows[:2])
    assert_counts_agree()


def test_a_row_that_cannot_change_is_told_and_the_others_go_ahead(desk: Desk) -> None:
    """bob holds one: alice, an agent, does not take it from him."""
    rows = three(desk)
    do_assign(rows[0], desk.bob, desk.bob)
    client = desk.client_for(desk.alice)
    data = {"c": [str(c.pk) for c in rows], "assignee": "me"}
    response = client.post(reverse("bulk"), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"#{rows[0].pk}: Only a lead or an admin" in page
    assert "Changed 2 conversations." in page
    rows[0].refresh_from_db()
    assert rows[0].assignee_id == desk.bob.pk  # type: ignore[attr-defined]
    assert_counts_agree()


def test_assign_to_a_teammate_by_username(desk: Desk) -> None:
    rows = three(desk)
    post(desk, desk.alice, rows, assign_to="bob")
    assert set(Conversation.objects.values_list("assignee__username", flat=True)) >= {"bob"}
    assert all(
        c.assignee_id == desk.bob.pk
        for c in Conversation.objects.filter(pk__in=[r.pk for r in rows])
    )  # type: ignore[attr-defined]
    post(desk, desk.alice, rows, assign_to="nobody-of-that-name", status="closed")
    assert not Conversation.objects.filter(status=Status.CLOSED).exists()


@pytest.mark.parametrize(
    "who,allowed", [("alice", False), ("bob", False), ("charlie", True), ("dave", True)]
)
def test_rows_the_agent_may_not_see_are_refused(desk: Desk, who: str, allowed: bool) -> None:
    """Support's agents may not touch Billing's conversation: one such row refuses the
    whole request (a 404: nothing is told), and nothing changes. charlie and the lead
    may close Billing's."""
    rows = [desk.billing_conversation]
    if not allowed:
        rows.append(desk.conversation)
    before = kept_folders()
    response = post(desk, getattr(desk, who), rows, status="closed")
    desk.billing_conversation.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert desk.billing_conversation.status == Status.CLOSED
    else:
        assert response.status_code == 404
        assert desk.billing_conversation.status == Status.ACTIVE
        assert kept_folders() == before
        assert not Event.objects.filter(kind=EventKind.STATUS).exists()


def test_charlie_cannot_touch_supports_rows(desk: Desk) -> None:
    response = post(desk, desk.charlie, [desk.conversation], tag="mine")
    assert response.status_code == 404
    assert not desk.conversation.tags.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"c": []},
        {"c": ["x1"]},
        {"c": [str(n) for n in range(101)]},
        {"c": ["1"], "status": "nonsense"},
    ],
)
def test_nonsense_is_refused_politely(desk: Desk, data: dict) -> None:
    response = desk.client_for(desk.alice).post(reverse("bulk"), {"status": "closed", **data})
    assert response.status_code == 302
    assert not Event.objects.exists()


def test_the_inbox_has_a_checkbox_per_row_and_the_bar(desk: Desk) -> None:
    rows = three(desk)
    page = desk.client_for(desk.alice).get(reverse("inbox")).content.decode()
    assert 'id="bulk-form"' in page
    for c in rows:
        assert f'name="c" value="{c.pk}" form="bulk-form"' in page
    # Search rows are not picked for the bar.
    found = desk.client_for(desk.alice).get(reverse("search"), {"q": "export"})
    assert b'form="bulk-form"' not in found.content
