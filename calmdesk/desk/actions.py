"""Every write to conversations, messages and customers goes through here (STYLE.md #3).
Views, the API, the mail ingest, the worker, the demo generator and the CLI call these;
nothing else calls ``.save()`` on a conversation or message."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.models import (
    Conversation,
    Customer,
    CustomerEmail,
    Event,
    EventKind,
    Mailbox,
    Message,
    MessageKind,
    Status,
)
from calmdesk.mail.models import Outbox, OutboxState


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


def new_message_id(mailbox: Mailbox) -> str:
    """A Message-ID fixed when a reply is written, so a resend reuses it (F14)."""
    domain = mailbox.email.rpartition("@")[2] or "calmdesk.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


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


def _check_collision(conversation: Conversation, agent_user, seen_up_to: int | None) -> None:  # type: ignore[no-untyped-def]
    if seen_up_to is None:
        return
    added = tuple(
        conversation.messages.filter(
            id__gt=seen_up_to, kind__in=[MessageKind.REPLY, MessageKind.NOTE]
        )
        .exclude(author=agent_user)
        .order_by("id")
    )
    if added:
        raise Collision(added)


@transaction.atomic
def do_send_reply(
    conversation: Conversation,
    agent_user,  # type: ignore[no-untyped-def]
    body: str,
    *,
    seen_up_to: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Write a reply and hand it to the outbox in one transaction. It leaves after the
    agent's undo window (F6); until then ``do_undo_send`` takes it back.

    ``seen_up_to`` is the id of the newest message the agent had on screen: if a
    teammate replied or noted since, the send is refused with ``Collision``."""
    if not body.strip():
        raise ActionError(_("The reply is empty."))
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _check_collision(locked, agent_user, seen_up_to)
    when = now or timezone.now()
    agent = getattr(agent_user, "agent", None)
    undo = agent.undo_seconds if agent is not None else settings.DEFAULT_UNDO_SECONDS
    message = Message.objects.create(
        conversation=locked,
        kind=MessageKind.REPLY,
        author=agent_user,
        body_text=body,
        message_id=new_message_id(locked.mailbox),
        created_at=when,
    )
    Outbox.objects.create(message=message, send_at=when + timedelta(seconds=undo))
    Conversation.objects.filter(pk=locked.pk).update(
        waiting_since=None,
        message_count=F("message_count") + 1,
        updated_at=when,
        last_message_at=when,
    )
    conversation.refresh_from_db()
    return message


def do_undo_send(message: Message, agent_user) -> bool:  # type: ignore[no-untyped-def]
    """Take a scheduled reply back. One conditional UPDATE: if the worker claimed it
    first, this returns False and the reply goes out."""
    with transaction.atomic():
        undone = Outbox.objects.filter(
            message=message, state=OutboxState.SCHEDULED, send_at__gt=timezone.now()
        ).update(state=OutboxState.UNDONE)
        if undone != 1:
            return False
        Event.objects.create(
            conversation=message.conversation,
            kind=EventKind.SEND,
            actor=agent_user,
            data={"undone": message.pk},
            created_at=timezone.now(),
        )
    return True
