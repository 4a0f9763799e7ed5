"""Settings is a calmdesk page: alice sets her name, signature, time zone, undo window,
cool-down and whether notifications are mailed to her."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import DEFAULT_COOLDOWN_SECONDS
from calmdesk.mail import outbox
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.models import Outbox
from tests.desk.conftest import Desk

FULL = {
    "first_name": "Alice",
    "last_name": "Moreau",
    "signature": "Alice, calmdesk support",
    "time_zone": "Europe/Berlin",
    "undo_seconds": "30",
    "cooldown_seconds": "10",
}


def test_alice_changes_her_settings(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    response = client.post(reverse("preferences"), FULL)
    assert response.status_code == 302
    agent = desk.alice.agent  # type: ignore[attr-defined]
    agent.refresh_from_db()
    agent.user.refresh_from_db()
    assert agent.user.get_full_name() == "Alice Moreau"
    assert (agent.signature, agent.time_zone) == ("Alice, calmdesk support", "Europe/Berlin")
    assert (agent.undo_seconds, agent.cooldown_seconds) == (30, 10)
    assert agent.email_notifications is False  # the box was not ticked
    page = client.get(reverse("preferences")).content.decode()
    assert "Signed in as Alice Moreau (Agent)." in page
    assert "Alice Moreau</a>" in page  # the top bar shows her name
    assert 'name="email_notifications"' in page and "Alice, calmdesk support" in page


def test_empty_pauses_fall_back_to_the_defaults(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    data = {**FULL, "undo_seconds": "", "cooldown_seconds": "", "email_notifications": "on"}
    client.post(reverse("preferences"), data)
    agent = desk.alice.agent  # type: ignore[attr-defined]
    agent.refresh_from_db()
    assert (agent.undo_seconds, agent.cooldown_seconds) == (None, DEFAULT_COOLDOWN_SECONDS)
    assert agent.email_notifications is True


def test_a_cool_down_past_ten_minutes_is_refused(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    response = client.post(reverse("preferences"), {**FULL, "cooldown_seconds": "601"})
    assert response.status_code == 200
    desk.alice.agent.refresh_from_db()  # type: ignore[attr-defined]
    assert desk.alice.agent.cooldown_seconds == DEFAULT_COOLDOWN_SECONDS  # type: ignore[attr-defined]


def test_the_top_bar_links_settings_and_admin_by_role(desk: Desk) -> None:
    alice = desk.client_for(desk.alice).get(reverse("inbox")).content.decode()
    assert reverse("preferences") in alice and reverse("admin:index") not in alice
    assert reverse("people") not in alice
    admin = desk.client_for(desk.admin).get(reverse("inbox")).content.decode()
    assert reverse("admin:index") in admin and reverse("people") in admin


def test_her_signature_goes_below_every_reply_she_sends(desk: Desk, smtp_settings) -> None:  # type: ignore[no-untyped-def]
    desk.client_for(desk.alice).post(reverse("preferences"), FULL)
    reply = do_send_reply(desk.conversation, desk.alice, "Fixed, please try again.")
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(seconds=1))
    assert outbox.run_once(new_worker_id()) == 1
    (mail,) = smtp_settings.received
    assert mail.message.get_content().replace("\r\n", "\n") == (
        "Fixed, please try again.\n\n-- \nAlice, calmdesk support\n"
    )
    reply.refresh_from_db()
    assert reply.body_text == "Fixed, please try again."  # the thread keeps what she wrote
