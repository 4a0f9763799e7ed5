"""Account safety: an old session cookie never comes back to life, and the sign-in
lockout counts the real client behind a trusted proxy, so nobody can lock an agent out
with a few guesses, while many guesses from everywhere lock the account and tell the
admins."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse

from calmdesk.accounts.models import Notification
from calmdesk.accounts.security import client_address

pytestmark = pytest.mark.django_db
PASSWORD = "a calm password 42"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _fast_hashes(settings) -> None:  # type: ignore[no-untyped-def]
    """These tests are about who gets in, not how passwords are hashed (Argon2 is tested
    in tests/accounts): a fast hasher keeps a dozen sign-ins quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    assert client.get(reverse("inbox")).status_code == 200
    return client


def test_reactivating_an_agent_does_not_revive_their_old_session(desk) -> None:
    old = signed_in(desk.alice)
    desk.alice.is_active = False
    desk.alice.save()
    desk.alice.is_active = True
    desk.alice.save()
    assert old.get(reverse("inbox")).status_code == 302  # back to the sign-in page


def test_a_password_change_ends_every_session_of_that_agent_only(desk) -> None:
    phone, laptop, bobs = signed_in(desk.alice), signed_in(desk.alice), signed_in(desk.bob)
    desk.alice.set_password("a brand new secret 77")
    desk.alice.save()
    assert [user_of(s) for s in Session.objects.all()] == [str(desk.bob.pk)]
    assert phone.get(reverse("inbox")).status_code == 302
    assert laptop.get(reverse("inbox")).status_code == 302
    assert bobs.get(reverse("inbox")).status_code == 200


def user_of(session: Session) -> str:
    return str(session.get_decoded().get("_auth_user_id"))


@pytest.mark.parametrize(
    "remote,forwarded,trusted,expected",
    [
        ("203.0.113.9", "", [], "203.0.113.9"),
        # A client that sends the header itself is not believed.
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.9"),
        (PROXY, "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        # Two proxies of ours; what the client wrote on the left is ignored.
        (PROXY, "1.2.3.4, 198.51.100.1, 10.0.0.7", ["10.0.0.0/8"], "198.51.100.1"),
        (PROXY, "garbage, 10.0.0.7", ["10.0.0.0/8"], "10.0.0.7"),
        (PROXY, "", ["10.0.0.0/8"], PROXY),
    ],
)
def test_the_client_address_behind_trusted_proxies(  # type: ignore[no-untyped-def]
    settings, remote, forwarded, trusted, expected
) -> None:
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def sign_in(client: Client, username: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_a_stranger_behind_the_proxy_cannot_lock_alice_out(desk, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    desk.alice.set_password(PASSWORD)
    desk.alice.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in(Client(), "alice", "guess", "203.0.113.66")
    assert sign_in(Client(), "alice", PASSWORD, "203.0.113.66").status_code == 429
    assert sign_in(Client(), "alice", PASSWORD, "198.51.100.7").status_code == 302


def test_many_failures_from_everywhere_lock_the_account_and_tell_the_admins(desk, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.ACCOUNT_LOCK_LIMIT = 8
    desk.alice.set_password(PASSWORD)
    desk.alice.save()
    for n in range(settings.ACCOUNT_LOCK_LIMIT):
        sign_in(Client(), "alice", "guess", f"203.0.113.{n}")
    desk.alice.refresh_from_db()
    assert not desk.alice.is_active
    notice = Notification.objects.get(recipient=desk.admin)
    assert "alice" in notice.title and "8 failed sign-ins from 8 addresses" in notice.body
    # Locked: the right password from a fresh address is refused like a wrong one.
    refused = sign_in(Client(), "alice", PASSWORD, "198.51.100.7")
    assert (
        refused.status_code == 200 and "correct username and password" in refused.content.decode()
    )
    # An admin reactivates her: one more typo does not lock her again at once.
    desk.alice.is_active = True
    desk.alice.save()
    sign_in(Client(), "alice", "typo", "198.51.100.7")
    desk.alice.refresh_from_db()
    assert desk.alice.is_active
    assert sign_in(Client(), "alice", PASSWORD, "198.51.100.7").status_code == 302


def test_guessing_names_that_do_not_exist_locks_nothing_and_tells_nobody(desk, settings) -> None:
    settings.ACCOUNT_LOCK_LIMIT = 3
    for n in range(4):
        sign_in(Client(), "ghost", "guess", f"203.0.113.{n}")
    assert not Notification.objects.exists()


def test_the_reset_limit_counts_the_real_client_behind_the_proxy(desk, settings) -> None:
    from calmdesk.accounts.models import SystemMail
    from calmdesk.accounts.resets import PER_CLIENT

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    desk.alice.set_password(PASSWORD)
    desk.alice.save()
    walker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.201"}
    for n in range(PER_CLIENT + 1):
        Client().post(reverse("password_reset"), {"email": f"nobody{n}@x.example"}, **walker)
    alice = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.202"}
    Client().post(reverse("password_reset"), {"email": desk.alice.email}, **alice)
    assert SystemMail.objects.filter(to=desk.alice.email).count() == 1
