"""A saved reply with variables in a real browser: choosing it shows it filled in for
this conversation (the customer's first name, the agent's name); Cancel leaves the draft
alone; Insert puts the filled-in text in as typed, so the coach reads it and Ctrl+Z
takes it back; a reply with an unknown variable shows the error and offers no Insert."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Conversation, Mailbox, SavedReply
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
BODY = (
    "Hi {customer.first_name},\n\nAs I already said, please clear your cache and reinstall "
    "the plugin. That will fix it.\n\nBest, {agent.name}"
)
FILLED = (
    "Hi Maya,\n\nAs I already said, please clear your cache and reinstall the plugin. "
    "That will fix it.\n\nBest, Alice"
)


@pytest.fixture
def maya(transactional_db) -> Conversation:  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    user = get_user_model().objects.create_user(
        "alice-saved", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, cooldown_seconds=0)
    agent.mailboxes.set([support])
    SavedReply.objects.create(mailbox=support, title="Cache steps", body=BODY)
    # Saved around the model's check (as an old row could be): shown, never inserted.
    SavedReply.objects.create(mailbox=support, title="Broken", body="Hi {first_name},")
    return do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("maya@shop.example", "Maya Okafor"),
        text="Checkout is broken on my shop. Error: ERR_SYNC_TIMEOUT after updating to 4.2.1.",
        subject="Checkout broken after update",
        received_at=timezone.now(),
    ).conversation


def _open(page: Page, conversation: Conversation) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/login/")
    page.fill("#id_username", "alice-saved")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))
    # The page's first coach check (on load) has answered once this returns.
    with page.expect_response(lambda r: f"/c/{conversation.pk}/coach/" in r.url):
        page.goto(f"/c/{conversation.pk}/")
    return violations


def test_a_saved_reply_is_previewed_filled_in_then_inserted_as_typed(  # type: ignore[no-untyped-def]
    maya, browser_page, screenshot_dir
) -> None:
    page = browser_page
    violations = _open(page, maya)
    box = page.locator("#reply-body")
    choose = page.locator("[data-saved-reply]")
    preview = page.locator("[data-saved-preview]")

    # Cancel: the preview goes, the draft stays empty.
    choose.select_option(label="Cache steps")
    expect(page.locator("[data-saved-text]")).to_have_text(FILLED)
    page.locator("[data-saved-cancel]").click()
    expect(preview).to_have_count(0)
    expect(box).to_have_value("")

    # An unknown variable: its error, and nothing to insert.
    choose.select_option(label="Broken")
    expect(preview.locator(".error")).to_contain_text("Unknown variable {first_name}")
    expect(page.locator("[data-saved-insert]")).to_have_count(0)
    page.locator("[data-saved-cancel]").click()

    choose.select_option(label="Cache steps")
    expect(page.locator("[data-saved-text]")).to_contain_text("Hi Maya,")
    page.locator("#composer").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "saved-reply-preview.png"))

    # Insert: the filled-in text, as typed, so the coach reads it...
    unreproduced = page.locator(".finding[data-code='CD114']")
    with page.expect_response(lambda r: f"/c/{maya.pk}/coach/" in r.url):
        page.locator("[data-saved-insert]").click()
    expect(box).to_have_value(FILLED)
    expect(preview).to_have_count(0)
    expect(unreproduced).to_be_visible()
    # ...and Ctrl+Z takes it back, the coach following.
    box.press("Control+z")
    expect(box).to_have_value("")
    expect(unreproduced).to_have_count(0)
    assert violations == []


def test_the_preview_fits_a_phone(maya, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    violations = _open(page, maya)
    page.locator("[data-saved-reply]").select_option(label="Cache steps")
    expect(page.locator("[data-saved-text]")).to_have_text(FILLED)
    assert int(page.evaluate("document.documentElement.scrollWidth")) <= 390
    page.locator("[data-saved-insert]").click()
    expect(page.locator("#reply-body")).to_have_value(FILLED)
    assert violations == []
