"""What ``do_receive_message`` leaves behind when a customer writes again: it writes the
conversation with one UPDATE and computes the values instead of re-reading them, so
these pin down the values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from calmdesk.desk.actions import do_change_status, find_or_create_customer
from calmdesk.desk.models import Conversation, CustomerEmail, FolderCount, Message, Status
from calmdesk.empathy.models import ConversationCare, MessageReading

from .conftest import Desk, receive


def folder(desk: Desk, status: str) -> int:
    row = FolderCount.objects.filter(mailbox=desk.support, status=status, assignee_key=0).first()
    return row.count if row else 0


def test_maya_writing_again_into_a_closed_conversation_makes_it_wait(desk: Desk) -> None:
    do_change_status(desk.conversation, desk.alice, Status.CLOSED)
    assert desk.conversation.waiting_since is None
    active, closed = folder(desk, Status.ACTIVE), folder(desk, Status.CLOSED)

    message = receive(
        desk.support, "maya@shop.example", "Still broken, urgent!", conversation=desk.conversation
    )

    stored = Conversation.objects.get(pk=desk.conversation.pk)
    assert stored.status == Status.ACTIVE
    assert stored.customer_message_count == 2
    assert stored.message_count == 2
    assert stored.waiting_since == message.created_at
    assert stored.last_message_at == message.created_at
    # The caller's object and the message's conversation hold what the row holds.
    for seen in (desk.conversation, message.conversation):
        assert (seen.status, seen.customer_message_count, seen.message_count) == (
            stored.status,
            stored.customer_message_count,
            stored.message_count,
        )
        assert (seen.waiting_since, seen.last_message_at) == (
            stored.waiting_since,
            stored.last_message_at,
        )
    assert (folder(desk, Status.ACTIVE), folder(desk, Status.CLOSED)) == (active + 1, closed - 1)
    assert MessageReading.objects.filter(message=message).exists()
    care = ConversationCare.objects.get(conversation=desk.conversation)
    assert care.latest_tone == MessageReading.objects.get(message=message).tone


def test_a_second_message_keeps_the_oldest_wait_and_the_folder_counts(desk: Desk) -> None:
    waiting_since = desk.conversation.waiting_since
    active = folder(desk, Status.ACTIVE)

    receive(desk.support, "maya@shop.example", "Any news?", conversation=desk.conversation)

    stored = Conversation.objects.get(pk=desk.conversation.pk)
    assert stored.waiting_since == waiting_since
    assert stored.customer_message_count == 2
    assert folder(desk, Status.ACTIVE) == active


def test_an_older_imported_message_does_not_move_the_latest_time_back(desk: Desk) -> None:
    latest = desk.conversation.last_message_at

    older = receive(
        desk.support,
        "maya@shop.example",
        "An old one",
        conversation=desk.conversation,
        received_at=latest - timedelta(days=1),
    )

    assert Conversation.objects.get(pk=desk.conversation.pk).last_message_at == latest
    assert older.conversation.last_message_at == latest


def test_spam_stays_spam_when_the_sender_writes_again(desk: Desk) -> None:
    do_change_status(desk.conversation, desk.alice, Status.SPAM)
    spam = folder(desk, Status.SPAM)

    receive(desk.support, "maya@shop.example", "Buy now", conversation=desk.conversation)

    assert Conversation.objects.get(pk=desk.conversation.pk).status == Status.SPAM
    assert folder(desk, Status.SPAM) == spam


def test_an_address_an_admin_typed_with_capitals_still_finds_the_customer(desk: Desk) -> None:
    CustomerEmail.objects.create(customer=desk.customer, email="Maya.Okafor@Shop.example")

    assert find_or_create_customer("maya.okafor@shop.example") == desk.customer
    assert find_or_create_customer("MAYA@shop.example") == desk.customer


def test_a_failure_after_the_message_rolls_back_the_whole_transaction(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No savepoint of its own: the caller's transaction is the unit that rolls back.
    def broken(message: Message) -> None:
        raise RuntimeError("engine down")

    monkeypatch.setattr("calmdesk.receive.do_read_message", broken)
    before = Message.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(desk.support, "maya@shop.example", "Hello?", conversation=desk.conversation)

    assert Message.objects.count() == before
    assert Conversation.objects.get(pk=desk.conversation.pk).customer_message_count == 1


def test_a_new_conversation_is_born_counted(desk: Desk) -> None:
    message = receive(desk.support, "lena@studio.example", "Hello there", "First contact")

    stored = Conversation.objects.get(pk=message.conversation_id)
    assert (stored.customer_message_count, stored.message_count) == (1, 1)
    assert stored.waiting_since == stored.last_message_at == message.created_at
    assert stored.status == Status.ACTIVE
    assert ConversationCare.objects.filter(conversation=stored).exists()
