"""A team's day in a real browser: alice merges Maya's second thread into her first
(confirm, the result with its Undo, Undo, merge again), snoozes Lee's question with z,
then picks two rows with j and x and moves them to Pending, assigned to her, in one go;
the folder counts follow each step. At phone width the merge control and the bulk bar
fit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Conversation, Event, EventKind, Mailbox, Status
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    user = get_user_model().objects.create_user(
        "alice-day", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, time_zone="Europe/Berlin")
    agent.mailboxes.set([support])
    found = {}
    for email, name, text, subject, hours in [
        ("maya@shop.example", "Maya Okafor", "My checkout is broken since 9am.", "Checkout", 5),
        ("maya@shop.example", "Maya Okafor", "Now the cart empties too.", "Cart empties", 4),
        ("lee@example.com", "Lee Park", "Can I export invoices as CSV?", "CSV export", 3),
        ("sam@example.org", "Sam Reyes", "Please update our billing address.", "Address", 2),
        ("noor@example.net", "Noor Ali", "Where is my invoice for May?", "May invoice", 1),
    ]:
        message = do_receive_message(
            mailbox=support,
            customer=find_or_create_customer(email, name),
            text=text,
            subject=subject,
            received_at=timezone.now() - timedelta(hours=hours),
        )
        found[subject] = message.conversation
    return found


def _sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", "alice-day")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))


def _merge_cart_into_checkout(page, world) -> None:  # type: ignore[no-untyped-def]
    cart, checkout = world["Cart empties"], world["Checkout"]
    page.goto(f"/c/{cart.pk}/")
    page.locator("#merge summary").click()
    page.select_option("#merge-select", str(checkout.pk))
    page.locator("#merge form").first.get_by_role("button").click()
    expect(page.locator(".merge-confirm")).to_contain_text("moves into")
    page.locator("#confirm-merge").click()
    page.wait_for_url(f"**/c/{checkout.pk}/")


def test_merge_snooze_and_bulk_actions(world, browser_page, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    cart, checkout = world["Cart empties"], world["Checkout"]
    _sign_in(page)
    active = page.locator(".folders a.status-active .count")
    expect(active).to_have_text("5")

    # Merge, look at the result, undo it, and merge again.
    _merge_cart_into_checkout(page, world)
    thread = page.locator(".thread")
    expect(thread).to_contain_text("My checkout is broken since 9am.")
    expect(thread).to_contain_text("Now the cart empties too.")
    expect(page.locator(".event", has_text="into this conversation")).to_be_visible()
    undo = page.locator(".merge-undo")
    expect(undo).to_contain_text(f"Merged #{cart.pk}")
    page.screenshot(path=str(screenshot_dir / "merge.png"), full_page=False)
    undo.get_by_role("button", name="Undo").click()
    page.wait_for_url(f"**/c/{cart.pk}/")
    expect(page.locator(".thread")).to_contain_text("Now the cart empties too.")
    expect(page.locator(".thread")).not_to_contain_text("My checkout is broken")
    _merge_cart_into_checkout(page, world)
    page.goto(f"/c/{cart.pk}/")  # the merged one leads to the result
    page.wait_for_url(f"**/c/{checkout.pk}/")
    page.goto("/")
    expect(active).to_have_text("4")
    expect(page.locator(f'[data-row] a[href="/c/{cart.pk}/"]')).to_have_count(0)

    # Snooze Lee's question with z.
    page.locator("[data-row]", has_text="CSV export").locator("a").click()
    page.keyboard.press("z")
    page.select_option("#snooze-select", "tomorrow")
    page.wait_for_url(re.compile(r"/$"))
    expect(active).to_have_text("3")
    expect(page.locator(".folders a.status-snoozed .count")).to_have_text("1")

    # Bulk: j and x pick the first two rows; the bar appears with its count.
    bar = page.locator("#bulk-form")
    expect(bar).to_be_hidden()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(bar).to_be_visible()
    expect(bar.locator("[data-bulk-count]")).to_have_text("2 selected")
    picked = [
        int(v)
        for v in page.locator("[data-pick]:checked").evaluate_all("els => els.map(e => e.value)")
    ]
    bar.locator("select[name=assignee]").select_option("me")
    bar.locator("select[name=status]").select_option("pending")
    page.screenshot(path=str(screenshot_dir / "bulk.png"), full_page=False)
    bar.locator("#bulk-apply").click()
    expect(page.locator(".flash-success")).to_contain_text("Changed 2 conversations.")
    expect(active).to_have_text("1")
    expect(page.locator(".folders a.status-pending .count")).to_have_text("2")
    rows = Conversation.objects.filter(pk__in=picked)
    assert {(c.status, c.assignee.username) for c in rows} == {(Status.PENDING, "alice-day")}  # type: ignore[union-attr]
    assert Event.objects.filter(conversation__in=rows, kind=EventKind.STATUS).count() == 2


def test_merge_and_the_bulk_bar_fit_a_phone(world, chromium, live_server, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _sign_in(page)
        page.locator("[data-pick]").first.check()
        page.locator("[data-pick]").nth(1).check()
        expect(page.locator("#bulk-form")).to_be_visible()
        for field in page.locator(
            "#bulk-form select, #bulk-form input:visible, #bulk-form button"
        ).all():
            box = field.bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"], box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(screenshot_dir / "bulk-phone.png"), full_page=False)
        page.goto(f"/c/{world['Cart empties'].pk}/")
        page.locator("#merge summary").click()
        for selector in ("#merge-select", "#merge-number"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"], (selector, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
