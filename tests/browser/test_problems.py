"""Problems in a real browser: alice presses p on Maya's conversation and creates the
problem; on Lee's conversation the box suggests it (with the words they share) and one
click links it; she marks it fixed on the problem page, answers all (each draft listed
with the coach's findings), sends (the worker's job sends them; the page shows how far it
got), and takes one reply back. Screenshots of the problem
page and the product report; the problem page fits at 390 px."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Mailbox, Organisation
from calmdesk.problems.actions import do_create_problem, do_link_problem, do_set_problem_status
from calmdesk.problems.answer import send_queued_answers
from calmdesk.problems.models import AnswerItem, ItemState, ProblemKind, ProblemStatus
from calmdesk.problems.suggest import forget_index
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
PHONE = {"width": 390, "height": 844}
CUSTOMERS = [
    # email, name, organisation, plan, monthly revenue, text, subject, days ago
    (
        "maya@shop.example",
        "Maya Okafor",
        "Okafor Hats",
        "Pro",
        "290",
        "The inventory sync fails every night with ERR_SYNC_TIMEOUT since 4.2.1. "
        "Our stock is wrong every morning.",
        "Inventory sync fails",
        20,
    ),
    (
        "lee@store.example",
        "Lee Park",
        "Park & Sons",
        "Business",
        "790",
        "Inventory sync timed out again last night, ERR_SYNC_TIMEOUT. We oversold twelve jackets.",
        "Sync timeout",
        9,
    ),
    (
        "ana@tea.example",
        "Ana Souza",
        "",
        "Starter",
        "29",
        "My CSV import stops at row 1,204 every time. I have 3,000 products to bring in.",
        "CSV import",
        12,
    ),
    (
        "omar@books.example",
        "Omar Haddad",
        "Haddad Books",
        "Pro",
        "290",
        "Importing my catalogue from CSV stops at row 1204, no error shown.",
        "Import stops",
        3,
    ),
    (
        "kim@cards.example",
        "Kim Lee",
        "",
        "Pro",
        "290",
        "Can the invoices show our VAT number? Our accountant needs it.",
        "VAT on invoices",
        5,
    ),
]


@pytest.fixture
def world(transactional_db, settings):  # type: ignore[no-untyped-def]
    settings.DEFAULT_UNDO_SECONDS = 600  # the undo stays open through the test
    forget_index()
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    user = get_user_model().objects.create_user(
        "alice-problems", "alice@desk.example", PASSWORD, first_name="Alice", last_name="Moreau"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, time_zone="Europe/Berlin")
    agent.mailboxes.set([support])
    conversations = {}
    for email, name, org, plan, revenue, text, subject, days in CUSTOMERS:
        customer = find_or_create_customer(email, name)
        customer.organisation = Organisation.objects.create(name=org) if org else None
        customer.plan, customer.monthly_revenue = plan, Decimal(revenue)
        customer.revenue_currency = "EUR"
        customer.save()
        message = do_receive_message(
            mailbox=support,
            customer=customer,
            text=text,
            subject=subject,
            received_at=timezone.now() - timedelta(days=days),
        )
        conversations[subject] = message.conversation
    csv_problem = do_create_problem(user, "CSV import stops at row 1,204")
    for subject in ("CSV import", "Import stops"):
        do_link_problem(csv_problem, conversations[subject], user)
    do_set_problem_status(csv_problem, user, ProblemStatus.IN_PROGRESS)
    vat = do_create_problem(user, "VAT number on invoices", kind=ProblemKind.FEATURE)
    do_link_problem(vat, conversations["VAT on invoices"], user)
    yield conversations
    forget_index()


def _sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", "alice-problems")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))


def test_link_suggest_fix_answer_all_and_undo_one(  # type: ignore[no-untyped-def]
    world, browser_page, screenshot_dir
) -> None:
    page = browser_page
    _sign_in(page)
    maya, lee = world["Inventory sync fails"], world["Sync timeout"]

    page.goto(f"/c/{maya.pk}/")
    expect(page.locator("#problem-title")).to_be_visible()  # the box came in by htmx
    page.keyboard.press("p")
    expect(page.locator("#problem-title")).to_be_focused()
    page.keyboard.type("Nightly inventory sync times out")
    page.keyboard.press("Enter")
    expect(page.locator(".problem-links")).to_contain_text("Nightly inventory sync times out")
    expect(page.locator(".thread")).to_contain_text("linked the problem")

    page.goto(f"/c/{lee.pk}/")
    suggestion = page.locator(".problem-suggestion")
    expect(suggestion).to_contain_text("Nightly inventory sync times out")
    expect(suggestion).to_contain_text("err_sync_timeout")
    page.click("#link-suggested")
    expect(page.locator(".problem-links")).to_contain_text("Nightly inventory sync times out")

    page.locator(".problem-links a", has_text="Nightly inventory sync").click()
    expect(page.locator("#customers-affected")).to_have_text("2")
    expect(page.locator(".own-words")).to_contain_text("ERR_SYNC_TIMEOUT")
    page.screenshot(path=str(screenshot_dir / "problem.png"), full_page=True)
    page.select_option("#problem-status", "fixed")
    page.click("#problem-status-save")
    page.click("#answer-all")
    page.click("#answer-draft")
    items = page.locator(".answer-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Hi Maya")
    expect(items.nth(1)).to_contain_text("Hi Lee")
    page.click("#answer-send")
    expect(page.locator(".flash")).to_contain_text("2 replies are on their way")
    expect(page.locator("#answer-progress")).to_contain_text("Sending: 0 of 2 sent.")
    # The worker's job sends them; run it with the page off the desk (the live server and
    # this thread share one in-memory SQLite connection, and the page polls its progress).
    batch_url = page.url
    page.goto("about:blank")
    assert send_queued_answers(timezone.now()) == 2
    page.goto(batch_url)
    expect(page.locator("#answer-progress")).to_contain_text("Sent 2")
    page.locator(".answer-item", has_text="Hi Lee").locator(".undo-one").click()
    expect(page.locator(".answer-item", has_text="Hi Lee")).to_contain_text("Undone")
    states = dict(AnswerItem.objects.values_list("conversation_id", "state"))
    assert states == {maya.pk: ItemState.SENT, lee.pk: ItemState.UNDONE}

    page.goto("/problems/report/")
    expect(page.locator(".report-table tbody tr")).to_have_count(3)
    page.screenshot(path=str(screenshot_dir / "product-report.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(f"/c/{maya.pk}/")
    expect(page.locator("#problem-title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(".problem-links a").first.click()
    expect(page.locator("#customers-affected")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
