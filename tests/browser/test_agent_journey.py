"""One agent's day, in a real browser: sign in, open an angry customer's conversation,
fold it to the facts, write a defensive draft and watch the coach catch it, fix it, send,
undo, send again; then a stranger from another mailbox fails to reach it by URL."""

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
from calmdesk.mail.models import Outbox, OutboxState
from calmdesk.receive import do_receive_message
from tests.browser.conftest import sign_out

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
ANGRY = (
    "This is the THIRD time I'm writing and nobody answers!!! Your update broke checkout "
    "on my shop and I'm losing sales every hour. Error: ERR_SYNC_TIMEOUT after updating "
    "to 4.2.1. How do I roll back?"
)


def _agent(username: str, mailbox: Mailbox, **profile) -> object:  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(
        f"{username}-browser", f"{username}@desk.example", PASSWORD, first_name=username.title()
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, **profile)
    agent.mailboxes.set([mailbox])
    return user


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    # A small demo desk around the journey, so the screenshots show a working inbox.
    generate(90, seed=2026, progress=False)
    reanalyze(progress=False)
    support = Mailbox.objects.get(slug="support")
    billing = Mailbox.objects.get(slug="billing")
    # A short cool-down and undo window keep the journey quick; the behaviour is the same.
    alice = _agent("alice", support, undo_seconds=60, cooldown_seconds=2)
    _agent("charlie", billing)
    customer = find_or_create_customer("maya@shop.example", "Maya Okafor")
    calm = find_or_create_customer("lee@example.com", "Lee Park")
    do_receive_message(
        mailbox=support,
        customer=calm,
        text="Quick question: can I export invoices as CSV? Thanks!",
        subject="CSV export",
        received_at=timezone.now() - timedelta(minutes=30),
    )
    message = do_receive_message(
        mailbox=support,
        customer=customer,
        text=ANGRY,
        subject="Checkout broken after update",
        received_at=timezone.now() - timedelta(hours=2),
    )
    return {"conversation": message.conversation, "alice": alice}


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", f"{username}-browser")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))


def test_agent_journey(browser_page, world, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    conversation = world["conversation"]
    _sign_in(page, "alice")

    row = page.locator("[data-row]", has_text="Checkout broken after update")
    expect(row.locator(".gauge")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "inbox.png"), full_page=False)

    row.locator("a").click()
    page.wait_for_url(f"**/c/{conversation.pk}/")
    reading = page.locator("[data-reading]").first
    expect(reading.locator(".gauge")).to_contain_text(re.compile("angry|frustrated"))
    expect(reading.locator(".stake-badge").first).to_be_visible()
    expect(reading.locator("mark").first).to_have_attribute("title", re.compile(".+"))
    page.screenshot(path=str(screenshot_dir / "conversation.png"), full_page=False)

    # The facts view folds the emotional sentences and keeps the error in view.
    emotional = reading.locator(".sentence.emotional").first
    expect(emotional).to_be_visible()
    reading.locator("[data-facts-toggle]").click()
    expect(emotional).to_be_hidden()
    expect(reading.locator(".sentence.informational", has_text="ERR_SYNC_TIMEOUT")).to_be_visible()
    reading.locator("[data-facts-toggle]").click()
    expect(emotional).to_be_visible()

    # A defensive draft: the coach points at the words, and Send waits for a re-read.
    draft = "Hi Maya, this is not our fault, the update works for everyone else."
    box = page.locator("#reply-body")
    box.fill(draft)
    finding = page.locator(".finding[data-code='CD101']")
    expect(finding).to_be_visible()
    start, end = int(finding.get_attribute("data-start")), int(finding.get_attribute("data-end"))
    assert "not our fault" in draft[start:end]
    send = page.locator("[data-send]")
    expect(send).to_be_disabled()
    page.screenshot(path=str(screenshot_dir / "coach.png"), full_page=True)
    # The pause is a pause, not a ban: once it has passed, Send opens even as it is.
    expect(send).to_be_enabled()

    # Rewritten with care, the finding goes and Send opens.
    box.fill(
        "Hi Maya, I'm sorry the update broke checkout while you're losing sales. "
        "Here is how to roll back to 4.2.0 while we fix ERR_SYNC_TIMEOUT."
    )
    expect(finding).to_have_count(0)
    expect(send).to_be_enabled()
    send.click()

    scheduled = page.locator(".message.kind-reply", has_text="roll back to 4.2.0")
    expect(scheduled).to_contain_text("Sending in")
    # Undo is a plain form: its page comes back (the pulse swapping the countdown around
    # the button must not swallow the click).
    with page.expect_navigation():
        scheduled.get_by_role("button", name="Undo").click()
    # Undone: the draft comes back into the composer, and nothing is queued.
    expect(page.locator("#reply-body")).to_have_value(re.compile("roll back to 4.2.0"))
    assert not Outbox.objects.filter(state=OutboxState.SCHEDULED).exists()

    page.locator("[data-send]").click()
    expect(page.locator(".message.kind-reply", has_text="roll back to 4.2.0").last).to_contain_text(
        "Sending in"
    )
    assert Outbox.objects.filter(state=OutboxState.SCHEDULED).count() == 1

    # charlie works in Billing: the conversation does not exist for him.
    sign_out(page)
    _sign_in(page, "charlie")
    response = page.goto(f"/c/{conversation.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Maya")
