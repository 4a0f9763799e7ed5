"""A reading the engine is unsure of is marked as such: in the inbox beside the tone, and
a message in a language it does not read shows "not read: French" instead of a tone."""

from __future__ import annotations

import re

from django.urls import reverse

from calmdesk.empathy.models import ConversationCare

from .conftest import Desk, receive

FRENCH = "Je n'arrive plus à me connecter depuis hier. Le mot de passe est refusé."


def _row(inbox: str, conversation_id: int) -> str:
    """The inbox row of one conversation."""
    rows = re.findall(r"<li[^>]*data-row.*?</li>", inbox, flags=re.S)
    return next(row for row in rows if f"/c/{conversation_id}/" in row)


def test_a_french_message_is_not_read_in_the_inbox_or_the_conversation(desk: Desk) -> None:
    message = receive(desk.support, "amelie@shop.example", FRENCH, "Problème de connexion")
    care = ConversationCare.objects.get(conversation_id=message.conversation_id)
    assert (care.latest_language, care.latest_unsure) == ("fr", True)
    client = desk.client_for(desk.alice)
    row = _row(client.get(reverse("inbox")).content.decode(), message.conversation_id)
    assert "not read: French" in row
    assert 'class="gauge' not in row
    page = client.get(reverse("conversation", args=[message.conversation_id])).content.decode()
    reading = page[page.index("data-reading") :]
    assert "not read: French" in reading
    assert 'class="gauge' not in reading[: reading.index("reading-text")]


def test_an_english_tone_the_engine_is_unsure_of_is_marked_in_the_inbox(desk: Desk) -> None:
    unsure = receive(desk.support, "sam@shop.example", "Order 1234.", "Order")
    care = ConversationCare.objects.get(conversation_id=unsure.conversation_id)
    assert (care.latest_language, care.latest_unsure) == ("en", True)
    inbox = desk.client_for(desk.alice).get(reverse("inbox")).content.decode()
    row = _row(inbox, unsure.conversation_id)
    assert 'class="gauge' in row and ">unsure</span>" in row
    sure = _row(inbox, desk.conversation.pk)  # Maya's angry checkout message
    assert 'class="gauge' in sure and "unsure" not in sure and "not read" not in sure
