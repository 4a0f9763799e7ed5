"""“Forgot password”: a link that works once and for an hour, the same answer whether
or not the address is known, a limit on links per address, and the mail through the
desk's one queue of system mail (a real aiosmtpd server receives it)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import SystemMail, SystemMailKind
from calmdesk.accounts.resets import PER_ADDRESS, PER_CLIENT
from calmdesk.mail.systemmail import do_deliver_system_mail
from tests.accounts.test_invites import signs_in
from tests.desk.conftest import Desk

NEW = "a fresh calm password 8"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def desk(desk: Desk) -> Desk:
    """The desk's people made without passwords; Django sends no link to such a user."""
    for user in (desk.alice, desk.bob):
        user.set_password("the old one 123")  # type: ignore[attr-defined]
        user.save()  # type: ignore[attr-defined]
    return desk


def _ask(client: Client, email: str, **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def _link_in(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(desk: Desk, client) -> None:  # type: ignore[no-untyped-def]
    known = _ask(client, "alice@desk.example", follow=True)
    unknown = _ask(client, "nobody@desk.example", follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert list(SystemMail.objects.values_list("to", "kind")) == [
        ("alice@desk.example", SystemMailKind.PASSWORD_RESET)
    ]


def test_alice_resets_her_password_with_a_mailed_link_once(
    desk: Desk, client, smtp_settings
) -> None:  # type: ignore[no-untyped-def]
    _ask(client, "alice@desk.example")
    assert do_deliver_system_mail(timezone.now()) == 1
    (mail,) = smtp_settings.received
    path = _link_in(mail.message.get_content())
    assert SystemMail.objects.get().body == ""  # the link is not kept once sent
    form = client.get(path, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert signs_in("alice", NEW)
    # The same link again: spent by the new password.
    again = Client().get(path, follow=True).content.decode()
    assert "This link no longer works" in again


def test_the_link_expires_after_an_hour(desk: Desk, client, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _ask(client, "alice@desk.example")
    path = _link_in(SystemMail.objects.get().body)
    from django.contrib.auth.tokens import default_token_generator

    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)  # type: ignore[attr-defined]
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    page = client.get(path, follow=True).content.decode()
    assert "This link no longer works" in page


def test_at_most_a_few_links_an_hour_reach_one_address(desk: Desk) -> None:
    for n in range(PER_ADDRESS + 2):
        response = _ask(Client(REMOTE_ADDR=f"10.0.0.{n}"), "alice@desk.example")
        assert response.status_code == 302
    assert SystemMail.objects.filter(to="alice@desk.example").count() == PER_ADDRESS


def test_one_client_asking_for_many_addresses_is_slowed(desk: Desk) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(PER_CLIENT):
        _ask(client, f"nobody{n}@desk.example")
    response = _ask(client, "bob@desk.example")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert not SystemMail.objects.filter(to="bob@desk.example").exists()


@pytest.mark.django_db  # the migration guard reads the database on the first request
def test_the_sign_in_page_offers_the_reset(client) -> None:  # type: ignore[no-untyped-def]
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_worker_pass_delivers_the_link(smtp_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The whole path: the page queues, one pass of ``calmdesk worker`` sends."""
    from django.contrib.auth import get_user_model

    from calmdesk.mail import bootstrap
    from calmdesk.mail.worker import cmd_worker

    monkeypatch.setattr(bootstrap, "setup_django", lambda: None)
    monkeypatch.setattr(bootstrap, "ensure_migrated", lambda: None)
    get_user_model().objects.create_user("erin", "erin@desk.example", "the old one 123")
    _ask(Client(), "erin@desk.example")
    assert cmd_worker(["--once", "--no-outbox", "--no-imap", "--no-tasks"]) == 0
    (mail,) = smtp_settings.received
    assert mail.recipients == ["erin@desk.example"]
    assert "/password/reset/" in _link_in(mail.message.get_content())


def test_a_known_address_costs_one_insert_more_than_an_unknown_one(desk: Desk) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(email: str, client_address: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            _ask(Client(REMOTE_ADDR=client_address), email)
        return [q["sql"].split()[0] for q in queries.captured_queries]

    statements("warm@desk.example", "10.1.1.0")  # the process's first request checks more
    unknown = statements("nobody@desk.example", "10.1.1.1")
    known = statements("alice@desk.example", "10.1.1.2")
    assert sorted(known) == sorted([*unknown, "INSERT"])
