"""At phone width (390 px, an iPhone 14's viewport) every page an agent works in fits the
screen: nothing scrolls sideways, the search box is usable, and the composer with the
coach's findings is whole, not cut off at the right edge."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.demo.generate import generate
from calmdesk.desk.models import Mailbox
from calmdesk.empathy.reanalyze import reanalyze
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "calm-and-precise-2026"
# A long unbroken token is what used to push pages wide: a URL, an error, an address.
LONG_WORD = "https://shop.example/checkout/session/" + "a1b2c3d4" * 12


@pytest.fixture
def phone_desk(transactional_db):  # type: ignore[no-untyped-def]
    generate(40, seed=2026, progress=False)
    reanalyze(progress=False)
    support = Mailbox.objects.get(slug="support")
    user = get_user_model().objects.create_user(
        "alice-phone", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, undo_seconds=60, cooldown_seconds=2)
    agent.mailboxes.set([support])
    customer = find_or_create_customer("maya.okafor.long.address@shop.example", "Maya Okafor")
    message = do_receive_message(
        mailbox=support,
        customer=customer,
        text=f"Checkout fails with ERR_SYNC_TIMEOUT on {LONG_WORD} and I'm losing sales.",
        subject="Checkout broken after the 4.2.1 update, every order since this morning",
        received_at=timezone.now() - timedelta(hours=2),
    )
    return message.conversation


@pytest.fixture
def phone(chromium, live_server):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _page_width(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _assert_within_screen(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)


def test_the_working_pages_fit_a_phone(phone, phone_desk, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    page = phone
    # The pages run under the Content-Security-Policy (no inline script): Chromium reports
    # any violation on the console.
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/login/")
    page.fill("#id_username", "alice-phone")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))

    # The inbox: rows on their own lines, the search box a real width.
    expect(page.locator("[data-row]").first).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    search_box = page.locator("#search-box").bounding_box()
    assert search_box is not None and search_box["width"] >= 300
    _assert_within_screen(page, "[data-row]")
    page.screenshot(path=str(screenshot_dir / "phone-inbox.png"))

    # The conversation with a long unbroken URL in it, and the composer with a finding.
    page.goto(f"/c/{phone_desk.pk}/")
    expect(page.locator(".message").first).to_contain_text("ERR_SYNC_TIMEOUT")
    assert _page_width(page) <= PHONE["width"]
    page.locator("#reply-body").fill("Hi Maya, this is not our fault, it works for everyone else.")
    finding = page.locator(".finding[data-code='CD101']")
    expect(finding).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    for selector in ("#reply-body", ".finding[data-code='CD101']", "[data-send]"):
        _assert_within_screen(page, selector)
    finding.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "phone-composer.png"))

    # Search: the result rows stay inside their card.
    page.goto("/search/?q=checkout")
    expect(page.locator("[data-row]").first).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    _assert_within_screen(page, "[data-row]")
    page.screenshot(path=str(screenshot_dir / "phone-search.png"))

    # API tokens: a new token's long value and the tokens table stay on the screen.
    page.goto("/settings/api-tokens/")
    page.fill("#id_name", "Phone automation")
    page.click("button.primary")
    expect(page.locator("code.api-token")).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    _assert_within_screen(page, "code.api-token")
    page.screenshot(path=str(screenshot_dir / "phone-api-tokens.png"))
    assert violations == []
