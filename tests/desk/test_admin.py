"""The Django admin is for configuration: an admin can open every desk page of it;
conversations and messages are not there (they change only through the actions)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from calmdesk.desk.models import Conversation, Message

from .conftest import Desk


@pytest.mark.parametrize(
    "name",
    [
        "desk_mailbox",
        "desk_tag",
        "desk_savedreply",
        "desk_organisation",
        "desk_customer",
        "auth_user",
    ],
)
def test_the_admin_opens_each_configuration_page(desk: Desk, name: str) -> None:
    client = desk.client_for(desk.admin)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_conversations_and_messages_are_not_editable_in_the_admin() -> None:
    assert not admin.site.is_registered(Conversation)
    assert not admin.site.is_registered(Message)


def test_an_admin_edits_alices_mailboxes_on_her_user_page(desk: Desk) -> None:
    page = desk.client_for(desk.admin).get(reverse("admin:auth_user_change", args=[desk.alice.pk]))
    assert page.status_code == 200
    assert "Mailboxes" in page.content.decode()
