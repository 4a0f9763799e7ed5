"""Receiving a customer's message, whatever brought it (the mail ingest, the demo, an
importer): the help-desk core stores it, then the empathy layer reads it, in one
transaction, so a stored message always has its reading (F1–F3; the engine reads a
message in well under a millisecond). This sits above both layers so that neither has to
know the other (README, "Architecture")."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from calmdesk.desk.actions import do_store_customer_message
from calmdesk.desk.models import Conversation, Customer, Mailbox, Message
from calmdesk.empathy.actions import do_read_message


# No savepoint: callers (the mail ingest) run it inside their own transaction, and a
# failure here must roll all of that back anyway.
@transaction.atomic(savepoint=False)
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
    """Store a customer's message (see ``do_store_customer_message``) and read it."""
    message = do_store_customer_message(
        mailbox=mailbox,
        customer=customer,
        text=text,
        subject=subject,
        html=html,
        analysis_text=analysis_text,
        message_id=message_id,
        received_at=received_at,
        conversation=conversation,
    )
    do_read_message(message)
    return message
