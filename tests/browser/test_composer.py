"""The composer in a real browser: dismissing a finding takes it off the page at once and
for good; the coach runs on every change of the draft (a saved reply inserted, text
undone with Ctrl+Z, a pasted line, a restored draft); and a draft survives a reload and a
visit to another conversation, even one left before the coach's pause ran out, while
bob, on the same conversation, never sees alice's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Conversation, Mailbox, SavedReply
from calmdesk.empathy.models import Draft
from calmdesk.receive import do_receive_message
from tests.browser.conftest import sign_out

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
CACHE_STEPS = (
    "As I already said, please clear your cache and reinstall the plugin. That will fix it."
)


@dataclass
class Composer:
    maya: Conversation
    lee: Conversation
    alice: object
    bob: object


def _agent(username: str, mailbox: Mailbox) -> object:
    user = get_user_model().objects.create_user(
        f"{username}-composer", f"{username}@desk.example", PASSWORD, first_name=username.title()
    )
    # No cool-down: these tests are about what the coach shows, not when Send opens.
    agent = Agent.objects.create(user=user, role=Role.AGENT, cooldown_seconds=0)
    agent.mailboxes.set([mailbox])
    return user


@pytest.fixture
def composer(transactional_db) -> Composer:  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    alice, bob = _agent("alice", support), _agent("bob", support)
    SavedReply.objects.create(mailbox=support, title="Cache steps", body=CACHE_STEPS)
    maya = do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("maya@shop.example", "Maya Okafor"),
        text="Checkout is broken on my shop and I'm losing sales. Error: ERR_SYNC_TIMEOUT "
        "after updating to 4.2.1.",
        subject="Checkout broken after update",
        received_at=timezone.now(),
    ).conversation
    lee = do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("lee@example.com", "Lee Park"),
        text="Quick question: can I export invoices as CSV? Thanks!",
        subject="CSV export",
        received_at=timezone.now(),
    ).conversation
    return Composer(maya=maya, lee=lee, alice=alice, bob=bob)


def _sign_in(page: Page, username: str) -> list[str]:
    """Signs in; returns the list Chromium's CSP violations are collected into."""
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/login/")
    page.fill("#id_username", f"{username}-composer")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))
    return violations


def _coach_answer(conversation: Conversation) -> Callable[[Response], bool]:
    """Matches the coach's answer (a check, a dismissal or a draft carried as the page
    leaves) for the conversation: the tests wait on the server, never on a clock."""
    return lambda r: f"/c/{conversation.pk}/coach/" in r.url and r.request.method == "POST"


def _open(page: Page, conversation: Conversation) -> None:
    # The page's first coach check (on load) has answered once this returns.
    with page.expect_response(_coach_answer(conversation)):
        page.goto(f"/c/{conversation.pk}/")


def test_dismiss_takes_the_finding_off_the_page_for_good(  # type: ignore[no-untyped-def]
    composer, browser_page, screenshot_dir
) -> None:
    page = browser_page
    violations = _sign_in(page, "alice")
    _open(page, composer.maya)
    box = page.locator("#reply-body")
    box.fill("Hi Maya, this is not our fault.")
    defensive = page.locator(".finding[data-code='CD101']")
    expect(defensive).to_be_visible()
    expect(page.locator(".finding[data-code='CD111']")).to_be_visible()

    defensive.get_by_role("button", name="Dismiss").click()
    expect(defensive).to_have_count(0)
    expect(page.locator(".coach-dismissed")).to_contain_text("CD101")
    # The other finding stays: only the dismissed rule went quiet.
    expect(page.locator(".finding[data-code='CD111']")).to_be_visible()
    page.locator("#composer").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "coach-dismiss.png"))

    # Typing on re-checks the draft; the dismissed rule stays quiet.
    with page.expect_response(_coach_answer(composer.maya)):
        box.press_sequentially(" It is not our fault at all.")
    expect(page.locator(".finding[data-code='CD111']")).to_be_visible()
    expect(defensive).to_have_count(0)
    # ...and after a reload, as the dismissal is kept on the server.
    _open(page, composer.maya)
    expect(box).to_have_value(re.compile("not our fault at all"))
    expect(page.locator(".finding[data-code='CD111']")).to_be_visible()
    expect(defensive).to_have_count(0)
    assert violations == []


def test_the_coach_runs_on_every_change_of_the_draft(composer, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    violations = _sign_in(page, "alice")
    _open(page, composer.maya)
    box = page.locator("#reply-body")
    unreproduced = page.locator(".finding[data-code='CD114']")
    expect(unreproduced).to_have_count(0)

    # A saved reply, inserted without a keystroke (after its preview): the coach reads it.
    page.locator("[data-saved-reply]").select_option(label="Cache steps")
    page.locator("[data-saved-insert]").click()
    expect(box).to_have_value(CACHE_STEPS)
    expect(unreproduced).to_be_visible()

    # Ctrl+Z takes the insertion back (it is in the textarea's own undo history), and the
    # coach follows: nothing left to say about an empty draft.
    box.press("Control+z")
    expect(box).to_have_value("")
    expect(unreproduced).to_have_count(0)
    expect(page.locator(".finding")).to_have_count(0)

    # Pasted text is read too.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", "Hi Maya, this is not our fault.")
    box.focus()
    box.press("Control+v")
    expect(box).to_have_value("Hi Maya, this is not our fault.")
    expect(page.locator(".finding[data-code='CD101']")).to_be_visible()
    assert violations == []


def test_a_draft_survives_a_reload_and_another_conversation(  # type: ignore[no-untyped-def]
    composer, browser_page, screenshot_dir
) -> None:
    page = browser_page
    violations = _sign_in(page, "alice")
    _open(page, composer.maya)
    box = page.locator("#reply-body")
    draft = "Hi Maya, this is not our fault, but I am rolling your shop back to 4.2.0 now."
    with page.expect_response(_coach_answer(composer.maya)):
        box.fill(draft)

    # A reload: the draft is back, said to be, and coached on arrival.
    _open(page, composer.maya)
    expect(box).to_have_value(draft)
    expect(page.locator("[data-draft-restored]")).to_be_visible()
    expect(page.locator(".finding[data-code='CD101']")).to_be_visible()
    page.locator("#composer").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "draft-restored.png"))

    # Another conversation has its own, empty composer.
    _open(page, composer.lee)
    expect(box).to_have_value("")
    expect(page.locator("[data-draft-restored]")).to_have_count(0)
    # Typed there and left at once, before the coach's pause ran out: the text goes with
    # the page as it leaves.
    box.fill("Hi Lee, yes: Invoices, then Export, then CSV.")
    with page.expect_response(_coach_answer(composer.lee)):
        page.locator("[data-back]").click()
    expect(page.locator("[data-row]", has_text="CSV export")).to_be_visible()
    # Back asks the server for the page (the composer stays out of htmx's history cache,
    # whose snapshot would hold the text as first rendered and save it over the draft).
    with page.expect_response(_coach_answer(composer.lee)):
        page.go_back()
    expect(box).to_have_value("Hi Lee, yes: Invoices, then Export, then CSV.")

    _open(page, composer.maya)
    expect(box).to_have_value(draft)
    _open(page, composer.lee)
    expect(box).to_have_value("Hi Lee, yes: Invoices, then Export, then CSV.")
    assert violations == []

    # bob opens the same conversation: alice's draft is hers alone.
    sign_out(page)
    _sign_in(page, "bob")
    _open(page, composer.maya)
    expect(box).to_have_value("")
    expect(page.locator("[data-draft-restored]")).to_have_count(0)
    assert Draft.objects.get(conversation=composer.maya, agent=composer.alice).body == draft
