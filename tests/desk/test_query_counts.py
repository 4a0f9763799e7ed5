"""Each page costs a fixed number of queries, however busy the desk: the counts below are
measured on a small desk, then again after it has grown (more conversations, and more
messages, replies, notes, tags, attachments and events in the one alice opens). A query
run per row (an N+1) changes the second count and fails here.

When a change adds a query on purpose, update the number and say why in the commit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calmdesk.desk.actions import do_add_note, do_add_tag, do_assign
from calmdesk.desk.models import Attachment
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw
from tests.mail.conftest import make_mail

from .conftest import Desk, receive


def _grow(desk: Desk, start: int, count: int) -> None:
    """``count`` more conversations in Support, and as many more turns in alice's."""
    for n in range(start, start + count):
        opened = receive(
            desk.support, f"customer{n}@shop.example", f"The printer jams, case {n}.", f"Jam {n}"
        ).conversation
        do_assign(opened, desk.admin, desk.bob)
        do_add_tag(opened, desk.alice, f"printer-{n % 3}")
        do_send_reply(opened, desk.alice, f"Try the printer's reset, case {n}.")
        do_add_note(opened, desk.bob, f"Printer firmware, case {n}.")
        receive(
            desk.support,
            "maya@shop.example",
            f"Still failing, attempt {n}.",
            conversation=desk.conversation,
        )
        reply = do_send_reply(desk.conversation, desk.alice, f"Looking, attempt {n}.")
        shot = Attachment(message=reply, filename=f"shot{n}.png", content_type="image/png")
        shot.file.save(f"shot{n}.png", ContentFile(b"\x89PNG fake"), save=False)
        shot.size = 9
        shot.save()
        do_add_note(desk.conversation, desk.bob, f"Escalated, attempt {n}.")
        do_add_tag(desk.conversation, desk.alice, f"attempt-{n}")


def _count(run: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    for query in queries.captured_queries:  # shown when the test fails
        print(query["sql"][:300])
    return len(queries)


def _get(client: Client, url: str, params: dict[str, str] | None = None) -> Callable[[], object]:
    def run() -> None:
        assert client.get(url, params or {}).status_code == 200

    return run


def _post(client: Client, url: str, data: dict[str, str]) -> Callable[[], object]:
    def run() -> None:
        assert client.post(url, data).status_code == 200

    return run


PAGES = {
    "inbox": lambda desk, client: _get(client, reverse("inbox")),
    "inbox, needs care first": lambda desk, client: _get(
        client, reverse("inbox"), {"sort": "care"}
    ),
    "inbox, mine": lambda desk, client: _get(client, reverse("inbox"), {"assignee": "mine"}),
    "conversation": lambda desk, client: _get(
        client, reverse("conversation", args=[desk.conversation.pk])
    ),
    "search": lambda desk, client: _get(client, reverse("search"), {"q": "printer"}),
    "search, operators": lambda desk, client: _get(
        client,
        reverse("search"),
        {"q": 'printer tag:printer-1 from:shop.example status:active assignee:bob "the printer"'},
    ),
    "coach": lambda desk, client: _post(
        client,
        reverse("conversation_coach", args=[desk.conversation.pk]),
        {"body": "This is not our fault. As I already said, the printer works."},
    ),
}

# The number of queries each page makes, signed-in session and user included.
# Every full page counts the agent's unread notifications for the top bar (one query).
EXPECTED = {
    # The rows whose reply did not leave (failed or waiting for a retry), for their mark.
    # The agent's saved views (the sidebar; their counts come from the kept folder counts,
    # and the teammates' names with those counts in the same query).
    "inbox": 13,
    "inbox, needs care first": 12,
    "inbox, mine": 10,
    # The agent's own draft, restored into the composer; the conversation's participants,
    # whom a reply may go to instead of the customer.
    "conversation": 20,
    # The rows' matching messages, for the snippet of what matched (not the latest).
    "search": 9,
    "search, operators": 11,  # the tag looked up by name and bob by username, once each
    "coach": 9,  # the draft it carries is kept: one conditional UPDATE
}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_costs_the_same_queries_on_a_busy_desk(desk: Desk, page: str) -> None:
    client = desk.client_for(desk.alice)
    _grow(desk, 0, 3)
    request = PAGES[page](desk, client)
    request()  # the first request of a session may fill caches
    small = _count(request)
    _grow(desk, 3, 12)
    busy = _count(request)
    assert (small, busy) == (EXPECTED[page], EXPECTED[page])


def test_ingesting_a_message_costs_the_same_into_a_long_thread(desk: Desk) -> None:
    first = make_mail(message_id="<first@shop.example>", sender="Maya <maya@shop.example>")
    thread = ingest_raw(first, desk.support).message
    assert thread is not None

    def follow_up(n: int) -> Callable[[], object]:
        raw = make_mail(
            message_id=f"<follow{n}@shop.example>",
            sender="Maya <maya@shop.example>",
            subject="Re: Export fails",
            body=f"Still failing, attempt {n}.\n",
            extra="In-Reply-To: <first@shop.example>\r\n",
        )

        def run() -> None:
            outcome = ingest_raw(raw, desk.support)
            assert outcome.message is not None
            assert outcome.message.conversation_id == thread.conversation_id

        return run

    follow_up(0)()
    small = _count(follow_up(1))
    for n in range(2, 14):
        follow_up(n)()
        do_send_reply(thread.conversation, desk.alice, f"Looking, attempt {n}.")
    busy = _count(follow_up(14))
    assert (small, busy) == (INGEST_QUERIES, INGEST_QUERIES)


# A customer's follow-up into an existing conversation, from raw bytes to a stored,
# read message with its care row, and its conversation marked for the team's kept load.
INGEST_QUERIES = 13
