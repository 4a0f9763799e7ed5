from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from calmdesk.accounts.models import Agent


@pytest.fixture
def alice(db):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("alice", "alice@desk.example", "a calm password 42")
    Agent.objects.create(user=user)
    return user


def test_passwords_are_hashed_with_argon2(alice) -> None:  # type: ignore[no-untyped-def]
    assert alice.password.startswith("argon2")


def test_alice_signs_in_and_lands_in_the_inbox(client, alice) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a calm password 42"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


def test_a_wrong_password_says_so_without_saying_which_part(client, alice) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, alice, settings) -> None:  # type: ignore[no-untyped-def]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "alice", "password": "a calm password 42"})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


def test_a_user_without_an_agent_profile_is_refused(client, db) -> None:  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("visitor", "v@x.example", None)
    client.force_login(user)
    assert client.get(reverse("inbox")).status_code == 403


def test_a_superuser_gets_an_admin_profile_on_first_visit(client, db) -> None:  # type: ignore[no-untyped-def]
    root = get_user_model().objects.create_superuser("root", "root@x.example", None)
    client.force_login(root)
    assert client.get(reverse("inbox")).status_code == 200
    assert root.agent.is_admin


def test_times_are_shown_in_the_agents_zone(client, db) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from calmdesk.desk.models import Mailbox
    from tests.desk.conftest import make_agent, receive

    mailbox = Mailbox.objects.create(name="Support", slug="support", email="s@x.example")
    user = make_agent("kenji", [mailbox])
    user.agent.time_zone = "Asia/Tokyo"
    user.agent.save()
    message = receive(
        mailbox, "c@x.example", "hi", "Zone", received_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    )
    client.force_login(user)
    page = client.get(reverse("conversation", args=[message.conversation_id])).content.decode()
    assert "9 p.m." in page  # 12:00 UTC is 21:00 in Tokyo


def test_alice_sets_her_time_zone_and_undo_window(client, alice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(alice)
    response = client.post(reverse("preferences"), {"time_zone": "Asia/Tokyo", "undo_seconds": 45})
    assert response.status_code == 302
    alice.agent.refresh_from_db()
    assert (alice.agent.time_zone, alice.agent.undo_seconds) == ("Asia/Tokyo", 45)


def test_a_made_up_time_zone_is_refused(client, alice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(alice)
    response = client.post(reverse("preferences"), {"time_zone": "Mars/Olympus", "undo_seconds": 5})
    assert response.status_code == 200
    alice.agent.refresh_from_db()
    assert alice.agent.time_zone == "UTC"
