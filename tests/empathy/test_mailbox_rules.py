"""An admin switches a coach rule off for a mailbox; its agents no longer see it."""

from __future__ import annotations

from django.urls import reverse

from calmdesk.desk.models import Mailbox

from .conftest import Desk


def test_admin_switches_a_rule_off_for_a_mailbox(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    url = reverse("admin:desk_mailbox_change", args=[desk.support.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "CD104 correcting" in page.content.decode()
    response = client.post(
        url,
        {
            "name": "Support",
            "slug": "support",
            "email": "support@desk.example",
            "disabled_rules": ["CD104", "CD108"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Mailbox.objects.get(pk=desk.support.pk).disabled_rules == ["CD104", "CD108"]
    coach = desk.client_for(desk.alice).post(
        reverse("conversation_coach", args=[desk.conversation.pk]),
        {"body": "Actually, that's not how exports work."},
    )
    assert 'data-code="CD104"' not in coach.content.decode()


def test_an_unknown_rule_is_refused(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    url = reverse("admin:desk_mailbox_change", args=[desk.support.pk])
    response = client.post(
        url,
        {
            "name": "Support",
            "slug": "support",
            "email": "s@desk.example",
            "disabled_rules": ["XX1"],
        },
    )
    assert response.status_code == 200  # the form comes back with the error
    assert Mailbox.objects.get(pk=desk.support.pk).disabled_rules == []
