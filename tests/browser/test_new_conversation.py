"""Writing to a customer first, in a real browser: alice opens New conversation from the
inbox, fills in the address, opens Cc/Bcc and copies a colleague, writes (the coach
reads the first message), and sends at phone width (390 px) without anything scrolling
sideways; the conversation opens with the event, the copy and the countdown."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.models import Conversation, Mailbox
from calmdesk.mail.models import Participant

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def alice(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    user = get_user_model().objects.create_user(
        "alice-new", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, cooldown_seconds=0)
    agent.mailboxes.set([support])
    return user


def _fits(page: Page) -> None:
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"


def test_alice_writes_first_with_a_copy(alice, browser_page, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/login/")
    page.fill("#id_username", "alice-new")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))
    page.click("text=New conversation")
    page.wait_for_url("**/new/")
    page.fill("#new-to", "nia@shop.example")
    page.click("details.copies summary")
    page.fill("input[name=cc]", "lee@shop.example")
    page.fill("#new-subject", "Your export is ready")
    with page.expect_response(lambda r: "/new/coach/" in r.url):
        page.locator("#reply-body").press_sequentially("This is not our fault, but ")
    expect(page.locator(".finding").first).to_be_visible()  # the coach read it
    with page.expect_response(lambda r: "/new/coach/" in r.url):
        page.locator("#reply-body").fill(
            "Hi Nia, the export you asked for is ready in your account. Lee is copied."
        )
    expect(page.locator(".finding")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "new-conversation.png"), full_page=True)

    page.set_viewport_size(PHONE)
    _fits(page)
    send = page.locator("[data-send]")
    send.scroll_into_view_if_needed()
    expect(send).to_be_enabled()
    send.click()
    page.wait_for_url(re.compile(r"/c/\d+/$"))
    expect(page.locator(".event").first).to_contain_text(
        "started this conversation, writing to nia@shop.example"
    )
    expect(page.locator(".copies-sent")).to_contain_text("lee@shop.example")
    _fits(page)
    conversation = Conversation.objects.get(subject="Your export is ready")
    assert conversation.customer.primary_email == "nia@shop.example"
    assert list(Participant.objects.values_list("email", flat=True)) == ["lee@shop.example"]
    assert violations == []
