"""The sidebar's tone history shows the customer's past messages, only from mailboxes
the agent may see."""

from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from calmdesk.empathy.context import tone_history

from .conftest import Desk, receive


def test_history_is_oldest_first_and_scoped_to_visible_mailboxes(desk: Desk) -> None:
    receive(
        desk.support,
        "maya@shop.example",
        "Thank you, it works again!",
        conversation=desk.conversation,
    )
    billing = receive(
        desk.billing, "maya@shop.example", "I was charged twice, this is a scam!", "Charge"
    )

    alice_sees = tone_history(desk.conversation, desk.alice)
    assert [r.message.conversation_id for r in alice_sees] == [desk.conversation.pk] * 2
    assert alice_sees[0].message.created_at <= alice_sees[1].message.created_at
    admin_sees = tone_history(desk.conversation, desk.admin)
    assert billing.conversation_id in [r.message.conversation_id for r in admin_sees]

    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    html = page.content.decode()
    assert "Tone history" in html
    assert f"/c/{billing.conversation_id}/" not in html


def test_each_bar_is_labelled_with_its_date_and_tone(desk: Desk) -> None:
    receive(
        desk.support, "maya@shop.example", "Thank you, it works!", conversation=desk.conversation
    )
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    html = page.content.decode()
    for reading in tone_history(desk.conversation, desk.alice):
        when = date_filter(timezone.localtime(reading.message.created_at), "M j")
        label = f"{when}: {reading.tone}, intensity {round(reading.intensity * 100)}%"
        # Read aloud by a screen reader (the bar itself is only a height and a colour).
        assert f'<span class="sr-only">{label}</span>' in html
        assert f'title="{label}"' in html
