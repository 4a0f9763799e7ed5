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
        "tag:\x00 from:\x00maya org:a\x00 mailbox:\x00",
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


def _row_html(response, pk: int) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    start = html.index(f'href="{reverse("conversation", args=[pk])}"')
    return html[start : html.index("</li>", start)]


def test_the_snippet_is_the_matching_text_highlighted(desk: Desk) -> None:
    receive(
        desk.support,
        "maya@shop.example",
        "Another thing: " + "filler words here. " * 30 + "The webhook retries forever.",
        conversation=desk.conversation,
    )
    receive(desk.support, "maya@shop.example", "Any news?", conversation=desk.conversation)
    response = desk.client_for(desk.alice).get(reverse("search"), {"q": "webhook"})
    row = _row_html(response, desk.conversation.pk)
    assert "The <mark>webhook</mark> retries forever." in row
    assert "Any news?" not in row  # the latest message, not the one that matched
    assert "… " in row  # cut before the match, so the match is in view


def test_a_phrase_and_the_subject_are_marked_whole(desk: Desk) -> None:
    response = desk.client_for(desk.alice).get(reverse("search"), {"q": '"losing sales" checkout'})
    row = _row_html(response, desk.conversation.pk)
    assert "<mark>Checkout</mark> broken" in row
    assert "I am <mark>losing sales</mark>." in row
    assert "My <mark>checkout</mark> is broken" in row


def test_case_and_accents_match_as_the_index_does(desk: Desk) -> None:
    from django.db import connection

    message = receive(desk.support, "zoe@x.example", "Le CAFÉ est fermé.", "Café")
    # FTS5 folds accents (remove_diacritics); PostgreSQL's 'simple' configuration does not.
    queries = ["café", "cafe"] if connection.vendor == "sqlite" else ["café"]
    for q in queries:
        response = desk.client_for(desk.alice).get(reverse("search"), {"q": q})
        row = _row_html(response, message.conversation_id)
        assert "<mark>Café</mark>" in row and "Le <mark>CAFÉ</mark> est" in row


def test_the_matching_text_is_escaped(desk: Desk) -> None:
    message = receive(
        desk.support,
        "eve@x.example",
        "<script>alert(1)</script> and <b>bold</b> payload <mark>fake</mark>",
        "<img src=x onerror=alert(2)> payload",
    )
    response = desk.client_for(desk.alice).get(reverse("search"), {"q": "payload"})
    row = _row_html(response, message.conversation_id)
    assert "<script>" not in row and "<img" not in row and "<b>" not in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "&lt;mark&gt;fake&lt;/mark&gt;" in row
    assert row.count("<mark>") == 2  # the word, in the subject and the body


def test_operators_reach_the_page_and_bad_ones_say_why(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    tagged = client.get(reverse("search"), {"q": "tag:nosuch charged"})
    assert tagged.status_code == 200
    assert "No tag “nosuch”." in tagged.content.decode()
    assert [c.pk for c in tagged.context["conversations"]] == [desk.billing_conversation.pk]
    status = client.get(reverse("search"), {"q": "status:open"})
    assert "There is no status “open”" in status.content.decode()
    only = client.get(reverse("search"), {"q": "mailbox:billing"})
    assert [c.pk for c in only.context["conversations"]] == [desk.billing_conversation.pk]


def test_charlie_never_sees_support_through_an_operator(desk: Desk) -> None:
    client = desk.client_for(desk.charlie)
    for q in ("mailbox:support", "from:maya", "assignee:alice", f"CD-{desk.conversation.token}"):
        response = client.get(reverse("search"), {"q": q})
        # A mailbox he cannot see is dropped as a missing one: his own remain.
        assert {c.mailbox_id for c in response.context["conversations"]} <= {desk.billing.pk}, q
        assert b"Checkout broken" not in response.content


def test_the_help_lists_every_operator(desk: Desk) -> None:
    html = desk.client_for(desk.alice).get(reverse("search")).content.decode()
    assert "<details" in html
    for example in ("tag:", "from:", "status:", "assignee:", "mailbox:", "org:", "CD-", "&quot;"):
        assert example in html, example


def test_operators_alone_page_newest_conversation_first(desk: Desk) -> None:
    from calmdesk.desk.actions import do_add_tag

    opened = []
    for i in range(30):
        conversation = receive(desk.support, f"t{i}@x.example", "Hello", f"Tagged {i}").conversation
        do_add_tag(conversation, desk.alice, "vip")
        opened.append(conversation.pk)
    first = search(desk.alice, "tag:vip status:active")
    assert first.next_before is not None
    second = search(desk.alice, "tag:vip status:active", before=first.next_before)
    assert second.next_before is None
    found = [c.pk for c in first.conversations + second.conversations]
    assert found == sorted(opened, reverse=True)
