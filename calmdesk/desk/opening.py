"""A conversation the team opens itself: an agent writes to a customer first (the mail
layer's ``compose.do_start_conversation`` sends that first message as a reply)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.actions import ActionError, _bump_folder, can_work_in
from calmdesk.desk.models import Conversation, Customer, Event, EventKind, Mailbox, Status


@transaction.atomic
def do_open_conversation(
    mailbox: Mailbox,
    customer: Customer,
    actor: User,
    subject: str,
    *,
    address: str,
    now: datetime | None = None,
) -> Conversation:
    """Open an empty, active conversation with ``customer`` in ``mailbox``, held by
    ``actor`` (who wrote first, so whose it is), with an event naming the ``address``
    written to. Nobody waits on it: its first message is the team's."""
    if not can_work_in(actor, mailbox.pk):
        raise ActionError(_("You cannot write from this mailbox."))
    if customer.erased_at is not None:
        raise ActionError(_("This customer was erased; there is nobody to write to."))
    subject = " ".join(subject.split())[:500]
    if not subject:
        raise ActionError(_("A new conversation needs a subject."))
    when = now or timezone.now()
    conversation = Conversation.objects.create(
        mailbox=mailbox,
        customer=customer,
        subject=subject,
        status=Status.ACTIVE,
        assignee=actor,
        created_at=when,
        updated_at=when,
        last_message_at=when,
    )
    _bump_folder(mailbox.pk, Status.ACTIVE, actor.pk, +1)
    Event.objects.create(
        conversation=conversation,
        kind=EventKind.SEND,
        actor=actor,
        data={"started": True, "to": address},
        created_at=when,
    )
    return conversation
