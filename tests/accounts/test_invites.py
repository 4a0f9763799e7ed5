"""An admin invites by email: the invitee's link works once, before it expires, and
brings them in with the role and mailboxes the admin picked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.invites import INVITE_LIFETIME, InviteError, do_accept_invite, do_invite
from calmdesk.accounts.models import Invite, Role, SystemMail, SystemMailKind
from tests.desk.conftest import Desk

PASSWORD = "a long calm password 7"


def signs_in(username: str, password: str) -> bool:
    """Through the sign-in page, as a person does (the lockout backend wants a request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].partition("/")[2]


def test_the_admin_invites_nia_and_she_joins_once(desk: Desk, client) -> None:  # type: ignore[no-untyped-def]
    desk.client_for(desk.admin).post(
        reverse("people_invite"),
        {
            "email": "Nia@Desk.example",
            "first_name": "Nia",
            "role": "agent",
            "mailboxes": [desk.billing.pk],
        },
    )
    mail = SystemMail.objects.get(kind=SystemMailKind.INVITE)
    (link,) = [line for line in mail.body.splitlines() if "/invite/" in line]
    path = _path(link)
    nia = Invite.objects.get().user
    assert not nia.is_active and not nia.has_usable_password()
    assert not signs_in("nia@desk.example", PASSWORD)
    page = client.get(path)
    assert page.status_code == 200 and "nia@desk.example" in page.content.decode()
    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    nia.refresh_from_db()
    assert nia.is_active and nia.agent.role == Role.AGENT
    assert list(nia.agent.mailboxes.values_list("slug", flat=True)) == ["billing"]
    assert signs_in("nia@desk.example", PASSWORD)
    # Used once: the same link again sets nothing.
    again = client.post(
        path, {"new_password1": "another calm one 99", "new_password2": "another calm one 99"}
    )
    assert again.status_code == 410
    assert signs_in("nia@desk.example", PASSWORD)


def test_an_expired_invite_lets_nobody_in(desk: Desk) -> None:
    invite, link = do_invite(desk.admin, email="old@desk.example", role=Role.AGENT)
    token = link.rstrip("/").rpartition("/")[2]
    later = invite.expires_at + timedelta(seconds=1)
    assert do_accept_invite(token, PASSWORD, now=later) is None
    assert do_accept_invite(token, PASSWORD, now=invite.created_at + INVITE_LIFETIME / 2)


def test_a_made_up_token_is_gone(desk: Desk, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("invite_accept", args=["made-up"])).status_code == 410


def test_the_token_is_kept_only_as_a_hash(desk: Desk) -> None:
    invite, link = do_invite(desk.admin, email="hash@desk.example", role=Role.AGENT)
    token = link.rstrip("/").rpartition("/")[2]
    assert token not in invite.token_hash and len(invite.token_hash) == 64


def test_inviting_someone_already_on_the_desk_is_refused(desk: Desk) -> None:
    with pytest.raises(InviteError):
        do_invite(desk.admin, email="alice@desk.example", role=Role.AGENT)
    response = desk.client_for(desk.admin).post(
        reverse("people_invite"), {"email": "ALICE@desk.example", "role": "agent"}
    )
    assert response.status_code == 400 and "already on the desk" in response.content.decode()


def test_inviting_again_replaces_the_link(desk: Desk) -> None:
    _first, old = do_invite(desk.admin, email="twice@desk.example", role=Role.AGENT)
    _second, new = do_invite(desk.admin, email="twice@desk.example", role=Role.LEAD)
    assert do_accept_invite(old.rpartition("/invite/")[2].strip("/"), PASSWORD) is None
    user = do_accept_invite(new.rpartition("/invite/")[2].strip("/"), PASSWORD)
    assert user is not None and user.agent.role == Role.LEAD and user.is_staff


def test_without_smtp_the_admin_sees_the_link_once(desk: Desk, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMTP_HOST = None
    client = desk.client_for(desk.admin)
    response = client.post(
        reverse("people_invite"), {"email": "nia@desk.example", "role": "agent"}, follow=True
    )
    page = response.content.decode()
    (link,) = [line for line in SystemMail.objects.get().body.splitlines() if "/invite/" in line]
    assert "No SMTP server is set" in page and link in page
    assert link not in client.get(reverse("people")).content.decode()


def test_the_people_page_lists_the_team_and_who_is_invited(desk: Desk) -> None:
    do_invite(desk.admin, email="nia@desk.example", role=Role.AGENT, now=timezone.now())
    page = desk.client_for(desk.admin).get(reverse("people")).content.decode()
    assert "alice@desk.example" in page and "Dave" in page and "every mailbox" in page
    assert "Invited, not joined yet" in page and "nia@desk.example" in page


def test_the_admin_lists_system_mail_without_its_secret(desk: Desk) -> None:
    _invite, link = do_invite(desk.admin, email="nia@desk.example", role=Role.AGENT)
    client = desk.client_for(desk.admin)
    listing = client.get(reverse("admin:accounts_systemmail_changelist")).content.decode()
    assert "nia@desk.example" in listing
    mail = SystemMail.objects.get()
    detail = client.get(reverse("admin:accounts_systemmail_change", args=[mail.pk]))
    assert detail.status_code == 200 and link not in detail.content.decode()


def test_an_address_someone_uses_as_their_username_is_taken(desk: Desk) -> None:
    get_user_model().objects.create_user("sam@desk.example", "", "a calm password 42")
    with pytest.raises(InviteError):
        do_invite(desk.admin, email="Sam@desk.example", role=Role.AGENT)
