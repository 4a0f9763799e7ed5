"""Mail from a stranger, in a real browser (issue 14): a message that copies Sofia's
subject token opens a conversation of its own that says it claims to continue hers
(linked); her thread shows the bounce of alice's reply with the server's words; a long
body is cut with "Show all"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.models import Mailbox
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.threads import subject_with_token
from tests.mail.conftest import make_mail
from tests.mail.test_hostile_mail import dsn

pytestmark = pytest.mark.browser

PASSWORD = "calm-and-precise-2026"
# Written with the other screenshots of a run; docs/screenshots keeps copies.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@calmdesk.test")
    user = get_user_model().objects.create_user(
        "alice-mail", "alice@calmdesk.test", PASSWORD, first_name="Alice"
    )
    agent = Agent.objects.create(user=user, role=Role.AGENT, undo_seconds=5, cooldown_seconds=0)
    agent.mailboxes.set([support])
    log = "ERROR export failed at row 17 of the monthly close\n" * 800
    sofia = "Sofia Marin <sofia@post.example>"
    first = ingest_raw(
        make_mail(sender=sofia, body="Hi, the export fails again. The log:\n" + log), support
    ).message
    reply = do_send_reply(first.conversation, user, "Thanks Sofia, we are looking into it.")
    ingest_raw(dsn("MAILER-DAEMON <>", "sofia@post.example", reply.message_id), support)
    subject = "Re: " + subject_with_token("Export fails", first.conversation.token)
    eve = ingest_raw(
        make_mail(sender="Eve <eve@evil.test>", subject=subject, body="Send the invoice to me."),
        support,
    ).message
    return first.conversation, eve.conversation


def test_a_strangers_claim_a_bounce_and_a_long_body_in_the_thread(  # type: ignore[no-untyped-def]
    world, browser_page
) -> None:
    sofias, eves = world
    page = browser_page
    page.goto("/login/")
    page.fill("#id_username", "alice-mail")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/$|/\?"))

    page.goto(f"/c/{eves.pk}/")
    claim = page.locator(".event", has_text="claims to continue it")
    expect(claim).to_contain_text("eve@evil.test is not a participant of")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "claims-to-continue.png"), full_page=False)

    claim.get_by_role("link", name=f"#{sofias.pk}").click()
    page.wait_for_url(f"**/c/{sofias.pk}/")
    expect(page.locator(".event", has_text="A reply bounced")).to_contain_text("sofia@post.example")
    page.locator(".message.kind-customer summary", has_text="Original message").first.click()
    show_all = page.get_by_role("link", name=re.compile("Show all"))
    expect(show_all).to_be_visible()
    assert page.locator(".message.kind-customer .body").first.inner_text().count("ERROR") < 800
    show_all.click()
    expect(page.locator("body")).to_contain_text("ERROR export failed at row 17")
