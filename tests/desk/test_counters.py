"""The conversation counters are kept one message at a time (``count_message``, called by
every action that adds a message) and said from scratch by ``counters_of``. After any
sequence of actions, recounting from scratch gives what was kept."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from calmdesk.desk.actions import Counters, counters_of, do_add_note
from calmdesk.desk.models import Conversation
from calmdesk.mail.actions import do_record_send_failure, do_send_reply, do_undo_send

from .conftest import Desk, receive

STEPS = 40


def _kept(conversation: Conversation) -> Counters:
    conversation.refresh_from_db()
    return Counters(
        conversation.message_count,
        conversation.customer_message_count,
        conversation.waiting_since,
        conversation.last_message_at,
    )


def _recounted(conversation: Conversation) -> Counters:
    # In the order the messages came in (imports may bring older ones later).
    return counters_of(conversation.messages.order_by("id").values_list("kind", "created_at"))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_recounting_from_scratch_gives_the_kept_counters(desk: Desk, seed: int) -> None:
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=3)
    conversations = [desk.conversation]
    replies = []
    for step in range(STEPS):
        # Mostly forward in time, sometimes an import from the past.
        when = start + timedelta(hours=step * 3 - (rng.random() < 0.2) * rng.uniform(1, 60))
        conversation = rng.choice(conversations)
        action = rng.choice(["customer", "customer", "new", "reply", "note", "failure", "undo"])
        if action == "customer":
            receive(
                desk.support,
                "maya@shop.example",
                "Any news?",
                received_at=when,
                conversation=conversation,
            )
        elif action == "new":
            address = f"c{step}@shop.example"
            conversations.append(
                receive(desk.support, address, "Hello", received_at=when).conversation
            )
        elif action == "reply":
            replies.append(do_send_reply(conversation, desk.alice, "On it.", now=when))
        elif action == "note":
            do_add_note(conversation, desk.bob, "Checking with the team.")
        elif action == "undo" and replies:
            # Taken back in its window (now is before it leaves): it stops counting.
            do_undo_send(rng.choice(replies), desk.alice, now=when - timedelta(days=30))
        elif replies:
            do_record_send_failure(rng.choice(replies).outbox.pk, "550 no such user")
    for conversation in conversations:
        assert _kept(conversation) == _recounted(conversation)


@pytest.mark.parametrize(
    "messages,expected",
    [
        ([], (0, 0, None, None)),
        ([("customer", 1)], (1, 1, 1, 1)),
        ([("customer", 1), ("customer", 2)], (2, 2, 1, 2)),
        ([("customer", 1), ("reply", 2)], (2, 1, None, 2)),
        ([("customer", 1), ("reply", 2), ("note", 3)], (3, 1, None, 2)),
        ([("customer", 1), ("reply", 3), ("customer", 2)], (3, 2, 2, 3)),
        # A reply taken back before it left is no message: the customer still waits.
        ([("customer", 1), ("withdrawn", 2)], (1, 1, 1, 1)),
        ([("customer", 1), ("reply", 2), ("customer", 3), ("withdrawn", 4)], (3, 2, 3, 3)),
    ],
)
def test_counters_of_says_what_the_counters_mean(
    messages: list[tuple[str, int]], expected: tuple[int, int, int | None, int | None]
) -> None:
    day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)

    def at(hour: int | None) -> datetime | None:
        return None if hour is None else day + timedelta(hours=hour)

    total, customer, waiting, latest = expected
    counted = counters_of((kind, day + timedelta(hours=hour)) for kind, hour in messages)
    assert counted == Counters(total, customer, at(waiting), at(latest))
