"""Writes of the empathy features. Reading a message happens when it is stored
(synchronously: the engine reads a message in well under a millisecond)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from calmdesk.desk.actions import (
    ActionError,
    changed,
    do_set_priority_score,
    do_set_priority_scores,
)
from calmdesk.desk.models import Conversation, Event, EventKind, Message, MessageKind
from calmdesk.desk.rows import update_rows
from calmdesk.desk.validation import check_link
from calmdesk.empathy.models import (
    ConversationCare,
    Draft,
    FindingDismissal,
    MessageReading,
    Priority,
    Reproduction,
)
from calmdesk.engine import ENGINE_VERSION, Reading, read_message
from calmdesk.engine.tones import NEGATIVE_TONES

# How much each suggested priority weighs in the "needs care first" order. Stakes
# outrank heat: a calm customer whose shop is down comes before a rude one with a typo.
PRIORITY_WEIGHT: dict[str, float] = {
    Priority.URGENT: 3.0,
    Priority.HIGH: 2.0,
    Priority.NORMAL: 1.0,
    Priority.LOW: 0.0,
}


def care_score(priority: str, tone: str, intensity: float) -> float:
    # Negative tones add their intensity; a grateful or neutral message adds nothing.
    heat = intensity if tone in NEGATIVE_TONES else 0.0
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
    stored = MessageReading.objects.create(message=message, **_reading_fields(reading))
    changed(message.conversation_id)
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


def _start_care(care: ConversationCare, subject: str | None) -> None:
    """A care row before any reading: the stakes the subject names ("Customers can't pay
    — losing sales") count for the conversation, and the priority they suggest."""
    care.stakes, care.priority = [], Priority.LOW
    if subject:
        reading = read_message(subject)
        if reading.stakes:
            care.stakes = [{"kind": s.kind, "text": s.text} for s in reading.stakes]
            care.priority = reading.priority
    care.latest_tone, care.latest_intensity = "", 0.0
    care.latest_language, care.latest_unsure = "", False


def merge_reading(care: ConversationCare, reading: MessageReading, *, newest: bool) -> None:
    """Fold one customer reading into the care row: the only rule for it, used message by
    message and by the full rebuild (``refresh_care``, which folds in arrival order). The
    stakes are every stake the customer named, the first words kept, since a deadline said
    once still matters; the priority is the highest suggested; the tone is the newest
    message's (``newest``: imports may store an older message after a newer one)."""
    care.stakes = _merged_stakes(care.stakes, reading.data.get("stakes", []))
    care.priority = _higher_priority(care.priority, reading.priority)
    if newest:
        care.latest_tone = reading.tone
        care.latest_intensity = reading.intensity
        care.latest_language = reading.language
        care.latest_unsure = bool(reading.data.get("is_unsure"))
    care.care_score = care_score(care.priority, care.latest_tone, care.latest_intensity)


_CARE_FIELDS = [
    "latest_tone",
    "latest_intensity",
    "latest_language",
    "latest_unsure",
    "stakes",
    "priority",
    "care_score",
]


def _is_newest(message: Message) -> bool:
    """Whether no customer message of the conversation came later. The conversation's
    latest time answers it without a query for every message but an import's older one."""
    conversation = message.conversation
    if message.created_at >= conversation.last_message_at:
        return True
    later = Message.objects.filter(
        conversation_id=message.conversation_id, kind=MessageKind.CUSTOMER
    ).filter(
        Q(created_at__gt=message.created_at) | Q(created_at=message.created_at, id__gt=message.pk)
    )
    return not later.exists()


def _fold_into_care(message: Message, reading: MessageReading) -> None:
    conversation = message.conversation
    if conversation.customer_message_count <= 1:
        # The conversation's first message: nothing can have made its care row yet (a
        # conversation is opened by this message, in this transaction), so one INSERT.
        care = ConversationCare(conversation_id=message.conversation_id)
        _start_care(care, conversation.subject)
        merge_reading(care, reading, newest=True)
        care.save(force_insert=True)
    else:
        care, created = ConversationCare.objects.get_or_create(
            conversation_id=message.conversation_id
        )
        if created or not care.latest_tone:  # no reading folded in yet
            _start_care(care, conversation.subject)
        merge_reading(care, reading, newest=_is_newest(message))
        care.save(update_fields=_CARE_FIELDS)
    if care.care_score != conversation.priority_score:
        do_set_priority_score(conversation, care.care_score)


def refresh_care(conversation_id: int) -> ConversationCare:
    """Rebuild the conversation's care row from all its readings, folded in the order
    the messages arrived, exactly as they were folded one by one."""
    readings = list(
        MessageReading.objects.filter(message__conversation_id=conversation_id)
        .order_by("message_id")
        .only("tone", "intensity", "language", "priority", "data", "message__created_at")
        .select_related("message")
    )
    care, _created = ConversationCare.objects.get_or_create(conversation_id=conversation_id)
    if not readings:
        return care
    _fold_all(
        care,
        Conversation.objects.filter(pk=conversation_id).values_list("subject", flat=True).first(),
        readings,
    )
    care.save(update_fields=_CARE_FIELDS)
    do_set_priority_score(Conversation(pk=conversation_id), care.care_score)
    return care


def _fold_all(care: ConversationCare, subject: str | None, readings: list[MessageReading]) -> None:
    """Fold every reading of a conversation (in message id order) into a fresh care row."""
    newest = max(readings, key=lambda r: (r.message.created_at, r.message_id))
    _start_care(care, subject)
    for reading in readings:
        merge_reading(care, reading, newest=reading is newest)


def refresh_cares(conversation_ids: list[int]) -> None:
    """``refresh_care`` for many conversations with a few statements in all (an import
    adding messages to conversations it opened in an earlier batch)."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return
    readings: dict[int, list[MessageReading]] = {}
    rows = (
        MessageReading.objects.filter(message__conversation_id__in=ids)
        .order_by("message_id")
        .only(
            "tone",
            "intensity",
            "language",
            "priority",
            "data",
            "message__created_at",
            "message__conversation_id",
        )
        .select_related("message")
    )
    for reading in rows:
        readings.setdefault(reading.message.conversation_id, []).append(reading)
    cares = {
        care.conversation_id: care
        for care in ConversationCare.objects.filter(conversation_id__in=ids)
    }
    missing = [ConversationCare(conversation_id=pk) for pk in ids if pk not in cares]
    ConversationCare.objects.bulk_create(missing, batch_size=500)
    cares.update((care.conversation_id, care) for care in missing)
    subjects = dict(Conversation.objects.filter(pk__in=readings).values_list("pk", "subject"))
    folded = []
    for pk, found in readings.items():
        _fold_all(cares[pk], subjects.get(pk), found)
        folded.append(cares[pk])
    update_rows(ConversationCare, folded, _CARE_FIELDS)
    do_set_priority_scores({care.conversation_id: care.care_score for care in folded})


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
    """F8: a call or a screencast, logged as an event of the conversation. Its link must
    be a web address: a javascript: or data: link would run when someone follows it."""
    try:
        link = check_link(link)
    except ValidationError as problem:
        raise ActionError(" ".join(problem.messages)) from None
    return Event.objects.create(
        conversation=conversation,
        kind=EventKind.CALL,
        actor=actor,
        data={"summary": summary.strip()[:2000], "link": link[:500]},
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


def do_save_draft(
    conversation: Conversation,
    actor: User,
    body: str,
    *,
    seen_up_to: int,
    now: datetime | None = None,
) -> bool:
    """Keep the agent's draft as the coach saw it; returns whether it was kept.
    ``seen_up_to`` is the newest message id on the page that sent it: a page from before
    the agent's last reply here carries text that went with that reply (one conditional
    UPDATE; an empty composer creates no row)."""
    now = timezone.now() if now is None else now
    body = body.replace("\x00", "")  # PostgreSQL text cannot hold NUL; no reply needs one
    mine = Draft.objects.filter(conversation=conversation, agent=actor)
    if mine.filter(sent_up_to__lte=seen_up_to).update(body=body, updated_at=now):
        return True
    if not body:
        return False
    _draft, created = Draft.objects.get_or_create(
        conversation=conversation, agent=actor, defaults={"body": body, "updated_at": now}
    )
    return created


def do_close_draft(conversation: Conversation, actor: User, sent: Message) -> None:
    """The reply ``sent`` went from the composer: the draft is emptied, and remembers the
    reply so that a coach request still on its way from the sending page is not kept."""
    Draft.objects.update_or_create(
        conversation=conversation,
        agent=actor,
        defaults={"body": "", "sent_up_to": sent.pk, "updated_at": timezone.now()},
    )


def do_read_many(messages: list[Message]) -> int:
    """Read a batch of customer messages with one bulk write, then refresh each touched
    conversation once. For the demo generator and ``calmdesk reanalyze``."""
    rows = _readings_of(messages)
    conversation_ids = {row.message.conversation_id for row in rows}
    with transaction.atomic():
        MessageReading.objects.filter(message__in=[row.message for row in rows]).delete()
        MessageReading.objects.bulk_create(rows, batch_size=500)
        changed(*conversation_ids)
        for conversation_id in sorted(conversation_ids):
            refresh_care(conversation_id)
    return len(rows)


def _readings_of(messages: list[Message]) -> list[MessageReading]:
    return [
        MessageReading(
            message=message,
            **_reading_fields(
                read_message(
                    message.analysis_text or message.body_text, received_at=message.created_at
                )
            ),
        )
        for message in messages
        if message.kind == MessageKind.CUSTOMER
    ]


def do_read_imported(messages: list[Message], opened: set[int]) -> int:
    """Read a batch of newly stored customer messages (an import's). The conversations
    in ``opened`` were opened in this transaction, so they have no care row and every
    reading they have is in this batch: their care rows are folded in memory, by the one
    rule (``merge_reading``) in the order ``refresh_care`` folds them, and written with
    one INSERT. The others are refreshed from the table (``refresh_cares``)."""
    rows = _readings_of(messages)
    MessageReading.objects.bulk_create(rows, batch_size=500)
    changed(*{row.message.conversation_id for row in rows})
    fresh: dict[int, list[MessageReading]] = {}
    others: set[int] = set()
    for row in rows:
        conversation_id = row.message.conversation_id
        if conversation_id in opened:
            fresh.setdefault(conversation_id, []).append(row)
        else:
            others.add(conversation_id)
    cares = []
    for conversation_id, readings in fresh.items():
        readings.sort(key=lambda r: r.message_id)
        care = ConversationCare(conversation_id=conversation_id)
        _fold_all(care, readings[0].message.conversation.subject, readings)
        cares.append(care)
    ConversationCare.objects.bulk_create(cares, batch_size=500)
    do_set_priority_scores({care.conversation_id: care.care_score for care in cares})
    refresh_cares(sorted(others))
    return len(rows)
