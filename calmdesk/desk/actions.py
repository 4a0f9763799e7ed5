"""Every write to conversations, messages and customers goes through here (STYLE.md #3).
Views, the API, the mail ingest, the worker, the demo generator and the CLI call these;
nothing else calls ``.save()`` on a conversation or message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.models import (
    Conversation,
    Customer,
    CustomerEmail,
    Mailbox,
    Message,
    MessageKind,
    Status,
)


class ActionError(Exception):
    """A write that cannot happen, with a message fit to show the agent."""


@dataclass(frozen=True)
class Collision(ActionError):
    """A teammate wrote to the conversation after the agent loaded it."""

    added: tuple[Message, ...]

    def __str__(self) -> str:
        return _("A teammate added %(count)d message(s) since you opened this conversation.") % {
            "count": len(self.added)
        }


def find_or_create_customer(email: str, name: str = "") -> Customer:
    address = email.strip().lower()
    existing = (
        CustomerEmail.objects.select_related("customer").filter(email__iexact=address).first()
    )
    if existing is not None:
        customer = existing.customer
        while customer.merged_into_id is not None:
            customer = customer.merged_into  # type: ignore[assignment]
        return customer
    customer = Customer.objects.create(name=name.strip()[:200])
    CustomerEmail.objects.create(customer=customer, email=address)
    return customer


@transaction.atomic
def do_receive_message(
    *,
    mailbox: Mailbox,
    customer: Customer,
    text: str,
    subject: str = "",
    html: str = "",
    analysis_text: str | None = None,
    message_id: str = "",
    received_at: datetime | None = None,
    conversation: Conversation | None = None,
) -> Message:
    """Store a customer's message, opening a conversation unless one is given. A message
    into a closed or pending conversation makes it active again: the customer waits."""
    when = received_at or timezone.now()
    if conversation is None:
        conversation = Conversation.objects.create(
            mailbox=mailbox,
            customer=customer,
            subject=subject[:500],
            status=Status.ACTIVE,
            created_at=when,
            updated_at=when,
            last_message_at=when,
            waiting_since=when,
        )
    message = Message.objects.create(
        conversation=conversation,
        kind=MessageKind.CUSTOMER,
        customer=customer,
        body_text=text,
        body_html=html,
        analysis_text=text if analysis_text is None else analysis_text,
        message_id=message_id[:998],
        created_at=when,
    )
    updates: dict[str, object] = {
        "customer_message_count": F("customer_message_count") + 1,
        "message_count": F("message_count") + 1,
        "updated_at": timezone.now(),
    }
    if conversation.status != Status.SPAM:
        updates["status"] = Status.ACTIVE
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    # The customer waits from their oldest unanswered message; the latest message time
    # only moves forward (imports may arrive out of order).
    Conversation.objects.filter(pk=conversation.pk, waiting_since__isnull=True).update(
        waiting_since=when
    )
    Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=when).update(
        last_message_at=when
    )
    conversation.refresh_from_db()
    return message
