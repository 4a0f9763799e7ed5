"""Mail the agent starts rather than answers: a new conversation written to a customer
first, and a forward of the thread (or one message) to someone outside it. Both leave
through the outbox like a reply (the agent's undo window, the worker's claim, the same
Message-ID on a retry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.actions import ActionError, find_or_create_customer, refuse_merged
from calmdesk.desk.models import Conversation, Event, EventKind, Mailbox, Message, MessageKind
from calmdesk.desk.opening import do_open_conversation
from calmdesk.mail.actions import do_send_reply, new_message_id
from calmdesk.mail.addresses import one_address
from calmdesk.mail.forwarding import FORWARDED_KINDS
from calmdesk.mail.models import Outbox


@transaction.atomic
def do_start_conversation(
    mailbox: Mailbox,
    actor: User,
    *,
    to: str,
    subject: str,
    body: str,
    cc: str | Sequence[str] = (),
    bcc: str | Sequence[str] = (),
    attachments: Sequence[UploadedFile] = (),
    then_status: str = "",
    now: datetime | None = None,
) -> Message:
    """Write to ``to`` first: the customer of that address (a new one if it is new) gets
    a conversation of ``mailbox``, held by ``actor``, whose first message is this reply.
    It threads like any reply: the customer's answer to its Message-ID (or its subject
    token) lands in the conversation."""
    address = one_address(to)
    if not body.strip():
        raise ActionError(_("The message is empty."))
    customer = find_or_create_customer(address)
    conversation = do_open_conversation(mailbox, customer, actor, subject, address=address, now=now)
    return do_send_reply(
        conversation,
        actor,
        body,
        attachments=attachments,
        then_status=then_status,
        to=address,
        cc=cc,
        bcc=bcc,
        now=now,
    )


@transaction.atomic
def do_forward(
    conversation: Conversation,
    actor: User,
    *,
    to: str,
    note: str = "",
    message: Message | None = None,
    now: datetime | None = None,
) -> Message:
    """Send the thread (or ``message`` alone) on to ``to`` with the agent's ``note``, as
    a forwarded mail: the originals quoted, their files attached. ``to`` does not become
    a participant, so an answer from there opens a conversation of its own that claims
    to continue this one (``threads.find_conversation``). Kept in the thread as a
    forward (it counts as no message) with an event; undone like a reply in its window."""
    address = one_address(to)
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    refuse_merged(locked)
    if locked.customer.erased_at is not None:
        raise ActionError(_("This customer was erased; there is nothing to forward."))
    if message is not None and (
        message.conversation_id != locked.pk or message.kind not in FORWARDED_KINDS
    ):
        raise ActionError(_("Only a message of this conversation can be forwarded."))
    if message is None and not locked.messages.filter(kind__in=FORWARDED_KINDS).exists():
        raise ActionError(_("There is nothing in this conversation to forward yet."))
    when = now or timezone.now()
    agent = getattr(actor, "agent", None)
    undo = agent.undo_window if agent is not None else settings.DEFAULT_UNDO_SECONDS
    forward = Message.objects.create(
        conversation=locked,
        kind=MessageKind.FORWARD,
        author=actor,
        body_text=note,
        message_id=new_message_id(locked.mailbox),
        created_at=when,
    )
    Outbox.objects.create(
        message=forward,
        send_at=when + timedelta(seconds=undo),
        recipient=address,
        forwarded_message=message,
    )
    Event.objects.create(
        conversation=locked,
        kind=EventKind.SEND,
        actor=actor,
        data={
            "forwarded": forward.pk,
            "to": address,
            **({"message": message.pk} if message is not None else {}),
        },
        created_at=when,
    )
    return forward
