from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk.actions import do_assign, do_change_status, recount_folders
from calmdesk.desk.inbox import (
    PAGE_SIZE,
    Cursor,
    InboxFilter,
    folder_counts,
    inbox_page,
    parse_filter,
)
from calmdesk.desk.models import Conversation, FolderCount, Status

from .conftest import Desk, receive


def _rows(response) -> list[Conversation]:  # type: ignore[no-untyped-def]
    return list(response.context["conversations"])


def test_alice_sees_support_and_not_billing(desk: Desk) -> None:
    response = desk.client_for(desk.alice).get(reverse("inbox"))
    assert [c.pk for c in _rows(response)] == [desk.conversation.pk]
    assert b"Double charge" not in response.content


def test_charlie_sees_only_billing(desk: Desk) -> None:
    response = desk.client_for(desk.charlie).get(reverse("inbox"))
    assert [c.pk for c in _rows(response)] == [desk.billing_conversation.pk]


def test_the_admin_sees_every_mailbox(desk: Desk) -> None:
    response = desk.client_for(desk.admin).get(reverse("inbox"))
    assert {c.pk for c in _rows(response)} == {
        desk.conversation.pk,
        desk.billing_conversation.pk,
    }


def test_it_sorts_by_how_long_the_customer_has_waited(desk: Desk) -> None:
    now = timezone.now()
    newer = receive(desk.support, "new@x.example", "Hello", "new", received_at=now)
    oldest = receive(
        desk.support, "old@x.example", "Hello", "old", received_at=now - timedelta(days=2)
    )
    rows = _rows(desk.client_for(desk.alice).get(reverse("inbox")))
    assert [c.pk for c in rows] == [
        oldest.conversation_id,
        desk.conversation.pk,
        newer.conversation_id,
    ]


def test_keyset_pages_visit_every_conversation_once(desk: Desk) -> None:
    start = timezone.now() - timedelta(days=10)
    for i in range(PAGE_SIZE * 2 + 7):
        # Some share a timestamp, so the id must break ties.
        receive(
            desk.support,
            f"c{i}@x.example",
            "Hi",
            f"#{i}",
            received_at=start + timedelta(minutes=i // 3),
        )
    # And some nobody is waiting on (replied), which come after the waiting ones.
    for conversation in Conversation.objects.filter(subject__in=["#1", "#2", "#3"]):
        Conversation.objects.filter(pk=conversation.pk).update(waiting_since=None)
    seen: list[int] = []
    f = InboxFilter()
    while True:
        page, cursor = inbox_page(desk.alice, f)
        seen += [c.pk for c in page]
        if not cursor:
            break
        f = InboxFilter(after=Cursor.decode(cursor))
    expected = Conversation.objects.filter(mailbox=desk.support, status=Status.ACTIVE)
    assert sorted(seen) == sorted(expected.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


def test_recent_sort_pages_too(desk: Desk) -> None:
    for i in range(PAGE_SIZE + 3):
        receive(desk.support, f"r{i}@x.example", "Hi", f"r{i}")
    client = desk.client_for(desk.alice)
    first = client.get(reverse("inbox"), {"sort": "recent"})
    second = client.get(reverse("inbox"), {"sort": "recent", "after": first.context["next_cursor"]})
    pks = [c.pk for c in _rows(first)] + [c.pk for c in _rows(second)]
    assert len(pks) == len(set(pks)) == PAGE_SIZE + 4


def test_filters_mine_unassigned_and_tag(desk: Desk) -> None:
    other = receive(desk.support, "z@x.example", "Hi", "other").conversation
    do_assign(desk.conversation, desk.alice, desk.alice)
    client = desk.client_for(desk.alice)
    mine = _rows(client.get(reverse("inbox"), {"assignee": "mine"}))
    unassigned = _rows(client.get(reverse("inbox"), {"assignee": "unassigned"}))
    assert [c.pk for c in mine] == [desk.conversation.pk]
    assert [c.pk for c in unassigned] == [other.pk]
    client.post(reverse("conversation_tag_add", args=[other.pk]), {"name": "Outage"})
    tagged = _rows(client.get(reverse("inbox"), {"tag": "outage"}))
    assert [c.pk for c in tagged] == [other.pk]


def test_folder_counts_follow_every_change(desk: Desk) -> None:
    receive(desk.support, "y@x.example", "Hi", "second")
    do_assign(desk.conversation, desk.bob, desk.alice)
    do_change_status(desk.conversation, desk.alice, Status.PENDING)
    kept = {(r.mailbox_id, r.status, r.assignee_key): r.count for r in FolderCount.objects.all()}
    recount_folders()
    rebuilt = {(r.mailbox_id, r.status, r.assignee_key): r.count for r in FolderCount.objects.all()}
    assert {k: v for k, v in kept.items() if v} == rebuilt
    counts = folder_counts(desk.alice, InboxFilter(), [desk.support.pk])
    assert counts.by_status[Status.ACTIVE] == 1 and counts.by_status[Status.PENDING] == 1
    pending = folder_counts(
        desk.alice, parse_filter(desk.alice, {"status": Status.PENDING}), [desk.support.pk]
    )
    assert pending.mine == 1


@pytest.mark.parametrize(
    "params",
    [
        {"status": "everything"},
        {"mailbox": "billing"},  # exists, but not alice's: reads like a missing one
        {"mailbox": "../../etc"},
        {"assignee": "ceo"},
        {"tag": "x" * 5000},
        {"sort": "price"},
        {"after": "w99999999999999999999.1"},
        {"after": "q" + "9" * 40},
        {"after": "not-a-cursor"},
        {"page": "99999999999999999999999"},
        {"status": "active\x00"},
        {"tag": "\x00"},
        {"mailbox": "support\x00"},
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(desk: Desk, params: dict) -> None:
    response = desk.client_for(desk.alice).get(reverse("inbox"), params)
    assert response.status_code == 200
    if "page" not in params:
        assert response.context["f"].problems
    assert b"Double charge" not in response.content


def test_a_mailbox_alice_cannot_see_reads_like_one_that_does_not_exist(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    hidden = client.get(reverse("inbox"), {"mailbox": "billing"}).context["f"].problems
    missing = client.get(reverse("inbox"), {"mailbox": "gilling"}).context["f"].problems
    assert [p.replace("billing", "X") for p in hidden] == [
        p.replace("gilling", "X") for p in missing
    ]


def test_the_recount_command_repairs_drifted_counts(desk: Desk) -> None:
    from django.core.management import call_command

    FolderCount.objects.update(count=999)
    call_command("recount_folders", stdout=None)
    counts = folder_counts(desk.alice, InboxFilter(), [desk.support.pk])
    assert counts.by_status[Status.ACTIVE] == 1


def _links(html: str) -> list[str]:
    import html as html_lib
    import re

    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def test_filter_links_never_repeat_a_parameter(desk: Desk) -> None:
    from urllib.parse import parse_qs, urlsplit

    do_assign(desk.conversation, desk.alice, desk.alice)
    desk.client_for(desk.alice).post(
        reverse("conversation_tag_add", args=[desk.conversation.pk]), {"name": "billing"}
    )
    client = desk.client_for(desk.alice)
    params = {"status": "active", "assignee": "me", "tag": "billing", "sort": "care"}
    url = reverse("inbox")
    # Follow a filter link from each page, a few times over: nothing accumulates.
    for _round in range(3):
        html = client.get(url, params).content.decode()
        inbox_links = [h for h in _links(html) if urlsplit(h).path == reverse("inbox")]
        assert len(inbox_links) > 8
        for link in inbox_links:
            values = parse_qs(urlsplit(link).query)
            assert all(len(v) == 1 for v in values.values()), link
        pending = next(h for h in inbox_links if "status=pending" in h)
        params = {k: v[0] for k, v in parse_qs(urlsplit(pending).query).items()}
    assert params == {"status": "pending", "assignee": "me", "tag": "billing"}


def test_the_inbox_takes_every_operator_of_the_grammar(desk: Desk) -> None:
    other = receive(desk.support, "lee@x.example", "Hi", "other", name="Lee Park").conversation
    do_assign(other, desk.alice, desk.bob)
    client = desk.client_for(desk.alice)
    by_sender = client.get(reverse("inbox"), {"from": "maya"})
    assert [c.pk for c in _rows(by_sender)] == [desk.conversation.pk]
    assert "from maya" in by_sender.content.decode()
    by_agent = client.get(reverse("inbox"), {"assignee": "bob"})
    assert [c.pk for c in _rows(by_agent)] == [other.pk]
    assert by_agent.context["f"].where.query.text() == "status:active assignee:bob"


def test_the_inbox_takes_a_whole_query_as_q_and_keeps_it_in_its_links(desk: Desk) -> None:
    from urllib.parse import parse_qs, urlsplit

    client = desk.client_for(desk.alice)
    both = receive(desk.support, "k@x.example", "Hi", "both tags").conversation
    one = receive(desk.support, "j@x.example", "Hi", "one tag").conversation
    for conversation, names in ((both, ["outage", "vip"]), (one, ["outage"])):
        for name in names:
            client.post(reverse("conversation_tag_add", args=[conversation.pk]), {"name": name})
    response = client.get(reverse("inbox"), {"q": "tag:outage tag:vip", "sort": "recent"})
    assert [c.pk for c in _rows(response)] == [both.pk]
    html = response.content.decode()
    assert "#outage" in html and "#vip" in html
    # The filter links (the brand's plain link to the inbox aside).
    links = [h for h in _links(html) if urlsplit(h).path == reverse("inbox") and "?" in h]
    assert len(links) > 8
    pending = next(h for h in links if "status%3Apending" in h or "status:pending" in h)
    values = parse_qs(urlsplit(pending).query)
    assert values == {"q": ["status:pending tag:outage tag:vip"]}
    # Every link keeps both tags, in the one q.
    for link in links:
        q = parse_qs(urlsplit(link).query)["q"]
        assert len(q) == 1 and "tag:outage tag:vip" in q[0], link


def test_words_in_the_inbox_are_left_to_search(desk: Desk) -> None:
    response = desk.client_for(desk.alice).get(reverse("inbox"), {"q": "checkout status:active"})
    assert [c.pk for c in _rows(response)] == [desk.conversation.pk]
    assert "search finds words" in " ".join(response.context["f"].problems)
