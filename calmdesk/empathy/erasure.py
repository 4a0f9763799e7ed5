"""A data-protection erasure reaches what the empathy layer keeps about a conversation:
the care row holds the customer's words (stakes with their spans) and what was read in
them (tone, priority, score), the reproduction record may quote them, and agents'
unsent drafts may too. The desk's erasure sends ``erasing_customer``; this answers it.
The readings themselves go with the messages they belong to."""

from __future__ import annotations

from django.db.models import QuerySet
from django.dispatch import receiver

from calmdesk.desk.actions import do_set_priority_score, erasing_customer
from calmdesk.desk.models import Conversation, Customer, Message
from calmdesk.empathy.models import ConversationCare, Draft, Reproduction


@receiver(erasing_customer)
def erase_care_of(
    sender: type[Customer], customer: Customer, messages: QuerySet[Message], **kwargs: object
) -> None:
    """Runs inside the erasing transaction: the care rows are emptied and the
    conversations drop to the bottom of "needs care first"."""
    conversations = list(Conversation.objects.filter(customer=customer))
    ConversationCare.objects.filter(conversation__in=conversations).update(
        latest_tone="",
        latest_intensity=0.0,
        latest_language="",
        latest_unsure=False,
        stakes=[],
        priority="",
        care_score=0.0,
        reproduction=Reproduction.NOT_TRIED,
        reproduction_steps="",
        reproduction_environment="",
        reproduction_by=None,
        reproduction_at=None,
    )
    for conversation in conversations:
        if conversation.priority_score:
            do_set_priority_score(conversation, 0.0)


@receiver(erasing_customer)
def erase_drafts_of(
    sender: type[Customer], customer: Customer, messages: QuerySet[Message], **kwargs: object
) -> None:
    """Every agent's unsent reply to the customer goes: it may quote them."""
    Draft.objects.filter(conversation__customer=customer).delete()
