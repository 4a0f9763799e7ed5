"""Saved replies with variables: the renderer's table, the model refusing an unknown
variable, and the preview the composer shows before inserting, for every persona."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from calmdesk.desk.models import SavedReply
from calmdesk.desk.saved_replies import (
    VARIABLES,
    SavedReplyError,
    check_saved_reply,
    render_for,
    render_saved_reply,
)

from .conftest import Desk, receive

VALUES = {
    "customer.first_name": "Maya",
    "customer.name": "Maya Okafor",
    "agent.name": "Alice Moreau",
    "conversation.number": "42",
    "mailbox.name": "Support",
}
NAMELESS = {**VALUES, "customer.first_name": "", "customer.name": ""}


@pytest.mark.parametrize(
    "body,values,expected",
    [
        ("Hi {customer.first_name},", VALUES, "Hi Maya,"),
        ("Dear {customer.name}", VALUES, "Dear Maya Okafor"),
        ("Best, {agent.name}", VALUES, "Best, Alice Moreau"),
        ("About #{conversation.number}.", VALUES, "About #42."),
        ("The {mailbox.name} team", VALUES, "The Support team"),
        ("No variables at all.", VALUES, "No variables at all."),
        # Literal braces.
        ("Use {{customer.name}} in a template", VALUES, "Use {customer.name} in a template"),
        ("A set: {{1, 2}}", VALUES, "A set: {1, 2}"),
        ("{{{customer.first_name}}}", VALUES, "{Maya}"),
        # A missing name leaves no gap, no dangling comma and no stand-in word.
        ("Hi {customer.first_name},\n\nThanks.", NAMELESS, "Hi,\n\nThanks."),
        ("Thanks, {customer.first_name}!", NAMELESS, "Thanks!"),
        ("Thanks, {customer.name}.", NAMELESS, "Thanks."),
        ("Hello {customer.first_name}\nMore", NAMELESS, "Hello\nMore"),
        ("Hi {customer.first_name} and welcome", NAMELESS, "Hi and welcome"),
        ("{customer.first_name}, thanks", NAMELESS, "thanks"),
        ("Hi {customer.first_name}", NAMELESS, "Hi"),
        ("Hi, {customer.first_name}", NAMELESS, "Hi"),
        # A key left out counts as empty; a value's braces are not read as variables.
        ("Hi {customer.first_name},", {}, "Hi,"),
        ("Hi {customer.name}!", {"customer.name": "{agent.name}"}, "Hi {agent.name}!"),
    ],
)
def test_it_renders(body: str, values: dict[str, str], expected: str) -> None:
    assert render_saved_reply(body, values) == expected


@pytest.mark.parametrize(
    "body,named",
    [
        ("Hi {customer.frist_name},", "customer.frist_name"),
        ("Hi {first_name},", "first_name"),
        ("Hi { customer.name },", " customer.name "),
        ("Hi {},", ""),
        ("Hi {customer.name", "{"),
        ("Hi customer.name}", "}"),
        ("A set {1, 2}", "1, 2"),
    ],
)
def test_an_unknown_or_malformed_variable_raises(body: str, named: str) -> None:
    with pytest.raises(SavedReplyError) as raised:
        render_saved_reply(body, VALUES)
    assert raised.value.variable == named
    # The message names every known variable, so the fix is in front of the writer.
    for name in VARIABLES:
        assert f"{{{name}}}" in str(raised.value)
    with pytest.raises(SavedReplyError):
        check_saved_reply(body)


def test_it_fills_in_a_conversation(desk: Desk) -> None:
    text = render_for(
        "Hi {customer.first_name}, about #{conversation.number} in {mailbox.name}. "
        "Best, {agent.name}",
        desk.conversation,
        desk.alice,
    )
    assert text == f"Hi Maya, about #{desk.conversation.pk} in Support. Best, Alice"


def test_a_customer_known_only_by_address_is_greeted_without_a_name(desk: Desk) -> None:
    message = receive(desk.support, "noname@shop.example", "Where is my order?", "Order")
    text = render_for(
        "Hi {customer.first_name},\nBest, {agent.name}", message.conversation, desk.bob
    )
    assert text == "Hi,\nBest, Bob"


@pytest.mark.django_db
def test_the_model_refuses_an_unknown_variable_by_name() -> None:
    saved = SavedReply(title="Greeting", body="Hi {customer.frist_name},")
    with pytest.raises(ValidationError) as raised:
        saved.full_clean()
    (message,) = raised.value.message_dict["body"]
    assert "{customer.frist_name}" in message and "{customer.first_name}" in message
    SavedReply(title="Greeting", body="Hi {customer.first_name}, {{literal}}").full_clean()


def test_the_admin_form_refuses_an_unknown_variable(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    response = client.post(
        "/admin/desk/savedreply/add/",
        {"title": "Greeting", "mailbox": "", "body": "Hi {customer.nmae},"},
    )
    assert response.status_code == 200
    assert "Unknown variable {customer.nmae}" in response.content.decode()
    assert not SavedReply.objects.exists()
    response = client.post(
        "/admin/desk/savedreply/add/",
        {"title": "Greeting", "mailbox": "", "body": "Hi {customer.name},"},
    )
    assert response.status_code == 302
    assert SavedReply.objects.get().body == "Hi {customer.name},"


def _preview(desk: Desk, user: object, saved: SavedReply, conversation=None):  # type: ignore[no-untyped-def]
    conversation = conversation or desk.conversation
    return desk.client_for(user).get(f"/c/{conversation.pk}/saved-reply/", {"reply": saved.pk})


@pytest.mark.parametrize("persona", ["alice", "bob", "dave", "admin"])
def test_the_preview_fills_in_the_conversation_for_whoever_works_it(
    desk: Desk, persona: str
) -> None:
    saved = SavedReply.objects.create(
        mailbox=desk.support, title="Hello", body="Hi {customer.first_name},\nBest, {agent.name}"
    )
    user = getattr(desk, persona)
    response = _preview(desk, user, saved)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Hi Maya,\nBest, {persona.title()}" in html
    assert "data-saved-insert" in html


def test_the_preview_is_404_for_an_outsider_and_for_another_mailboxs_reply(desk: Desk) -> None:
    saved = SavedReply.objects.create(title="Hello", body="Hi {customer.first_name},")
    assert _preview(desk, desk.charlie, saved).status_code == 404
    billing_only = SavedReply.objects.create(mailbox=desk.billing, title="Refund", body="Done.")
    assert _preview(desk, desk.alice, billing_only).status_code == 404
    client = desk.client_for(desk.alice)
    url = f"/c/{desk.conversation.pk}/saved-reply/"
    assert client.get(url).status_code == 404
    assert client.get(url, {"reply": "x"}).status_code == 404


def test_a_reply_saved_around_the_check_shows_its_error_and_nothing_to_insert(desk: Desk) -> None:
    # Written before variables existed, or straight into the database: never inserted raw.
    saved = SavedReply.objects.create(title="Old", body="Hi {name},")
    response = _preview(desk, desk.alice, saved)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown variable {name}" in html
    assert "data-saved-insert" not in html and "data-saved-text" not in html


def test_the_demo_saved_replies_are_valid() -> None:
    from calmdesk.desk.demo.texts import SAVED_REPLIES

    for _title, _home, body in SAVED_REPLIES:
        check_saved_reply(body)
    assert any("{customer.first_name}" in body for _t, _h, body in SAVED_REPLIES)
