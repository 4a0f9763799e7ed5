"""What the conversation page needs from the empathy side, in one call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.utils import timezone

from calmdesk.desk.access import visible_conversations
from calmdesk.desk.models import Conversation, Event, EventKind
from calmdesk.empathy.models import ConversationCare, Draft, MessageReading, Reproduction

# F8: when a thread drags on this long while the customer reads confused or frustrated,
# suggest a call or a screencast.
CALL_AFTER_CUSTOMER_MESSAGES = 4
CALL_AFTER = timedelta(days=2)
CALL_TONES = frozenset({"confused", "frustrated"})
# How many of the customer's past messages the sidebar's tone history shows.
TONE_HISTORY = 16


def needs_call(
    conversation: Conversation,
    care: ConversationCare | None,
    now: datetime | None = None,
    called: bool | None = None,
) -> bool:
    """Whether to suggest a call. ``called``: whether a call is logged, when the caller
    has the thread's events in hand (the page has; then no query is needed)."""
    if care is None or care.latest_tone not in CALL_TONES:
        return False
    long_thread = conversation.customer_message_count >= CALL_AFTER_CUSTOMER_MESSAGES
    old = (now or timezone.now()) - conversation.created_at >= CALL_AFTER
    if not (long_thread or old):
        return False
    # Once someone has called (or sent a screencast), the suggestion has been taken.
    if called is None:
        called = Event.objects.filter(conversation=conversation, kind=EventKind.CALL).exists()
    return not called


def tone_history(
    conversation: Conversation, actor: User, limit: int = TONE_HISTORY
) -> list[MessageReading]:
    """The customer's latest readings, oldest first, from the conversations this agent
    may see (F12)."""
    visible = visible_conversations(actor).filter(customer_id=conversation.customer_id)
    # Sorted by an expression no index holds, so the database reads the customer's own
    # messages (their conversations, then each one's thread) and sorts those: walking every
    # message of the desk newest first until sixteen of theirs turn up took seconds for a
    # customer whose messages were not among the newest (PostgreSQL, 250,000 conversations).
    newest = ExpressionWrapper(F("message__created_at") + timedelta(0), DateTimeField())
    readings = list(
        MessageReading.objects.filter(message__conversation__in=visible)
        .select_related("message")
        .only("tone", "intensity", "message__created_at", "message__conversation_id")
        .order_by(newest.desc(), "-message_id")[:limit]
    )
    readings.reverse()
    return readings


def draft_of(conversation: Conversation, actor: User) -> Draft | None:
    """The agent's own draft here, if it holds any text; never another agent's."""
    return Draft.objects.filter(conversation=conversation, agent=actor).exclude(body="").first()


def conversation_context(
    conversation: Conversation, actor: User, events: list[Event] | None = None
) -> dict[str, Any]:
    """``events``: the thread's events, when the page has loaded them already."""
    care = ConversationCare.objects.filter(conversation=conversation).first()
    called = None if events is None else any(e.kind == EventKind.CALL for e in events)
    return {
        "tone_history": tone_history(conversation, actor),
        "care": care,
        "reproduction_states": Reproduction.choices,
        "call_nudge": needs_call(conversation, care, called=called),
        "tone": care.latest_tone if care else "",
        "saved_draft": draft_of(conversation, actor),
    }
