"""Presence in two real browsers: alice (at a desk) and bob (on a phone, 390 px) open Maya's
conversation. Alice sees "Bob is viewing", then "Bob is typing a reply" once he types; her
page's one poll gets 304s while nothing changes; Maya writes again and alice's page says
so; alice sends and her reply's countdown moves through the same poll. Bob's page does
not scroll sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Mailbox
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    for username, first_name in [("alice-here", "Alice"), ("bob-here", "Bob")]:
        user = get_user_model().objects.create_user(
            username, f"{username}@desk.example", PASSWORD, first_name=first_name
        )
        Agent.objects.create(user=user, role=Role.AGENT).mailboxes.set([support])
    message = do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("maya@shop.example", "Maya Okafor"),
        text="Checkout is broken since this morning: ERR_SYNC_TIMEOUT on 4.2.1.",
        subject="Checkout broken",
        received_at=timezone.now() - timedelta(hours=1),
    )
    return message.conversation


def _open(chromium, live_server, username: str, viewport: dict[str, int], url: str):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(20_000)  # two pages polling one test server
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))
    page.goto(url)
    return context, page


def test_two_agents_see_each_other(  # type: ignore[no-untyped-def]
    world, chromium, live_server, screenshot_dir
) -> None:
    url = f"/c/{world.pk}/"
    alice_context, alice = _open(
        chromium, live_server, "alice-here", {"width": 1100, "height": 760}, url
    )
    pulses: list[int] = []
    alice.on("response", lambda r: pulses.append(r.status) if "/pulse/" in r.url else None)
    bob_context, bob = _open(chromium, live_server, "bob-here", {"width": 390, "height": 844}, url)
    try:
        presence = alice.locator("#presence")
        expect(presence).to_have_text("Bob is viewing")
        expect(bob.locator("#presence")).to_have_text("Alice is viewing")
        bob.locator("#reply-body").fill("Hi Maya, I am looking at your checkout now.")
        expect(presence).to_have_text("Bob is typing a reply")
        # Nothing new: alice's page keeps asking and is answered 304, nothing swapped.
        alice.wait_for_event("response", lambda r: "/pulse/" in r.url and r.status == 304)
        assert 304 in pulses

        do_receive_message(
            mailbox=world.mailbox,
            customer=world.customer,
            text="Any news? We are losing orders.",
            conversation=world,
        )
        news = alice.locator("#thread-news")
        expect(news).to_have_text("Since you opened this: 1 new message. Show")
        bob.locator("#reply-body").press_sequentially(" Thanks for the version.")
        expect(presence).to_have_text("Bob is typing a reply")
        alice.screenshot(path=str(screenshot_dir / "presence.png"))
        bob.screenshot(path=str(screenshot_dir / "presence-phone.png"))
        width = bob.evaluate("document.documentElement.scrollWidth")
        assert width <= 390

        news.get_by_role("link", name="Show").click()
        expect(alice.locator(".message", has_text="Any news?")).to_be_visible()
        alice.locator("#reply-body").fill("Hi Maya, a fix is going out now.")
        alice.locator("[data-send]").click()
        state = alice.locator(".message.kind-reply .send-state")
        expect(state).to_contain_text("Sending in")
        first = state.inner_text()
        expect(state).not_to_have_text(first)  # the countdown moves through the pulse
    finally:
        bob_context.close()
        alice_context.close()
