"""The inbox's "needs care first" order: stakes, then heat, then waiting time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk import inbox
from calmdesk.desk.inbox import Cursor

from .conftest import Desk, receive

MESSAGES = [
    ("calm@x.example", "Quick question: can I change my invoice address?", 5),
    ("down@x.example", "Our shop is down and we are losing sales every minute.", 1),
    ("rude@x.example", "This is useless!!! Third time I'm writing. Nobody answers.", 3),
    ("thanks@x.example", "Thank you so much, it works now!", 4),
]


@pytest.fixture
def crowd(desk: Desk) -> dict[str, int]:
    now = timezone.now()
    ids = {}
    for email, text, hours in MESSAGES:
        message = receive(
            desk.support, email, text, "Help", received_at=now - timedelta(hours=hours)
        )
        ids[email] = message.conversation_id
    return ids


def _order(desk: Desk, query: str = "?sort=care") -> list[int]:
    response = desk.client_for(desk.alice).get(reverse("inbox") + query)
    assert response.status_code == 200
    return [c.pk for c in response.context["conversations"]]


def test_stakes_come_first_then_heat(desk: Desk, crowd: dict[str, int]) -> None:
    order = _order(desk)
    assert order.index(crowd["down@x.example"]) < order.index(crowd["rude@x.example"])
    assert order.index(crowd["rude@x.example"]) < order.index(crowd["calm@x.example"])
    assert order.index(crowd["rude@x.example"]) < order.index(crowd["thanks@x.example"])


def test_pages_in_care_order_neither_skip_nor_repeat(
    desk: Desk, crowd: dict[str, int], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    everything = _order(desk)
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    seen: list[int] = []
    query = "?sort=care"
    client = desk.client_for(desk.alice)
    for _ in range(10):
        response = client.get(reverse("inbox") + query)
        seen += [c.pk for c in response.context["conversations"]]
        cursor = response.context["next_cursor"]
        if not cursor:
            break
        query = f"?sort=care&after={cursor}"
    assert seen == everything


@pytest.mark.parametrize("raw", ["c1.5~x.3", "w123.4", "c" + "9" * 200, "c1e999~1.1"])
def test_a_bad_care_cursor_shows_the_first_page_with_a_note(desk: Desk, raw: str) -> None:
    response = desk.client_for(desk.alice).get(reverse("inbox") + f"?sort=care&after={raw}")
    assert response.status_code == 200
    assert response.context["f"].after is None


@pytest.mark.parametrize("score", [2.8300000000000001, 3.8122999999999996, 0.0, -1.0])
def test_care_cursor_round_trips_exactly(score: float) -> None:
    cursor = Cursor("c", timezone.now(), 42, score)
    assert Cursor.decode(cursor.encode()) == cursor
