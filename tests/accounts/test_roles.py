"""Roles mean something (README, "Roles"): an admin does everything, a lead (dave)
works in every mailbox and edits saved replies and tags, an agent works in their own
mailboxes. The README's table is the code's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from calmdesk.accounts.invites import do_set_role
from calmdesk.accounts.models import ROLE_CAPABILITIES, Capability, Role
from calmdesk.desk.access import visible_conversations
from calmdesk.desk.actions import ActionError, do_assign
from tests.desk.conftest import Desk, make_agent

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_role_table() -> dict[str, tuple[bool, bool, bool]]:
    section = README.read_text(encoding="utf-8").split("\n## Roles", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1] in {"yes", "—"}:
            rows[cells[0]] = tuple(cell == "yes" for cell in cells[1:])
    return rows  # type: ignore[return-value]


def test_the_readme_table_is_the_role_table() -> None:
    expected = {
        str(capability.label): tuple(
            capability in ROLE_CAPABILITIES[role] for role in (Role.ADMIN, Role.LEAD, Role.AGENT)
        )
        for capability in Capability
    }
    table = readme_role_table()
    table.pop("Answer customers in their own mailboxes", None)
    assert table == expected


def test_a_lead_works_in_every_mailbox(desk: Desk) -> None:
    seen = set(visible_conversations(desk.dave).values_list("pk", flat=True))  # type: ignore[arg-type]
    assert {desk.conversation.pk, desk.billing_conversation.pk} <= seen
    page = desk.client_for(desk.dave).get(reverse("conversation", args=[desk.conversation.pk]))
    assert page.status_code == 200


def test_a_lead_reassigns_anyone_and_can_be_given_anything(desk: Desk) -> None:
    do_assign(desk.billing_conversation, desk.dave, desk.charlie)
    do_assign(desk.conversation, desk.alice, desk.dave)  # a lead is assignable everywhere
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    assert "Dave" in page.content.decode()
    with pytest.raises(ActionError):
        do_assign(desk.conversation, desk.dave, desk.charlie)  # charlie cannot see Support


@pytest.mark.parametrize("model", ["savedreply", "tag"])
def test_a_lead_edits_saved_replies_and_tags_an_agent_does_not(desk: Desk, model: str) -> None:
    url = reverse(f"admin:desk_{model}_changelist")
    assert desk.client_for(desk.dave).get(url).status_code == 200
    assert desk.client_for(desk.alice).get(url).status_code == 302  # to the admin's sign-in
    mailboxes = reverse("admin:desk_mailbox_changelist")
    assert desk.client_for(desk.dave).get(mailboxes).status_code == 403  # configuration


def test_a_lead_neither_erases_customers_nor_invites(desk: Desk) -> None:
    dave = desk.client_for(desk.dave)
    assert dave.post(reverse("customer_erase", args=[desk.customer.pk])).status_code == 403
    assert dave.get(reverse("people")).status_code == 403


def test_changing_a_role_changes_the_admin_access(desk: Desk) -> None:
    erin = make_agent("erin", [desk.support])
    agent = do_set_role(erin.agent, Role.LEAD)
    assert (agent.user.is_staff, agent.user.is_superuser) == (True, False)
    agent = do_set_role(agent, Role.ADMIN)
    assert (agent.user.is_staff, agent.user.is_superuser) == (True, True)
    agent = do_set_role(agent, Role.AGENT)
    assert (agent.user.is_staff, agent.user.is_superuser) == (False, False)
    assert not agent.user.groups.exists()
    assert not agent.can(Capability.SEE_EVERY_MAILBOX)


def test_the_admin_says_calmdesk(desk: Desk) -> None:
    page = desk.client_for(desk.admin).get(reverse("admin:index")).content.decode()
    assert re.search(r"<title>.*calmdesk", page)
    assert "Django administration" not in page and "calmdesk administration" in page


def test_an_agent_takes_no_conversation_from_a_teammate_a_lead_does(desk: Desk) -> None:
    do_assign(desk.conversation, desk.bob, desk.bob)
    with pytest.raises(ActionError, match="Only a lead or an admin"):
        do_assign(desk.conversation, desk.alice, desk.alice)
    with pytest.raises(ActionError):
        do_assign(desk.conversation, desk.alice, None)
    do_assign(desk.conversation, desk.bob, desk.alice)  # bob hands on his own
    do_assign(desk.conversation, desk.dave, desk.bob)  # the lead reassigns anyone
    do_assign(desk.conversation, desk.admin, None)
    response = desk.client_for(desk.alice).post(
        reverse("conversation_assign", args=[desk.conversation.pk]), {"assignee": desk.alice.pk}
    )
    assert response.status_code == 302
    desk.conversation.refresh_from_db()
    assert desk.conversation.assignee_id == desk.alice.pk  # nobody held it: she takes it


def test_an_admin_changes_a_role_on_the_people_page_never_their_own(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    alice = desk.alice.agent  # type: ignore[attr-defined]
    response = client.post(reverse("people_role", args=[alice.pk]), {"role": "lead"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.LEAD and alice.user.is_staff
    billing = reverse("conversation", args=[desk.billing_conversation.pk])
    assert desk.client_for(desk.alice).get(billing).status_code == 200
    own = desk.admin.agent  # type: ignore[attr-defined]
    page = client.post(reverse("people_role", args=[own.pk]), {"role": "agent"}, follow=True)
    assert "Another admin has to change your own role." in page.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert client.post(reverse("people_role", args=[alice.pk]), {"role": "boss"}).status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.LEAD


def test_the_page_offers_reassigning_only_to_who_may(desk: Desk) -> None:
    do_assign(desk.conversation, desk.bob, desk.bob)
    url = reverse("conversation", args=[desk.conversation.pk])
    alice = desk.client_for(desk.alice).get(url).content.decode()
    assert 'id="assign-select"' not in alice and "Theirs until they hand it on" in alice
    for user in (desk.bob, desk.dave):
        page = desk.client_for(user).get(url).content.decode()
        assert 'id="assign-select"' in page
