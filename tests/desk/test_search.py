from __future__ import annotations

import pytest
from django.urls import reverse

from calmdesk.desk.actions import do_add_note, do_merge_customers
from calmdesk.desk.search import search
from calmdesk.mail.actions import do_send_reply

from .conftest import Desk, receive


def _found(desk: Desk, user, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [c.pk for c in search(user, query).conversations]


@pytest.mark.parametrize(
    "query",
    [
        "checkout",
        "Checkout Broken",
        "err_sync_timeout",
        "4.2.1",
        "losing sal*",
        "Maya",
        "okafor",
        "maya@shop.example",
        "shop.example",
    ],
)
def test_it_finds_by_subject_body_name_and_address(desk: Desk, query: str) -> None:
    assert _found(desk, desk.alice, query) == [desk.conversation.pk]


def test_a_part_of_a_word_matches_only_when_asked(desk: Desk) -> None:
    assert _found(desk, desk.alice, "check") == []
    assert _found(desk, desk.alice, "check*") == [desk.conversation.pk]


def test_replies_and_notes_are_searchable_too(desk: Desk) -> None:
    do_send_reply(desk.conversation, desk.alice, "Rolled back the payment step.")
    do_add_note(desk.conversation, desk.bob, "Linked to ENG-4471.")
    assert _found(desk, desk.alice, "rolled back") == [desk.conversation.pk]
    assert _found(desk, desk.alice, "eng 4471") == [desk.conversation.pk]


def test_charlie_never_finds_supports_conversations(desk: Desk) -> None:
    assert _found(desk, desk.charlie, "checkout") == []
    assert _found(desk, desk.charlie, "charged twice") == [desk.billing_conversation.pk]
    page = desk.client_for(desk.charlie).get(reverse("search"), {"q": "Maya"})
    assert b"Checkout broken" not in page.content


def test_the_admin_finds_across_mailboxes(desk: Desk) -> None:
    receive(desk.billing, "maya@shop.example", "Invoice please", "Invoice for the shop")
    assert len(_found(desk, desk.admin, "maya")) == 2


def test_a_merged_customer_is_found_under_the_new_record(desk: Desk) -> None:
    other = receive(desk.support, "m.okafor@work.example", "Second address", "Refund").conversation
    do_merge_customers(other.customer, desk.customer, desk.admin)
    assert set(_found(desk, desk.alice, "maya refund")) == {other.pk}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "checkout*",
        "NEAR(a b)",
        "a OR b AND NOT c",
        "(",
        "*",
        "'; DROP TABLE desk_message;--",
        "ü" * 600,
        "-",
        "🙂",
        "\x00",
        "a:b",
        "!@#$%^&*()",
    ],
)
def test_query_syntax_is_never_an_error(desk: Desk, query: str) -> None:
    response = desk.client_for(desk.alice).get(reverse("search"), {"q": query})
    assert response.status_code == 200


def test_long_result_lists_page_with_a_cursor(desk: Desk) -> None:
    for i in range(40):
        receive(desk.support, f"p{i}@x.example", f"Printer jam number {i}", f"Printer {i}")
    client = desk.client_for(desk.alice)
    first = client.get(reverse("search"), {"q": "printer"})
    before = first.context["page"].next_before
    second = client.get(reverse("search"), {"q": "printer", "before": before})
    pks = [c.pk for c in first.context["conversations"]] + [
        c.pk for c in second.context["conversations"]
    ]
    assert len(set(pks)) == 40
    assert client.get(reverse("search"), {"q": "printer", "before": "9" * 40}).status_code == 200
