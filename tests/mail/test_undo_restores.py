"""Undo puts the conversation back exactly as the send found it: its status (a "then set
Pending" or "Closed" with the send is taken back too), the customer's wait the inbox
sorts by, the counts, the folder counts and the assignee. The withdrawn reply stays in
the thread, marked, and counts as no message. alice is an agent of Support, bob her
teammate; Maya is the customer waiting on them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calmdesk.desk.actions import counters_of, do_assign, do_change_status
from calmdesk.desk.models import (
    Conversation,
    Event,
    FolderCount,
    Mailbox,
    Message,
    MessageKind,
)
from calmdesk.mail.actions import do_send_reply, do_undo_send
from calmdesk.mail.models import Outbox, OutboxState
from tests.desk.conftest import make_agent, receive

pytestmark = pytest.mark.django_db


def _state(conversation: Conversation) -> dict[str, object]:
    conversation.refresh_from_db()
    return {
        "status": conversation.status,
        "assignee_id": conversation.assignee_id,
        "waiting_since": conversation.waiting_since,
        "last_message_at": conversation.last_message_at,
        "message_count": conversation.message_count,
        "customer_message_count": conversation.customer_message_count,
    }


def _folders() -> dict[tuple[str, int], int]:
    return {(f.status, f.assignee_key): f.count for f in FolderCount.objects.all() if f.count}


def _recounted(conversation: Conversation) -> int:
    kinds = conversation.messages.order_by("id").values_list("kind", "created_at")
    return counters_of(kinds).message_count


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    alice = make_agent("alice", [support])
    bob = make_agent("bob", [support])
    earlier = timezone.now() - timedelta(hours=5)
    first = receive(
        support, "maya@shop.example", "Checkout is broken.", "Checkout", received_at=earlier
    )
    receive(
        support,
        "maya@shop.example",
        "Still broken, any news?",
        received_at=earlier + timedelta(hours=1),
        conversation=first.conversation,
    )
    return support, alice, bob, first.conversation


# (status before, assigned to, then_status with the send)
CASES = [
    ("active", None, "pending"),
    ("active", None, "closed"),
    ("active", "alice", "pending"),
    ("active", "bob", ""),
    ("active", None, "active"),
    ("pending", "alice", "closed"),
    ("pending", None, ""),
    ("closed", None, ""),
    ("closed", "bob", "pending"),
]


@pytest.mark.parametrize("status,assigned,then_status", CASES)
def test_undo_restores_the_conversation_as_the_send_found_it(
    people, status: str, assigned: str | None, then_status: str
) -> None:
    _support, alice, bob, conversation = people
    who = {"alice": alice, "bob": bob}
    if assigned:
        do_assign(conversation, alice, who[assigned])
    if status != "active":
        do_change_status(conversation, alice, status)
    before, folders = _state(conversation), _folders()

    reply = do_send_reply(conversation, alice, "Fixed, please try again.", then_status=then_status)
    sent = _state(conversation)
    assert sent["waiting_since"] is None
    assert sent["message_count"] == before["message_count"] + 1  # type: ignore[operator]
    if then_status:
        assert sent["status"] == then_status

    assert do_undo_send(reply, alice)
    assert _state(conversation) == before
    assert _folders() == folders
    assert _recounted(conversation) == before["message_count"]
    reply.refresh_from_db()
    assert reply.kind == MessageKind.WITHDRAWN
    assert Outbox.objects.get(message=reply).state == OutboxState.UNDONE
    # The thread says when the undo took the send's status change back.
    undone = Event.objects.get(conversation=conversation, data__undone=reply.pk)
    changed = bool(then_status) and then_status != status
    assert undone.data.get("status_back") == (status if changed else None)


def test_a_customer_message_during_the_window_keeps_its_place(people) -> None:
    support, alice, _bob, conversation = people
    waited_since = _state(conversation)["waiting_since"]
    reply = do_send_reply(conversation, alice, "On it.", then_status="pending")
    receive(support, "maya@shop.example", "Hello??", conversation=conversation)
    assert do_undo_send(reply, alice)
    state = _state(conversation)
    # Active, as the customer's message made it, and waiting since their first message.
    assert state["status"] == "active"
    assert state["waiting_since"] == waited_since
    assert state["message_count"] == 3 == _recounted(conversation)


def test_a_teammates_change_during_the_window_stays(people) -> None:
    _support, alice, bob, conversation = people
    reply = do_send_reply(conversation, alice, "On it.", then_status="pending")
    do_change_status(conversation, bob, "closed")
    do_assign(conversation, bob, bob)
    folders_now = _folders()
    assert do_undo_send(reply, alice)
    state = _state(conversation)
    assert (state["status"], state["assignee_id"]) == ("closed", bob.pk)
    assert state["waiting_since"] is None  # nobody waits on a closed conversation
    assert _folders() == folders_now


def test_a_teammates_sent_reply_still_answers_the_customer(people) -> None:
    _support, alice, bob, conversation = people
    do_send_reply(conversation, bob, "Looking into it.")
    before = _state(conversation)
    reply = do_send_reply(conversation, alice, "Also: try clearing the cache.")
    assert do_undo_send(reply, alice)
    assert _state(conversation) == before
    assert before["waiting_since"] is None


def test_a_late_undo_changes_nothing(people) -> None:
    _support, alice, _bob, conversation = people
    written = timezone.now()
    reply = do_send_reply(conversation, alice, "On it.", then_status="pending", now=written)
    sent = _state(conversation)
    assert not do_undo_send(reply, alice, now=written + timedelta(seconds=21))
    assert _state(conversation) == sent
    assert Message.objects.get(pk=reply.pk).kind == MessageKind.REPLY


def test_a_reply_from_before_snapshots_still_uncounts(people) -> None:
    _support, alice, _bob, conversation = people
    before = _state(conversation)
    reply = do_send_reply(conversation, alice, "On it.")
    Outbox.objects.filter(message=reply).update(undo_snapshot={})
    assert do_undo_send(reply, alice)
    assert _state(conversation) == before


def test_the_coach_reads_no_reply_the_customer_never_saw(people) -> None:
    from calmdesk.empathy.coach import thread_for

    _support, alice, _bob, conversation = people
    reply = do_send_reply(conversation, alice, "Fixed, please try again.")
    assert ("agent", "Fixed, please try again.") in thread_for(conversation).messages
    assert do_undo_send(reply, alice)
    # The same words back in the composer are no repetition of an earlier answer.
    assert all(speaker == "customer" for speaker, _text in thread_for(conversation).messages)
