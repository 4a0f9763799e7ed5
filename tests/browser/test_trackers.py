"""An admin sets up a GitHub destination on a phone, then pushes a problem from its page
to a local server speaking GitHub's API, and the issue's link shows on the problem."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from calmdesk.accounts.invites import do_set_role
from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Mailbox
from calmdesk.problems.actions import do_create_problem
from calmdesk.receive import do_receive_message
from tests.outbound.fakeserver import FakeServer

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def problem(transactional_db, settings):  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEY = Fernet.generate_key().decode()
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    dana = get_user_model().objects.create_user(
        "dana", "dana@desk.example", PASSWORD, first_name="Dana"
    )
    agent = Agent.objects.create(user=dana)
    agent.mailboxes.set([support])
    do_set_role(agent, Role.ADMIN)
    customer = find_or_create_customer("maya@shop.example", "Maya Okafor")
    conversation = do_receive_message(
        mailbox=support,
        customer=customer,
        text="The checkout spins forever since the update.",
        subject="Checkout",
    ).conversation
    return do_create_problem(dana, "Checkout spins forever", conversation=conversation)


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def test_dana_sets_up_github_and_pushes_a_problem(
    chromium, live_server, problem, screenshot_dir
) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    with FakeServer() as github:
        github.reply(
            "POST",
            "/repos/acme/shop/issues",
            201,
            json={"number": 12, "html_url": "https://github.com/acme/shop/issues/12"},
        )
        try:
            page.goto("/login/")
            page.fill("#id_username", "dana")
            page.fill("#id_password", PASSWORD)
            page.click("button.primary")
            page.wait_for_url(re.compile(r"/$|/\?"))

            page.goto("/trackers/")
            expect(page.locator("main")).to_contain_text("cannot recall what was already pushed")
            page.fill("#id_name", "Shop repository")
            page.select_option("#id_kind", "github")
            page.fill("#id_base_url", github.url)
            page.fill("#id_project", "acme/shop")
            page.fill("#id_token", "github_pat_browser")
            page.check("#id_allow_private_host")
            _fits(page)
            page.locator("#id_include_quotes").scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_dir / "trackers.png"))
            page.click("form.prefs button.primary")
            expect(page.locator(".flash-success")).to_contain_text("Destination saved.")
            expect(page.locator(".tracker-list")).to_contain_text("Shop repository")

            page.goto(f"/problems/{problem.pk}/")
            box = page.locator(".tracker-links")
            expect(box).to_contain_text("Not pushed to a tracker yet.")
            box.locator("button.primary").click()
            expect(page.locator(".flash-success")).to_contain_text("Created 12.")
            link = page.locator(".tracker-links a", has_text="12")
            expect(link).to_have_attribute("href", "https://github.com/acme/shop/issues/12")
            # The box fits the phone (the page around it is the problem page's own).
            right = page.evaluate(
                "Math.max(...[...document.querySelectorAll('.tracker-links, .tracker-links *')]"
                ".map(e => e.getBoundingClientRect().right))"
            )
            assert right <= PHONE["width"], right
        finally:
            context.close()
    [sent] = github.requests
    assert sent.headers["authorization"] == "Bearer github_pat_browser"
    assert sent.json()["title"] == "Checkout spins forever"
    assert "Maya" not in sent.body.decode()
