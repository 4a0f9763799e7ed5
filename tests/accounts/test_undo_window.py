"""CALMDESK_UNDO_SECONDS is the desk's undo window: it reaches every agent who has not
chosen their own. alice keeps the default, bob chose 45 seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from calmdesk.accounts.models import Agent
from calmdesk.desk.models import Mailbox
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.models import Outbox
from tests.desk.conftest import make_agent, receive

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def support(db) -> Mailbox:  # type: ignore[no-untyped-def]
    return Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")


def _send_at(user, mailbox: Mailbox) -> datetime:  # type: ignore[no-untyped-def]
    message = receive(mailbox, "maya@shop.example", "Is my refund on its way?", "Refund")
    reply = do_send_reply(message.conversation, user, "It left this morning.", now=NOW)
    return Outbox.objects.get(message=reply).send_at


@pytest.mark.parametrize(
    "own,setting,waits",
    [
        (None, 20, 20),  # the default desk
        (None, 7, 7),  # the setting reaches an agent who did not choose
        (None, 0, 0),
        (45, 7, 45),  # an agent's own choice wins
        (0, 20, 0),  # including none at all
    ],
)
def test_a_reply_waits_the_agents_window_or_else_the_desks(support, settings, own, setting, waits):  # type: ignore[no-untyped-def]
    settings.DEFAULT_UNDO_SECONDS = setting
    alice = make_agent("alice", [support])
    Agent.objects.filter(user=alice).update(undo_seconds=own)
    alice.agent.refresh_from_db()
    assert _send_at(alice, support) == NOW + timedelta(seconds=waits)


def test_a_new_agent_follows_the_desk(support) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("dana", "dana@desk.example", None)
    assert Agent.objects.create(user=user).undo_seconds is None


def test_alice_clears_her_own_window_and_follows_the_desk_again(client, support, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEFAULT_UNDO_SECONDS = 9
    alice = make_agent("alice", [support])
    client.force_login(alice)
    client.post(reverse("preferences"), {"time_zone": "UTC", "undo_seconds": 45})
    alice.agent.refresh_from_db()
    assert alice.agent.undo_window == 45
    response = client.post(reverse("preferences"), {"time_zone": "UTC", "undo_seconds": ""})
    assert response.status_code == 302
    alice.agent.refresh_from_db()
    assert (alice.agent.undo_seconds, alice.agent.undo_window) == (None, 9)
