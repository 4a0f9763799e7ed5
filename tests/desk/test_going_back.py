"""Going back keeps your place: "← Inbox" (and ``u``, which clicks it) returns to the
filtered, sorted page, or the search results, the agent came from, and never anywhere
off the desk."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from calmdesk.desk.inbox import PAGE_SIZE
from calmdesk.desk.views.places import SESSION_KEY

from .conftest import Desk, receive


def test_back_from_a_conversation_returns_to_the_filtered_sorted_page(desk: Desk) -> None:
    for i in range(PAGE_SIZE + 2):
        receive(desk.support, f"b{i}@x.example", "Hi", f"b{i}")
    client = desk.client_for(desk.alice)
    first = client.get(reverse("inbox"), {"sort": "recent", "status": "active"})
    cursor = first.context["next_cursor"]
    second = client.get(reverse("inbox"), {"sort": "recent", "after": cursor})
    opened = second.context["conversations"][0]
    page = client.get(reverse("conversation", args=[opened.pk]))
    url, label = page.context["back"]
    assert label == "← Inbox"
    assert urlsplit(url).path == reverse("inbox")
    assert parse_qs(urlsplit(url).query) == {
        "status": ["active"],
        "sort": ["recent"],
        "after": [cursor],
    }
    assert f'href="{url.replace("&", "&amp;")}" data-back' in page.content.decode()
    # And the page it leads to is the one the agent left.
    back = client.get(url)
    assert [c.pk for c in back.context["conversations"]] == [
        c.pk for c in second.context["conversations"]
    ]


def test_back_from_a_search_result_returns_to_the_results(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    client.get(reverse("search"), {"q": 'from:maya "losing sales"'})
    url, label = client.get(reverse("conversation", args=[desk.conversation.pk])).context["back"]
    assert label == "← Results"
    assert client.get(url).context["query"] == 'from:maya "losing sales"'


def test_back_keeps_only_what_the_inbox_understood(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    client.get(reverse("inbox"), {"status": "everything", "mailbox": "billing", "x": "1"})
    url, _label = client.get(reverse("conversation", args=[desk.conversation.pk])).context["back"]
    assert url == reverse("inbox") + "?status=active"


@pytest.mark.parametrize(
    "place",
    ["https://evil.example/", "//evil.example/inbox", "/admin/", "javascript:alert(1)", 42],
)
def test_back_never_leaves_the_desk(desk: Desk, place: object) -> None:
    client = desk.client_for(desk.alice)
    session = client.session
    session[SESSION_KEY] = place
    session.save()
    url, label = client.get(reverse("conversation", args=[desk.conversation.pk])).context["back"]
    assert url == reverse("inbox") + "?mailbox=support"
    assert label == "← Inbox"


def test_back_from_a_customer_page_returns_to_the_place_too(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    customer_url = reverse("customer", args=[desk.customer.pk])
    assert client.get(customer_url).context["back"] == (reverse("inbox"), "← Inbox")
    client.get(reverse("inbox"), {"status": "pending"})
    url, _label = client.get(customer_url).context["back"]
    assert url == reverse("inbox") + "?status=pending"
