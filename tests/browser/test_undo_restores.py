"""Undo in a real browser: alice answers Maya with "then set Pending", takes it back
within the window, and finds Maya's conversation back in Active, still waiting since
her message, with nothing counted for the reply that never left."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

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
# Written with the other screenshots of a run; docs/screenshots keeps copies.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    user = get_user_model().objects.create_user(
        "alice-undo", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    # A long undo window, so the click is never racing the worker; no cool-down.
    agent = Agent.objects.create(user=user, role=Role.AGENT, undo_seconds=120, cooldown_seconds=0)
    agent.mailboxes.set([support])
    for email, name, text, subject, hours in [
        ("lee@example.com", "Lee Park", "Can I export invoices as CSV?", "CSV export", 1),
        ("sam@example.org", "Sam Ode", "How do I add a teammate?", "Adding a teammate", 2),
    ]:
        do_receive_message(
            mailbox=support,
            customer=find_or_create_customer(email, name),
            text=text,
            subject=subject,
            received_at=timezone.now() - timedelta(hours=hours),
        )
    message = do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("maya@shop.example", "Maya Okafor"),
        text="Checkout has been failing since this morning. Could you take a look?",
        subject="Checkout failing",
        received_at=timezone.now() - timedelta(hours=3),
    )
    return message.conversation


def test_undo_puts_the_conversation_back_in_active(world, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    conversation = world
    before = (conversation.status, conversation.waiting_since, conversation.message_count)
    page.goto("/login/")
    page.fill("#id_username", "alice-undo")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))
    row = page.locator("[data-row]", has_text="Checkout failing")
    expect(row.locator("time.waiting")).to_be_visible()
    waited = row.locator("time.waiting").get_attribute("datetime")

    row.locator("a").click()
    page.wait_for_url(f"**/c/{conversation.pk}/")
    page.locator("#reply-body").fill("Hi Maya, thanks for the details. I'm checking it now.")
    page.select_option("select[name=then_status]", "pending")
    page.locator("[data-send]").click()
    sent = page.locator(".message.kind-reply", has_text="checking it now")
    expect(sent).to_contain_text("Sending in")
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING and conversation.waiting_since is None

    with page.expect_navigation():
        sent.get_by_role("button", name="Undo").click()
    expect(page.locator(".message.kind-withdrawn")).to_contain_text("Undone")
    expect(page.locator(".event", has_text="undid sending a reply")).to_contain_text(
        "the status is active again"
    )
    conversation.refresh_from_db()
    assert (conversation.status, conversation.waiting_since, conversation.message_count) == before

    page.goto("/")
    row = page.locator("[data-row]", has_text="Checkout failing")
    expect(row).to_be_visible()
    expect(row.locator("time.waiting")).to_have_attribute("datetime", waited or "")
    expect(row.locator(".n")).to_have_count(0)  # one message: the reply is not counted
    # Waited longest, so it is first again in "Waiting longest".
    page.goto("/?sort=waiting")
    expect(page.locator("[data-row]").first).to_contain_text("Checkout failing")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "undo-restored.png"), full_page=False)
