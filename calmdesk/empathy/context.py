"""What the conversation page needs from the empathy side, in one call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from calmdesk.desk.models import Conversation
from calmdesk.empathy.models import ConversationCare, Reproduction

# F8: when a thread drags on this long while the customer reads confused or frustrated,
# suggest a call or a screencast.
CALL_AFTER_CUSTOMER_MESSAGES = 4
CALL_AFTER = timedelta(days=2)
CALL_TONES = frozenset({"confused", "frustrated"})


def needs_call(conversation: Conversation, care: ConversationCare | None) -> bool:
    if care is None or care.latest_tone not in CALL_TONES:
        return False
    long_thread = conversation.customer_message_count >= CALL_AFTER_CUSTOMER_MESSAGES
    old = timezone.now() - conversation.created_at >= CALL_AFTER
    return long_thread or old


def conversation_context(conversation: Conversation) -> dict[str, Any]:
    care = ConversationCare.objects.filter(conversation=conversation).first()
    return {
        "care": care,
        "reproduction_states": Reproduction.choices,
        "call_nudge": needs_call(conversation, care),
        "tone": care.latest_tone if care else "",
    }
