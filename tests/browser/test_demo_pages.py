"""The demo desk as a new user first sees it, in Chromium: a thread reads as one
conversation (each reply answers the message above it, signed by a real name), and a
message in a language the engine does not read says so instead of showing a tone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from calmdesk.desk.demo.generate import DEMO_PASSWORD, generate
from calmdesk.desk.models import Conversation
from calmdesk.empathy.reanalyze import reanalyze

pytestmark = pytest.mark.browser

# The demo's languages besides English, as the page names them.
LANGUAGES = {"fr": "French", "de": "German", "es": "Spanish", "it": "Italian"}


@pytest.fixture
def demo_desk(transactional_db):  # type: ignore[no-untyped-def]
    generate(150, seed=2026, progress=False)
    reanalyze(progress=False)


def test_a_demo_thread_and_a_french_one_read_true(  # type: ignore[no-untyped-def]
    browser_page, demo_desk, screenshot_dir
) -> None:
    page = browser_page
    page.goto("/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button.primary")
    expect(page.locator("[data-rows]")).to_be_visible()

    story = Conversation.objects.filter(subject="CHECKOUT IS DOWN", message_count__gte=6).first()
    assert story is not None
    page.goto(f"/c/{story.pk}/")
    thread = page.locator("main")
    expect(thread).to_contain_text("It's been an hour. Still a blank page.")
    expect(thread).to_contain_text("a change we shipped this morning broke the payment step")
    expect(thread).not_to_contain_text("Best,\nthere")
    page.screenshot(path=str(screenshot_dir / "demo-thread.png"))

    # Which of the demo's stories in other languages a desk of this size holds depends on
    # the generator's draw: take the first one there is.
    foreign = (
        Conversation.objects.filter(care__latest_language__in=LANGUAGES)
        .select_related("care")
        .order_by("pk")
        .first()
    )
    assert foreign is not None
    name = LANGUAGES[foreign.care.latest_language]
    page.goto(f"/c/{foreign.pk}/")
    reading = page.locator("[data-reading]").first
    expect(reading).to_contain_text(f"not read: {name}")
    expect(reading.locator(".gauge")).to_have_count(0)
