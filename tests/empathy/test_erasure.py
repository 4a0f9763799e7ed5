"""An erasure empties what the empathy layer kept about the customer's conversations:
the care row's stakes quote the customer, and its tone and score were read from them."""

from __future__ import annotations

from django.contrib.auth.models import User

from calmdesk.desk.actions import do_erase_customer
from calmdesk.desk.models import Conversation
from calmdesk.empathy.actions import do_record_reproduction
from calmdesk.empathy.models import ConversationCare, MessageReading

from .conftest import Desk, receive


def test_an_erasure_empties_the_care_row_and_the_priority_score(desk: Desk) -> None:
    message = receive(
        desk.support,
        "dana@example.com",
        "Our shop is down and we are losing $2,000 an hour. This is the third time!!!",
        "Checkout broken",
    )
    conversation = message.conversation
    care = ConversationCare.objects.get(conversation=conversation)
    assert care.stakes and care.care_score > 0
    assert Conversation.objects.get(pk=conversation.pk).priority_score > 0
    admin = desk.admin
    assert isinstance(admin, User)

    do_erase_customer(conversation.customer, admin)

    care.refresh_from_db()
    assert (care.stakes, care.latest_tone, care.priority, care.care_score) == ([], "", "", 0.0)
    assert Conversation.objects.get(pk=conversation.pk).priority_score == 0.0
    assert not MessageReading.objects.filter(message__conversation=conversation).exists()


def test_an_erasure_empties_the_reproduction_record(desk: Desk) -> None:
    message = receive(desk.support, "dana@example.com", "The export stops at row 1,204.")
    conversation = message.conversation
    admin = desk.admin
    assert isinstance(admin, User)
    do_record_reproduction(
        conversation,
        admin,
        state="reproduced",
        steps="Signed in as dana@example.com, exported the orders",
        environment="Dana's laptop, Safari 17",
    )

    do_erase_customer(conversation.customer, admin)

    care = ConversationCare.objects.get(conversation=conversation)
    assert (care.reproduction_steps, care.reproduction_environment) == ("", "")
    assert care.reproduction == "not_tried" and care.reproduction_by is None
