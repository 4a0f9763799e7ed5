"""The team's pages in Chromium on the demo desk: erin (a lead) sees the team's reports
with their charts, everyone's load with bob past the threshold, and the wall; alice (an
agent) sees her own figures and her own day, not the team's. The reports page fits a
phone's 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from calmdesk.desk.demo.generate import DEMO_PASSWORD, generate
from calmdesk.desk.demo.team import add_team_demo
from calmdesk.empathy.reanalyze import reanalyze
from tests.browser.conftest import sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_desk(transactional_db):  # type: ignore[no-untyped-def]
    generate(200, seed=2026, progress=False)
    reanalyze(progress=False)
    add_team_demo()


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_out(page)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button.primary")
    expect(page.locator("[data-rows]")).to_be_visible()


def test_a_lead_and_an_agent_see_what_is_theirs(browser_page, demo_desk, screenshot_dir):  # type: ignore[no-untyped-def]
    page = browser_page
    _sign_in(page, "erin")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.locator("select[name=agent]")).to_be_visible()
    # Eight of the rollups, and the problems' weekly trend (the demo has problems).
    expect(page.locator("svg.chart")).to_have_count(9)
    expect(page.locator(".report-charts")).to_contain_text("Open problems at each week")
    expect(page.locator(".report-summary")).to_contain_text("New conversations")
    page.select_option("select[name=days]", "30")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile("days=30"))
    page.screenshot(path=str(screenshot_dir / "reports.png"))

    page.goto("/team/")
    bob = page.locator(".team-loads li", has_text="Bob")
    expect(bob).to_contain_text("past the threshold")
    expect(page.locator(".team-loads li", has_text="Alice")).not_to_contain_text(
        "past the threshold"
    )
    page.goto("/team/wall/")
    expect(page.locator(".wall .story").first).to_be_visible()
    assert page.locator(".wall .story").count() >= 3
    expect(page.locator("main")).not_to_contain_text("@")
    page.screenshot(path=str(screenshot_dir / "wall.png"), full_page=True)

    _sign_in(page, "alice")
    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Your figures")).to_be_visible()
    expect(page.locator("select[name=agent]")).to_have_count(0)
    expect(page.get_by_role("link", name="Your day")).to_be_visible()
    assert page.goto("/team/").status == 403
    page.goto("/team/me/")
    expect(page.locator(".load-card meter")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/reports/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
