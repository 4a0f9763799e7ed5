"""Two-factor sign-in in Chromium: alice sets it up from her settings with a code
computed from the key the page shows (as her phone would), keeps her recovery codes,
signs out, and signs in again with her password and a fresh code."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from calmdesk.accounts import totp
from calmdesk.accounts.models import Agent
from calmdesk.desk.models import Mailbox

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"


@pytest.fixture
def alice(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    user = get_user_model().objects.create_user(
        "alice", "alice@desk.example", PASSWORD, first_name="Alice", last_name="Demo"
    )
    Agent.objects.create(user=user).mailboxes.set([support])
    return user


def _password(page, next_path: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")


def test_alice_sets_up_two_factor_and_signs_in_with_a_code(
    browser_page, alice, screenshot_dir
) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    _password(page)
    page.wait_for_url(re.compile(r"/$"))

    page.locator(".topbar .who").click()
    expect(page.locator(".two-factor-status")).to_contain_text("Off.")
    page.locator(".two-factor-status a").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.locator(".two-factor-secret").inner_text()
    expect(page.locator(".two-factor-uri")).to_contain_text(
        f"otpauth://totp/calmdesk:alice?secret={secret.replace(' ', '')}"
    )
    page.fill("#id_code", totp.code_at(secret, time.time()))
    page.screenshot(path=str(screenshot_dir / "two-factor.png"))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("h1")).to_have_text("Two-factor sign-in is on")
    expect(page.locator(".recovery-codes li")).to_have_count(10)

    page.get_by_role("button", name="Sign out").click()
    _password(page, "/settings/")
    page.wait_for_url("**/login/code/")
    expect(page.locator("main")).to_contain_text("authenticator app")
    page.fill("#id_code", "000000")
    page.click("button.primary")
    expect(page.locator(".error")).to_contain_text("not right")
    # The next step's code (the one the setup used is spent): as the phone shows it soon.
    page.fill("#id_code", totp.code_at(secret, time.time() + totp.STEP_SECONDS))
    page.click("button.primary")
    page.wait_for_url("**/settings/")
    expect(page.locator(".two-factor-status")).to_contain_text("On.")
