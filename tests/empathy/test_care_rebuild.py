"""The care row is kept message by message as customers write, and rebuilt from every
reading by ``refresh_care`` (``calmdesk reanalyze``, the demo). Both fold through one
merge, so a rebuild never changes what the inbox shows."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from calmdesk.desk.models import Conversation
from calmdesk.empathy.actions import refresh_care
from calmdesk.empathy.models import ConversationCare

from .conftest import Desk, receive

SUBJECTS = ["Help", "Customers can't pay — losing sales", "Invoice question", ""]
TEXTS = [
    "Our shop is down and we are losing sales every minute.",
    "This is useless!!! Third time I'm writing. Nobody answers.",
    "Thank you so much, it works now!",
    "Quick question: can I change my invoice address?",
    "We need this fixed before our launch on Friday or we lose the contract.",
    "I was charged twice and I want a refund today.",
    "I'm worried our data is gone. Please tell me it is not.",
    "Any news?",
]
FIELDS = ["stakes", "priority", "latest_tone", "latest_intensity", "care_score"]


def _care(conversation_id: int) -> dict[str, object]:
    care = ConversationCare.objects.get(conversation_id=conversation_id)
    kept = {name: getattr(care, name) for name in FIELDS}
    kept["priority_score"] = Conversation.objects.get(pk=conversation_id).priority_score
    return kept


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_message_by_message_care_equals_the_rebuild(desk: Desk, seed: int) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    conversations: list[int] = []
    for step in range(25):
        # Mostly in order; now and then an import brings an older message later.
        when = now - timedelta(hours=100 - step * 3 + (rng.random() < 0.25) * rng.uniform(1, 50))
        text = rng.choice(TEXTS)
        if not conversations or rng.random() < 0.3:
            email = f"c{step}@shop.example"
            message = receive(desk.support, email, text, rng.choice(SUBJECTS), received_at=when)
            conversations.append(message.conversation_id)
        else:
            conversation = Conversation.objects.get(pk=rng.choice(conversations))
            receive(
                desk.support,
                conversation.customer.primary_email,
                text,
                received_at=when,
                conversation=conversation,
            )
    for conversation_id in conversations:
        kept = _care(conversation_id)
        refresh_care(conversation_id)
        assert _care(conversation_id) == kept
        assert kept["priority_score"] == kept["care_score"]
