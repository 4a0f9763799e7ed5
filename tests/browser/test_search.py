"""Search in a real browser: alice types operators with a phrase, finds the one
conversation they describe with the phrase marked, reads the operators' help, and going
back (the link or ``u``) returns her to the results and to the filtered, sorted inbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import do_add_tag, find_or_create_customer
from calmdesk.desk.models import Mailbox
from calmdesk.receive import do_receive_message

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
# Does the first result row fit its card, and the page the window?
FITS = """() => {
    const card = document.querySelector('.rows');
    const link = card.querySelector('[data-row] a.row-link');
    return [link.scrollWidth <= card.clientWidth,
            document.documentElement.scrollWidth <= window.innerWidth];
}"""
LONG_URL = "https://shop.example/billing/invoices/2026/" + "receipt-0a1b2c3d4e5f" * 8


def _receive(mailbox, email, name, subject, text, hours):  # type: ignore[no-untyped-def]
    return do_receive_message(
        mailbox=mailbox,
        customer=find_or_create_customer(email, name),
        text=text,
        subject=subject,
        received_at=timezone.now() - timedelta(hours=hours),
    ).conversation


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    billing = Mailbox.objects.create(name="Billing", slug="billing", email="billing@desk.example")
    user = get_user_model().objects.create_user(
        "alice-search", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT)
    agent.mailboxes.set([support, billing])
    twice = _receive(
        billing,
        "maya@shop.example",
        "Maya Okafor",
        "Invoice for March",
        "Hello, I looked at my card statement this morning and you charged twice for the "
        f"March invoice. The receipt is at {LONG_URL} and it shows one payment. "
        "Please refund the second charge.",
        5,
    )
    do_add_tag(twice, user, "billing")
    untagged = _receive(
        billing, "omar@books.example", "Omar Haddad", "Double charge", "I was charged twice.", 4
    )
    other = _receive(
        support,
        "maya@shop.example",
        "Maya Okafor",
        "Checkout broken",
        "Checkout fails since this morning; billing looks fine.",
        3,
    )
    do_add_tag(other, user, "billing")
    for n in range(4):
        _receive(support, f"c{n}@x.example", f"Customer {n}", f"Question {n}", "Hello?", 2 - n)
    crowded = _receive(
        support,
        "averyveryverylongaddressforsomeone@averyveryverylongdomainname.example",
        "",
        "Overflow" + "-and-more" * 12,
        "Overflow: " + "x" * 300,
        1,
    )
    for n in range(8):
        do_add_tag(crowded, user, f"a-rather-long-tag-{n}")
    return {"twice": twice, "untagged": untagged, "other": other}


def _sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("#id_username", "alice-search")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))


def test_operators_find_and_mark_the_match(world, browser_page, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    _sign_in(page)
    page.keyboard.press("/")
    expect(page.locator("#search-box")).to_be_focused()
    page.keyboard.type('tag:billing from:maya "charged twice"')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))

    rows = page.locator("[data-row]")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text("Invoice for March")
    expect(row.locator("mark")).to_have_text(["charged twice"])
    expect(row.locator(".snippet")).to_contain_text("The receipt is at https://shop.example")
    # However long the URL in the match, the row stays inside its card.
    assert page.evaluate(FITS) == [True, True]

    page.screenshot(path=str(screenshot_dir / "search-operators.png"), full_page=False)

    # The help is a popover: it lists the operators over the results, moving nothing,
    # and stays on the screen at phone width too.
    help_box = page.locator("details.search-help")
    panel = help_box.locator(".panel")
    expect(panel).to_be_hidden()
    row_top = row.bounding_box()["y"]
    help_box.locator("summary").click()
    for example in ("tag:billing", "from:maya", "status:pending", "assignee:me", "org:northwind"):
        expect(panel).to_contain_text(example)
    assert row.bounding_box()["y"] == row_top
    page.set_viewport_size({"width": 390, "height": 844})
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.set_viewport_size({"width": 1360, "height": 900})
    help_box.locator("summary").click()
    expect(panel).to_be_hidden()

    # Open it, then go back with u: the same results, not the inbox.
    row.locator("a.row-link").click()
    page.wait_for_url(f"**/c/{world['twice'].pk}/")
    expect(page.locator("[data-back]")).to_have_text("← Results")
    page.keyboard.press("u")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("#search-box")).to_have_value('tag:billing from:maya "charged twice"')
    expect(page.locator("[data-row]")).to_have_count(1)

    # Nothing in a row, however long (subject, address, a word of 300 letters, eight
    # tags), pushes it past its card.
    page.goto("/search/?q=overflow")
    expect(page.locator("[data-row]")).to_have_count(1)
    assert page.evaluate(FITS) == [True, True]

    # A phrase in the other order finds nothing; the words alone find both charges.
    page.goto("/search/?q=%22twice+charged%22")
    expect(page.locator("[data-row]")).to_have_count(0)
    page.goto("/search/?q=charged+twice+mailbox%3Abilling")
    expect(page.locator("[data-row]")).to_have_count(2)


def test_back_returns_to_the_filtered_sorted_inbox(world, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    _sign_in(page)
    page.locator(".folders a", has_text="Support").click()
    page.wait_for_url(re.compile(r"mailbox=support"))
    page.locator(".sorts a", has_text="Most recent").click()
    page.wait_for_url(re.compile(r"sort=recent"))
    place = page.url
    page.locator("[data-row] a.row-link").first.click()
    page.wait_for_url(re.compile(r"/c/\d+/$"))
    page.keyboard.press("u")
    page.wait_for_url(place)
    assert "mailbox=support" in page.url and "sort=recent" in page.url
    page.locator("[data-row] a.row-link").nth(1).click()
    page.wait_for_url(re.compile(r"/c/\d+/$"))
    page.locator("[data-back]").click()
    page.wait_for_url(place)
    # Filter links carry one value per key, however many were followed.
    for link in page.locator(".folders a, .sorts a").all():
        href = link.get_attribute("href") or ""
        keys = [part.split("=")[0] for part in href.partition("?")[2].split("&") if part]
        assert len(keys) == len(set(keys)), href
