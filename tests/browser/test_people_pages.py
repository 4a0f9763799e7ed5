"""The pages of the people of the desk in Chromium: the unread count in the top bar,
opening a notification, the settings page, and each of them (with People and "forgot
password") fitting a phone without scrolling sideways."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from calmdesk.accounts.invites import do_set_role
from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import do_add_note, do_assign, find_or_create_customer
from calmdesk.desk.models import Mailbox
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def told(transactional_db):  # type: ignore[no-untyped-def]
    """Dana (an admin) was given a conversation by alice and mentioned in her note."""
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    users = {}
    for username, first, role in (("dana", "Dana", Role.ADMIN), ("alice", "Alice", Role.AGENT)):
        user = get_user_model().objects.create_user(
            username, f"{username}@desk.example", PASSWORD, first_name=first, last_name="Demo"
        )
        agent = Agent.objects.create(user=user)
        agent.mailboxes.set([support])
        do_set_role(agent, role)
        users[username] = user
    customer = find_or_create_customer("maya@shop.example", "Maya Okafor")
    conversation = do_receive_message(
        mailbox=support, customer=customer, text="I was charged twice.", subject="Double charge"
    ).conversation
    do_assign(conversation, users["alice"], users["dana"])
    do_add_note(conversation, users["alice"], "@dana the refund needs an admin, can you check?")
    return conversation


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))


def test_dana_reads_her_notifications_and_sets_her_signature(
    browser_page, told, screenshot_dir
) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    _sign_in(page, "dana")
    bell = page.locator(".topbar .bell")
    expect(bell.locator(".unread")).to_have_text("2")
    bell.click()
    expect(page.locator(".notification.unread")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "notifications.png"))
    page.locator(".notification-title", has_text="mentioned you").click()
    page.wait_for_url(f"**/c/{told.pk}/")
    expect(page.locator(".topbar .bell .unread")).to_have_text("1")

    page.locator(".topbar .who").click()
    expect(page.locator("h1")).to_have_text("Your settings")
    expect(page.locator("main")).to_contain_text("Signed in as Dana Demo (Admin).")
    page.fill("#id_signature", "Dana, Fernhill support")
    page.fill("#id_cooldown_seconds", "15")
    page.click("button.primary")
    expect(page.locator(".flash")).to_contain_text("Settings saved.")
    expect(page.locator("#id_signature")).to_have_value("Dana, Fernhill support")
    page.screenshot(path=str(screenshot_dir / "settings.png"))


def test_the_people_pages_fit_a_phone(chromium, live_server, told) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/password/forgot/")
        expect(page.locator("#id_email")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _sign_in(page, "dana")
        for path in ("/notifications/", "/settings/", "/people/"):
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)
    finally:
        context.close()
