"""Saved views and the filter by assignee in the inbox sidebar: alice saves the filter
she is looking at, sees it with its count, renames and deletes it; bob never sees hers.
The people list shows who holds conversations in the folder, with counts that agree
with what each link opens."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calmdesk.desk.access import visible_mailbox_ids
from calmdesk.desk.actions import ActionError, do_add_tag, do_assign, do_change_status
from calmdesk.desk.inbox import folder_counts, parse_filter, teammates
from calmdesk.desk.models import SavedView
from calmdesk.desk.saved_views import (
    COUNT_CAP,
    clean_query,
    counted_views,
    do_delete_view,
    do_rename_view,
    do_save_view,
    saved_views_of,
)

from .conftest import Desk, receive


def _sidebar_count(html: str, marker: str) -> str:
    found = re.search(rf'{marker}[^>]*>[^<]*<span class="count">([^<]*)</span>', html)
    assert found, f"no sidebar link {marker}"
    return found[1]


def _rows(html: str) -> int:
    return html.count(" data-row>")


def _support_conversations(desk: Desk, n: int) -> list:
    return [
        receive(desk.support, f"c{i}@shop.example", f"Problem {i}.", f"Case {i}").conversation
        for i in range(n)
    ]


def test_alice_saves_the_filter_she_sees_and_it_counts(desk: Desk) -> None:
    cases = _support_conversations(desk, 3)
    do_assign(cases[0], desk.alice, desk.alice)
    do_change_status(cases[1], desk.alice, "pending")
    do_add_tag(cases[2], desk.alice, "vip")
    do_add_tag(desk.conversation, desk.alice, "vip")
    client = desk.client_for(desk.alice)
    page = client.get(reverse("inbox"), {"tag": "vip"})
    assert 'name="query" value="status:active tag:vip"' in page.content.decode()
    saved = client.post(
        reverse("saved_view_save"), {"name": " VIP  customers ", "query": "tag:vip status:active"}
    )
    assert saved.status_code == 302
    view = SavedView.objects.get(owner=desk.alice)
    assert (view.name, view.query) == ("VIP customers", "status:active tag:vip")
    client.post(reverse("saved_view_save"), {"name": "Waiting on them", "query": "status:pending"})
    html = client.get(reverse("inbox")).content.decode()
    assert _sidebar_count(html, 'data-view="VIP customers"') == "2"
    assert _sidebar_count(html, 'data-view="Waiting on them"') == "1"
    opened = client.get(saved["Location"]).content.decode()
    assert _rows(opened) == 2  # the link opens what the count says
    assert 'class="on" data-view="VIP customers"' in opened


def test_a_view_of_status_mailbox_and_assignee_costs_no_query(desk: Desk) -> None:
    cases = _support_conversations(desk, 2)
    do_assign(cases[0], desk.admin, desk.bob)
    do_save_view(desk.alice, "Bob's", "assignee:bob mailbox:support")
    f = parse_filter(desk.alice, {})
    counts = folder_counts(desk.alice, f, [desk.support.pk])
    views = saved_views_of(desk.alice)
    visible_mailbox_ids(desk.alice)  # as the inbox request has, before the sidebar
    with CaptureQueriesContext(connection) as queries:
        [counted] = counted_views(desk.alice, views, counts.rows)
    assert counted.count == 1
    # Looking up "support" and "bob" by name; the count itself reads the kept rows.
    assert len(queries) == 2


def test_a_big_view_says_99_plus(desk: Desk) -> None:
    for i in range(COUNT_CAP + 1):
        do_add_tag(receive(desk.support, f"m{i}@x.example", "Hi.").conversation, desk.alice, "bulk")
    do_save_view(desk.alice, "Bulk", "tag:bulk")
    counts = folder_counts(desk.alice, parse_filter(desk.alice, {}), [desk.support.pk])
    [counted] = counted_views(desk.alice, saved_views_of(desk.alice), counts.rows)
    assert (counted.capped, counted.shown) == (True, "99+")


@pytest.mark.parametrize(
    "name,query,problem",
    [
        ("Refunds", "refund status:pending", "words are searched"),
        ("Empty", "", "no filter to save"),
        ("", "status:pending", "needs a name"),
        ("x" * 61, "status:pending", "at most 60"),
    ],
)
def test_what_a_view_cannot_be(desk: Desk, name: str, query: str, problem: str) -> None:
    with pytest.raises(ActionError, match=problem):
        do_save_view(desk.alice, name, query)
    assert not SavedView.objects.exists()


def test_names_are_per_agent_and_renaming_keeps_them_apart(desk: Desk) -> None:
    mine = do_save_view(desk.alice, "Pending", "status:pending")
    do_save_view(desk.bob, "Pending", "status:pending assignee:me")  # bob's own
    with pytest.raises(ActionError, match="already have a view"):
        do_save_view(desk.alice, "Pending", "status:closed")
    other = do_save_view(desk.alice, "Closed", "status:closed")
    with pytest.raises(ActionError, match="already have a view"):
        do_rename_view(other, desk.alice, "Pending")
    do_rename_view(mine, desk.alice, "Waiting")
    assert [v.name for v in saved_views_of(desk.alice)] == ["Closed", "Waiting"]
    with pytest.raises(ActionError, match="Only its owner"):
        do_delete_view(mine, desk.bob)
    assert clean_query("STATUS:Pending  tag:VIP") == "status:pending tag:vip"


def test_bob_never_sees_or_changes_alices_views(desk: Desk) -> None:
    view = do_save_view(desk.alice, "Only alice", "assignee:me")
    bob = desk.client_for(desk.bob)
    assert "Only alice" not in bob.get(reverse("inbox")).content.decode()
    assert (
        bob.post(reverse("saved_view_rename", args=[view.pk]), {"name": "Bob's"}).status_code == 404
    )
    assert bob.post(reverse("saved_view_delete", args=[view.pk])).status_code == 404
    alice = desk.client_for(desk.alice)
    assert (
        alice.post(reverse("saved_view_rename", args=[view.pk]), {"name": "Me"}).status_code == 302
    )
    assert "Me" in alice.get(reverse("saved_views")).content.decode()
    assert alice.post(reverse("saved_view_delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()


def test_the_sidebar_lists_each_teammate_with_what_they_hold(desk: Desk) -> None:
    cases = _support_conversations(desk, 4)
    do_assign(cases[0], desk.admin, desk.bob)
    do_assign(cases[1], desk.admin, desk.bob)
    do_assign(cases[2], desk.admin, desk.alice)
    do_assign(desk.billing_conversation, desk.admin, desk.charlie)  # not alice's mailbox
    do_change_status(cases[1], desk.admin, "pending")
    client = desk.client_for(desk.alice)
    html = client.get(reverse("inbox")).content.decode()
    assert _sidebar_count(html, 'data-assignee="bob"') == "1"
    assert 'data-assignee="charlie"' not in html
    assert 'data-assignee="alice"' not in html  # she is "Mine"
    bobs = client.get(reverse("inbox"), {"assignee": "bob"}).content.decode()
    assert _rows(bobs) == 1
    assert 'class="on" data-assignee="bob"' in bobs
    pending = client.get(reverse("inbox"), {"status": "pending"}).content.decode()
    assert _sidebar_count(pending, 'data-assignee="bob"') == "1"
    # A teammate holding nothing here is still listed while the filter names them.
    closed = client.get(reverse("inbox"), {"status": "closed", "assignee": "bob"})
    assert _sidebar_count(closed.content.decode(), 'data-assignee="bob"') == "0"
    f = parse_filter(desk.admin, {})
    counts = folder_counts(desk.admin, f, [desk.support.pk, desk.billing.pk])
    people = {t.username: t.count for t in teammates(desk.admin, f, counts)}
    assert people == {"bob": 1, "alice": 1, "charlie": 1}
