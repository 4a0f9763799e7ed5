"""Search finds the same pages whichever way the database is made to read them.

On PostgreSQL a search reads the newest messages in order (a walk) and, when a page is not
found there, walks on or asks the word index for what is older (calmdesk.desk.search); on
SQLite FTS5 reads matches newest first. Here the walk is made tiny, so a desk of a few
dozen messages takes every path a million conversations would, and each path must give
the pages the plain reading gives: the newest matching messages, grouped by conversation,
followed page by page. Run on SQLite and again on PostgreSQL (scripts/run-tests)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calmdesk.desk import search as search_module
from calmdesk.desk.actions import do_assign
from calmdesk.desk.models import Customer, Organisation
from calmdesk.desk.search import search

from .conftest import Desk, receive

# (WALK, INDEX_VISIT): how far the first walk reads, and what the word index is thought
# to cost per match (0: always the index after a short walk; huge: always walk on).
WAYS = {
    "one walk": (10_000, 16),
    "short walk, then the index": (3, 0),
    "short walk, walking on": (3, 10**9),
    "one message, then the index": (1, 0),
    "one message, walking on": (1, 10**9),
}
QUERIES = [
    "printer",
    "toner",
    "printer toner",
    "jam*",
    '"paper jam"',
    "assignee:me printer",
    "status:active toner",
    "acme",  # an organisation's name: its customers' conversations, whatever they say
    "nothing matches this",
]


@pytest.fixture
def printers(desk: Desk) -> Desk:
    """Sixteen Support conversations about a printer (every third also about toner, every
    fourth with a paper jam), two messages each, some of them alice's; Billing's printer
    conversations in between, which alice must never see; and an organisation, Acme, whose
    customer writes about something else."""
    acme = Organisation.objects.create(name="Acme Printing")
    for i in range(16):
        words = "toner low" if i % 3 == 0 else "ink smudges"
        jam = " and a paper jam" if i % 4 == 0 else ""
        first = receive(
            desk.support, f"p{i}@x.example", f"The printer {i} has {words}{jam}.", f"Printer {i}"
        )
        receive(desk.billing, f"b{i}@x.example", f"Printer invoice {i}, toner", "Printer bill")
        receive(desk.support, f"p{i}@x.example", "Still waiting.", conversation=first.conversation)
        if i % 2:
            do_assign(first.conversation, desk.alice, desk.alice)
        if i == 5:
            Customer.objects.filter(pk=first.conversation.customer_id).update(organisation=acme)
    return desk


def _pages(user, query: str) -> list[list[int]]:  # type: ignore[no-untyped-def]
    pages, before = [], None
    for _page in range(20):
        page = search(user, query, before=before)
        pages.append([c.pk for c in page.conversations])
        before = page.next_before
        if before is None:
            return pages
    raise AssertionError("the cursor never ended")


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of four conversations made of eight messages: several pages on this desk."""
    monkeypatch.setattr(search_module, "PAGE_SIZE", 4)
    monkeypatch.setattr(search_module, "FETCH", 8)


@pytest.mark.parametrize("query", QUERIES)
def test_every_way_of_reading_finds_the_same_pages(
    printers: Desk, small_pages: None, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    found = {}
    for name, (walk, visit) in WAYS.items():
        monkeypatch.setattr(search_module, "WALK", walk)
        monkeypatch.setattr(search_module, "INDEX_VISIT", visit)
        found[name] = _pages(printers.alice, query)
    plain = found.pop("one walk")
    for name, pages in found.items():
        assert pages == plain, (query, name)
    everything = [pk for page in plain for pk in page]
    assert len(set(everything)) == len(everything)  # no conversation on two pages


def test_the_pages_are_the_newest_matches_first(printers: Desk, small_pages: None) -> None:
    for walk, visit in WAYS.values():
        search_module.WALK, search_module.INDEX_VISIT = walk, visit
        try:
            toner = [pk for page in _pages(printers.alice, "toner") for pk in page]
            billing = [pk for page in _pages(printers.charlie, "printer") for pk in page]
        finally:
            search_module.WALK, search_module.INDEX_VISIT = WAYS["one walk"]
        support = printers.support.conversations.order_by("-pk")
        assert toner == [c.pk for c in support if "toner" in c.messages.first().body_text]
        assert billing == list(
            printers.billing.conversations.filter(subject="Printer bill")
            .order_by("-pk")
            .values_list("pk", flat=True)
        )


def test_a_common_word_on_a_small_desk_is_one_statement(printers: Desk) -> None:
    with CaptureQueriesContext(connection) as statements:
        search(printers.alice, "printer")
    matched = [q["sql"] for q in statements.captured_queries if "desk_search" in q["sql"]]
    assert len(matched) == 1


def test_postgres_takes_the_way_the_density_says(
    printers: Desk, small_pages: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[str] = []
    walked, older = search_module._walked, search_module._older
    monkeypatch.setattr(search_module, "_walked", lambda *a: taken.append("walk") or walked(*a))
    monkeypatch.setattr(search_module, "_older", lambda *a: taken.append("index") or older(*a))
    if connection.vendor != "postgresql":
        # SQLite's FTS5 reads matches newest first by itself: neither way is ever taken.
        monkeypatch.setattr(search_module, "WALK", 3)
        assert search(printers.alice, "printer")
        search(printers.alice, "nothing matches this")
        assert taken == []
        return
    for walk, visit, way in (
        (10_000, 16, ["walk"]),  # the whole desk in one walk
        (3, 0, ["walk", "index"]),  # the index is thought cheap: asked for the rest
        (3, 10**9, ["walk", "walk"]),  # the index is thought dear: the walk goes on
    ):
        monkeypatch.setattr(search_module, "WALK", walk)
        monkeypatch.setattr(search_module, "INDEX_VISIT", visit)
        taken.clear()
        search(printers.alice, "printer")
        assert taken == way, (walk, visit)
    taken.clear()
    search(printers.alice, "nothing matches this")  # no match in the walk: the index
    assert taken == ["walk", "index"]
