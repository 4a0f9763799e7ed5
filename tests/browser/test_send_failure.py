"""A reply the mail server refuses, in a real browser: the server (aiosmtpd) answers 550,
the thread says "Not delivered" with the server's words, the inbox row says "Reply not
sent" and the conversation is back in Active; once the address is fixed, Try again sends
it."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db.utils import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Mailbox
from calmdesk.mail import outbox
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.models import Outbox, OutboxState
from calmdesk.receive import do_receive_message
from tests.mail.conftest import SmtpServer, smtp_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
# Written with the other screenshots of a run; docs/screenshots keeps copies.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    user = get_user_model().objects.create_user(
        "alice-fail", "alice@desk.example", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, undo_seconds=5, cooldown_seconds=0)
    agent.mailboxes.set([support])
    do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("lee@example.com", "Lee Park"),
        text="Can I export invoices as CSV?",
        subject="CSV export",
        received_at=timezone.now() - timedelta(hours=1),
    )
    return do_receive_message(
        mailbox=support,
        customer=find_or_create_customer("maya@shop.example", "Maya Okafor"),
        text="Checkout has been failing since this morning. Could you take a look?",
        subject="Checkout failing",
        received_at=timezone.now() - timedelta(hours=3),
    ).conversation


@pytest.fixture
def mail_server(settings, smtp_server: SmtpServer) -> SmtpServer:  # noqa: F811
    """The desk's SMTP settings on a real aiosmtpd server (as tests/mail's smtp_settings)."""
    settings.SMTP_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.SMTP_SECURITY, settings.EMAIL_HOST_USER = "none", ""
    return smtp_server


def _send_due() -> None:
    Outbox.objects.filter(state=OutboxState.SCHEDULED).update(
        send_at=timezone.now() - timedelta(seconds=1)
    )
    outbox.run_once(new_worker_id())


def _send_due_while_away(page) -> None:  # type: ignore[no-untyped-def]
    """Send what is due with the page off the desk: the live server and this thread share
    one in-memory SQLite connection, so the page's pulse (every second while a reply
    counts down) would find the outbox table locked mid-send."""
    page.goto("about:blank")
    for attempt in range(50):  # a pulse still being answered holds the table a moment
        try:
            _send_due()
            return
        except OperationalError as error:
            if "locked" not in str(error) or attempt == 49:
                raise
            time.sleep(0.1)


def test_a_refused_reply_says_so_and_can_be_sent_again(  # type: ignore[no-untyped-def]
    world, mail_server, browser_page
) -> None:
    page = browser_page
    conversation = world
    # This test writes the outbox from its own thread, which shares the live server's
    # in-memory SQLite connection; the conversation page's pulse (tested in test_pulse and
    # test_presence) would race those writes, so it is kept off here and pages are reloaded.
    page.route(re.compile(r"/pulse/"), lambda route: route.abort())
    page.goto("/login/")
    page.fill("#id_username", "alice-fail")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))
    page.goto(f"/c/{conversation.pk}/")
    page.locator("#reply-body").fill("Hi Maya, checkout works again: please try once more.")
    page.select_option("select[name=then_status]", "pending")
    page.locator("[data-send]").click()
    expect(page.locator(".message.kind-reply")).to_contain_text("Sending in")

    mail_server.refuse_with = "550 5.1.1 <maya@shop.example>: mailbox unavailable"
    _send_due_while_away(page)
    page.goto(f"/c/{conversation.pk}/")
    failed = page.locator(".message.kind-failed")
    expect(failed).to_contain_text("Not delivered")
    expect(failed).to_contain_text("550 5.1.1")
    expect(page.locator(".event", has_text="could not be delivered")).to_be_visible()

    page.goto("/")
    row = page.locator("[data-row]", has_text="Checkout failing")
    expect(row.locator(".send-problem")).to_have_text("Reply not sent")
    # Back in Active and first in "Waiting longest": Maya waits since her message.
    expect(page.locator("[data-row]").first).to_contain_text("Checkout failing")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "reply-not-sent.png"), full_page=False)

    mail_server.refuse_with = None
    row.locator("a").click()
    page.get_by_role("button", name="Try again").click()
    expect(page.locator(".message.kind-reply")).to_be_visible()
    _send_due_while_away(page)
    page.goto(f"/c/{conversation.pk}/")
    expect(page.locator(".message.kind-reply")).to_contain_text("Sent at")
    assert len(mail_server.received) == 1
