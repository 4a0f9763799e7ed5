"""Snooze in a real browser: alice opens Maya's conversation, presses z and picks
"Tomorrow"; she is back in the inbox, Maya's row has left Active (and its count) and
waits in the Snoozed folder, "snoozed until" tomorrow. At phone width the control fits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Mailbox, Status
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    user = get_user_model().objects.create_user(
        "alice-snooze", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, time_zone="Europe/Berlin")
    agent.mailboxes.set([support])
    for email, name, text, subject, hours in [
        ("lee@example.com", "Lee Park", "Can I export invoices as CSV?", "CSV export", 1),
        ("maya@shop.example", "Maya Okafor", "Could you call me back next week?", "Call", 3),
    ]:
        message = do_receive_message(
            mailbox=support,
            customer=find_or_create_customer(email, name),
            text=text,
            subject=subject,
            received_at=timezone.now() - timedelta(hours=hours),
        )
    return message.conversation


def _sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", "alice-snooze")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))


def test_snoozing_from_the_page_takes_it_out_of_active(  # type: ignore[no-untyped-def]
    world, browser_page, screenshot_dir
) -> None:
    page = browser_page
    _sign_in(page)
    active = page.locator(".folders a.status-active .count")
    expect(active).to_have_text("2")
    page.locator("[data-row]", has_text="Call").locator("a").click()
    page.wait_for_url(f"**/c/{world.pk}/")

    page.keyboard.press("z")
    expect(page.locator("#snooze-select")).to_be_focused()
    page.select_option("#snooze-select", "tomorrow")  # the form sends itself on change
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("[data-row]", has_text="Call")).to_have_count(0)
    expect(active).to_have_text("1")
    expect(page.locator(".folders a.status-snoozed .count")).to_have_text("1")

    page.locator(".folders a.status-snoozed").click()
    row = page.locator("[data-row]", has_text="Call")
    expect(row.locator("time.snoozed")).to_contain_text("snoozed until")
    world.refresh_from_db()
    assert world.status == Status.ACTIVE and world.snoozed_until is not None
    page.screenshot(path=str(screenshot_dir / "snooze.png"), full_page=False)

    row.locator("a").click()
    expect(page.locator(".snoozed-until")).to_contain_text("Snoozed until")
    expect(page.locator(".event", has_text="snoozed this until")).to_be_visible()
    page.get_by_role("button", name="Unsnooze").click()
    expect(page.locator("#snooze-select")).to_be_visible()
    world.refresh_from_db()
    assert world.snoozed_until is None


def test_the_snooze_control_fits_a_phone(world, chromium, live_server, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _sign_in(page)
        page.goto(f"/c/{world.pk}/")
        for selector in ("#snooze-select", ".snooze-at input[name=until]", ".snooze-at button"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0, selector
            assert box["x"] + box["width"] <= PHONE["width"], (selector, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator("#snooze").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / "snooze-phone.png"), full_page=False)
    finally:
        context.close()
