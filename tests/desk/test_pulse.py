"""The conversation page's one poll, its pulse: alice has Maya's conversation open and
asks with the ETag of the last answer. Nothing changed: a 304, in a few queries and no
rendering. A customer message, a teammate's event, a reply counting down, bob opening the
conversation: a 200 that says so. charlie, of Billing, gets a 404."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import Presence
from calmdesk.desk.actions import do_add_tag, do_change_status
from calmdesk.mail import sendstate
from calmdesk.mail.actions import do_send_reply

from .conftest import Desk, receive

# A 304 costs: the session and its user, the agent, the conversation with its newest
# message and event, the replies on their way, who is here. Nothing else.
QUERIES_UNCHANGED = 7


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    stopped = Clock()
    monkeypatch.setattr(sendstate, "clock", stopped)
    return stopped


def _url(desk: Desk, seen_message: int | None = None, seen_event: int | None = None) -> str:
    params = []
    if seen_message is not None:
        params.append(f"m={seen_message}")
    if seen_event is not None:
        params.append(f"e={seen_event}")
    return reverse("conversation_pulse", args=[desk.conversation.pk]) + "?" + "&".join(params)


class Page:
    """An open conversation page: it asks with the ETag of its last answer."""

    def __init__(self, client: Client, url: str) -> None:
        self.client, self.url, self.etag = client, url, ""

    def ask(self) -> tuple[int, str]:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = self.client.get(self.url, headers=headers)
        if response.status_code == 200:
            self.etag = response["ETag"]
        return response.status_code, response.content.decode()


def _open(desk: Desk, user: object) -> Page:
    latest = desk.conversation.messages.order_by("-id").values_list("id", flat=True).first()
    event = desk.conversation.events.order_by("-id").values_list("id", flat=True).first()
    page = Page(desk.client_for(user), _url(desk, latest, event or 0))
    status, _ = page.ask()
    assert status == 200
    return page


def test_nothing_changed_is_a_304_without_a_body(desk: Desk, clock: Clock) -> None:
    page = _open(desk, desk.alice)
    clock.tick(2)
    status, body = page.ask()
    assert (status, body) == (304, "")
    clock.tick(20)  # alice's own presence is refreshed, which changes nothing she sees
    assert page.ask() == (304, "")


def test_an_unchanged_answer_costs_a_few_queries(desk: Desk, clock: Clock) -> None:
    page = _open(desk, desk.alice)
    page.ask()
    clock.tick(1)
    with CaptureQueriesContext(connection) as queries:
        assert page.ask()[0] == 304
    for query in queries.captured_queries:  # shown when the test fails
        print(query["sql"][:300])
    assert len(queries) == QUERIES_UNCHANGED
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) for q in queries)


def test_the_pulse_refreshes_the_agents_presence_only_when_it_ages(
    desk: Desk, clock: Clock
) -> None:
    page = _open(desk, desk.alice)
    first = Presence.objects.get(user=desk.alice).seen_at
    clock.tick(3)
    page.ask()
    assert Presence.objects.get(user=desk.alice).seen_at == first
    clock.tick(10)
    with CaptureQueriesContext(connection) as queries:
        assert page.ask()[0] == 304
    assert len(queries) == QUERIES_UNCHANGED + 1  # the one upsert
    assert Presence.objects.get(user=desk.alice).seen_at == clock.now


def test_a_customer_message_is_news(desk: Desk, clock: Clock) -> None:
    page = _open(desk, desk.alice)
    receive(desk.support, "maya@shop.example", "Any news?", conversation=desk.conversation)
    status, body = page.ask()
    assert status == 200
    assert "Since you opened this:" in body and "1 new message" in body
    assert reverse("conversation", args=[desk.conversation.pk]) in body
    assert page.ask()[0] == 304


def test_a_teammates_event_is_news_and_alices_own_is_not(desk: Desk, clock: Clock) -> None:
    page = _open(desk, desk.alice)
    do_add_tag(desk.conversation, desk.bob, "checkout")
    status, body = page.ask()
    assert status == 200 and "1 change" in body
    do_change_status(desk.conversation, desk.alice, "pending")
    status, body = page.ask()
    assert status == 200 and "1 change" in body  # still only bob's


def test_the_first_answer_learns_the_newest_event(desk: Desk, clock: Clock) -> None:
    do_add_tag(desk.conversation, desk.bob, "checkout")
    latest = desk.conversation.messages.order_by("-id")[0].pk
    page = Page(desk.client_for(desk.alice), _url(desk, latest))
    status, body = page.ask()
    newest_event = desk.conversation.events.order_by("-id")[0].pk
    assert status == 200 and f"e={newest_event}" in body and "change" not in body


def test_a_reply_counts_down_then_stops_asking_by_the_second(desk: Desk, clock: Clock) -> None:
    reply = do_send_reply(desk.conversation, desk.alice, "On it.")
    clock.now = reply.outbox.send_at - timedelta(seconds=20)
    page = _open(desk, desk.alice)
    status, body = page.ask()
    assert status == 304
    clock.tick(1)
    status, body = page.ask()
    assert status == 200
    # Only the seconds come again: the Undo form beside them stays as it is in the page.
    assert f'id="send-count-{reply.pk}"' in body and 'hx-swap-oob="true"' in body
    assert f'id="send-state-{reply.pk}"' not in body and "Undo" not in body
    assert "Sending in 19 seconds" in body and 'hx-trigger="every 1s"' in body
    assert "hx-get" in body and "mail/send-state" not in body  # the span does not poll
    reply.outbox.state = "sent"
    reply.outbox.sent_at = clock.now
    reply.outbox.save()
    status, body = page.ask()
    assert status == 200 and "Sent at" in body and 'hx-trigger="every 3s"' in body
    assert f'id="send-state-{reply.pk}"' in body
    clock.tick(5)
    assert page.ask()[0] == 304


def test_a_teammate_opening_it_is_a_change(desk: Desk, clock: Clock) -> None:
    page = _open(desk, desk.alice)
    _open(desk, desk.bob)
    status, body = page.ask()
    assert status == 200 and "Bob is viewing" in body
    assert page.ask()[0] == 304
    clock.tick(31)  # bob closed it: his row ages out
    status, body = page.ask()
    assert status == 200 and "Bob is viewing" not in body


def test_the_page_asks_once_for_the_whole_page(desk: Desk, clock: Clock) -> None:
    for text in ("One.", "Two.", "Three."):
        do_send_reply(desk.conversation, desk.alice, text)
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    html = page.content.decode()
    assert html.count("data-pulse") == 1 and html.count('hx-trigger="load, every 3s"') == 1
    assert "mail/send-state" not in html


def test_another_mailboxs_agent_gets_a_404(desk: Desk) -> None:
    response = desk.client_for(desk.charlie).get(_url(desk, 0, 0))
    assert response.status_code == 404
    assert not Presence.objects.filter(user=desk.charlie).exists()
