"""What a signed-in person may see. Every desk query starts here, so a conversation,
customer or attachment of a mailbox the agent cannot see is a 404 — never the data and
never a hint that it exists."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from calmdesk.accounts.access import SignedInRequest as SignedInRequest
from calmdesk.accounts.access import agent_of as agent_of
from calmdesk.accounts.access import agent_required as agent_required
from calmdesk.accounts.models import Capability
from calmdesk.desk.models import Attachment, Conversation, Customer, Mailbox, Message


def sees_every_mailbox(actor: User) -> bool:
    """Admins and leads work in every mailbox (README, "Roles")."""
    agent = agent_of(actor)
    return actor.is_superuser or (agent is not None and agent.can(Capability.SEE_EVERY_MAILBOX))


def visible_mailbox_ids(actor: User) -> list[int]:
    """Cached on the user object, which lives as long as the request."""
    cached = getattr(actor, "_calmdesk_mailbox_ids", None)
    if cached is not None:
        return cached
    agent = agent_of(actor)
    if agent is None:
        ids: list[int] = []
    elif sees_every_mailbox(actor):
        ids = list(Mailbox.objects.values_list("pk", flat=True))
    else:
        ids = list(agent.mailboxes.values_list("pk", flat=True))
    actor._calmdesk_mailbox_ids = ids  # type: ignore[attr-defined]
    return ids


def visible_mailboxes(actor: User) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(pk__in=visible_mailbox_ids(actor))


def visible_conversations(actor: User) -> QuerySet[Conversation]:
    if sees_every_mailbox(actor):
        # No mailbox filter at all, so the planner can walk the (status, …) indexes in order.
        return Conversation.objects.all()
    return Conversation.objects.filter(mailbox_id__in=visible_mailbox_ids(actor))


def visible_customers(actor: User) -> QuerySet[Customer]:
    """A customer is visible through a conversation in a mailbox the agent sees."""
    return Customer.objects.filter(
        pk__in=visible_conversations(actor).values("customer_id")
    ).distinct()


def conversation_or_404(actor: User, pk: int) -> Conversation:
    try:
        return visible_conversations(actor).select_related("mailbox", "customer").get(pk=pk)
    except Conversation.DoesNotExist:
        raise Http404 from None


def customer_or_404(actor: User, pk: int) -> Customer:
    try:
        return visible_customers(actor).select_related("organisation").get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


def message_or_404(actor: User, pk: int) -> Message:
    try:
        return Message.objects.get(pk=pk, conversation__mailbox_id__in=visible_mailbox_ids(actor))
    except Message.DoesNotExist:
        raise Http404 from None


def attachment_or_404(actor: User, pk: int) -> Attachment:
    try:
        return Attachment.objects.get(
            pk=pk, message__conversation__mailbox_id__in=visible_mailbox_ids(actor)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None
