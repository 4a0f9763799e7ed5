"""Writes of the empathy features. Reading a message happens when it is stored
(synchronously: the engine reads a message in well under a millisecond)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from calmdesk.desk.models import Conversation, Event, EventKind, Message, MessageKind
from calmdesk.empathy.models import (
    ConversationCare,
    FindingDismissal,
    MessageReading,
    Reproduction,
)
from calmdesk.engine import ENGINE_VERSION, Reading, read_message

# How much each suggested priority weighs in the "needs care first" order. Stakes
# outrank heat: a calm customer whose shop is down comes before a rude one with a typo.
PRIORITY_WEIGHT = {"urgent": 3.0, "high": 2.0, "normal": 1.0, "low": 0.0}
# Distressed tones add their intensity; a grateful or neutral message adds nothing.
CARE_TONES = frozenset({"angry", "frustrated", "anxious", "sad", "confused"})


def care_score(priority: str, tone: str, intensity: float) -> float:
    heat = intensity if tone in CARE_TONES else 0.0
    return PRIORITY_WEIGHT.get(priority, 1.0) + heat


def _reading_fields(reading: Reading) -> dict[str, object]:
    return {
        "engine_version": ENGINE_VERSION,
        "text": reading.text,
        "tone": reading.tone,
        "intensity": round(reading.intensity, 4),
        "confidence": round(reading.confidence, 4),
        "language": reading.language,
        "priority": reading.priority,
        "data": reading.to_dict(),
    }


def do_read_message(message: Message) -> MessageReading | None:
    """Read a newly stored customer message and keep the reading (with the exact text
    read), folding it into the conversation's care row: two writes, no re-scan, since
    this runs inside every message's ingest."""
    if message.kind != MessageKind.CUSTOMER:
        return None
    text = message.analysis_text or message.body_text
    reading = read_message(text, received_at=message.created_at)
    stored = MessageReading.objects.create(message=message, **_reading_fields(reading))  # type: ignore[arg-type]
    _fold_into_care(message, stored)
    return stored


def _merged_stakes(
    stakes: list[dict[str, str]], more: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """One stake per kind, the first words that named it kept."""
    merged = {stake["kind"]: stake["text"] for stake in stakes}
    for stake in more:
        merged.setdefault(stake["kind"], stake["text"])
    return [{"kind": kind, "text": text} for kind, text in merged.items()]


def _higher_priority(current: str, new: str) -> str:
    return new if PRIORITY_WEIGHT.get(new, 1.0) > PRIORITY_WEIGHT.get(current, 0.0) else current


def _subject_stakes(subject: str | None) -> tuple[list[dict[str, str]], str]:
    """Stakes named in the subject, and the priority they suggest ("low" if none)."""
    if not subject:
        return [], "low"
    reading = read_message(subject)
    if not reading.stakes:
        return [], "low"
    return [{"kind": s.kind, "text": s.text} for s in reading.stakes], reading.priority


_CARE_FIELDS = ["latest_tone", "latest_intensity", "stakes", "priority", "care_score"]


def _fold_into_care(message: Message, reading: MessageReading) -> None:
    if message.conversation.customer_message_count <= 1:
        # The conversation's first message: nothing can have made its care row yet (a
        # conversation is opened by this message, in this transaction), so one INSERT.
        # Its subject often says what is at stake ("Customers can't pay — losing sales"):
        # those stakes count for the conversation too.
        stakes, priority = _subject_stakes(message.conversation.subject)
        stakes = _merged_stakes(reading.data.get("stakes", []), stakes)
        priority = _higher_priority(priority, reading.priority)
        ConversationCare.objects.create(
            conversation_id=message.conversation_id,
            latest_tone=reading.tone,
            latest_intensity=reading.intensity,
            stakes=stakes,
            priority=priority,
            care_score=care_score(priority, reading.tone, reading.intensity),
        )
        return
    care, created = ConversationCare.objects.get_or_create(conversation_id=message.conversation_id)
    care.stakes = _merged_stakes(care.stakes, reading.data.get("stakes", []))
    care.priority = (
        reading.priority if created else _higher_priority(care.priority, reading.priority)
    )
    # Imports may store an older message after a newer one; only the newest sets the tone.
    if created or message.created_at >= message.conversation.last_message_at:
        care.latest_tone = reading.tone
        care.latest_intensity = reading.intensity
    care.care_score = care_score(care.priority, care.latest_tone, care.latest_intensity)
    care.save(update_fields=_CARE_FIELDS)


def refresh_care(conversation_id: int) -> ConversationCare:
    """The conversation's care row follows its latest customer reading; the stakes are
    every stake the customer named in it, since a deadline said once still matters."""
    readings = list(
        MessageReading.objects.filter(message__conversation_id=conversation_id)
        .order_by("message__created_at", "message_id")
        .only("tone", "intensity", "priority", "data")
    )
    care, _created = ConversationCare.objects.get_or_create(conversation_id=conversation_id)
    if not readings:
        return care
    latest = readings[-1]
    stakes, priority = _subject_stakes(
        Conversation.objects.filter(pk=conversation_id).values_list("subject", flat=True).first()
    )
    for reading in readings:
        stakes = _merged_stakes(stakes, reading.data.get("stakes", []))
        priority = _higher_priority(priority, reading.priority)
    care.latest_tone = latest.tone
    care.latest_intensity = latest.intensity
    care.stakes = stakes
    care.priority = priority
    care.care_score = care_score(priority, latest.tone, latest.intensity)
    care.save(update_fields=_CARE_FIELDS)
    return care


@transaction.atomic
def do_record_reproduction(
    conversation: Conversation,
    actor: User,
    *,
    state: str,
    steps: str = "",
    environment: str = "",
) -> ConversationCare:
    if state not in Reproduction.values:
        raise ValueError(f"unknown reproduction state {state!r}")
    care, _created = ConversationCare.objects.select_for_update().get_or_create(
        conversation=conversation
    )
    care.reproduction = state
    care.reproduction_steps = steps.strip()
    care.reproduction_environment = environment.strip()
    care.reproduction_by = actor
    care.reproduction_at = timezone.now()
    care.save()
    Event.objects.create(
        conversation=conversation,
        kind=EventKind.REPRODUCTION,
        actor=actor,
        data={"state": state, "steps": care.reproduction_steps, "environment": environment},
        created_at=care.reproduction_at,
    )
    return care


def do_log_call(
    conversation: Conversation,
    actor: User,
    *,
    summary: str,
    link: str = "",
) -> Event:
    """F8: a call or a screencast, logged as an event of the conversation."""
    return Event.objects.create(
        conversation=conversation,
        kind=EventKind.CALL,
        actor=actor,
        data={"summary": summary.strip()[:2000], "link": link.strip()[:500]},
        created_at=timezone.now(),
    )


def do_dismiss_finding(
    conversation: Conversation,
    actor: User,
    *,
    code: str,
    excerpt: str = "",
) -> FindingDismissal:
    return FindingDismissal.objects.create(
        conversation=conversation, agent=actor, code=code[:10], excerpt=excerpt[:200]
    )


def do_read_many(messages: list[Message]) -> int:
    """Read a batch of customer messages with one bulk write, then refresh each touched
    conversation once. For the demo generator and ``calmdesk reanalyze``."""
    rows = []
    conversation_ids: set[int] = set()
    for message in messages:
        if message.kind != MessageKind.CUSTOMER:
            continue
        reading = read_message(
            message.analysis_text or message.body_text, received_at=message.created_at
        )
        rows.append(MessageReading(message=message, **_reading_fields(reading)))  # type: ignore[arg-type]
        conversation_ids.add(message.conversation_id)
    with transaction.atomic():
        MessageReading.objects.filter(message__in=[row.message for row in rows]).delete()
        MessageReading.objects.bulk_create(rows, batch_size=500)
        for conversation_id in sorted(conversation_ids):
            refresh_care(conversation_id)
    return len(rows)
