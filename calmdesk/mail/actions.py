"""Outbound actions: a reply is written with its outbox row in one transaction, and can
be taken back until its undo window ends (F6)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts.models import NotificationKind
from calmdesk.accounts.notify import do_notify
from calmdesk.desk.actions import (
    ActionError,
    Collision,
    ConversationState,
    count_message,
    do_attach_to_reply,
    do_change_status,
    do_mark_reply_failed,
    do_mark_reply_retried,
    do_withdraw_reply,
    refuse_merged,
)
from calmdesk.desk.models import (
    Conversation,
    Event,
    EventKind,
    Mailbox,
    Message,
    MessageKind,
    Status,
)
from calmdesk.mail.addresses import address_list
from calmdesk.mail.models import (
    InboundMail,
    Outbox,
    OutboxState,
    Participant,
    ParticipantSource,
)
from calmdesk.mail.participants import do_add_participants, reply_choices


def new_message_id(mailbox: Mailbox) -> str:
    """A Message-ID fixed when a reply is written, so a resend reuses it (F14)."""
    domain = mailbox.email.rpartition("@")[2] or "calmdesk.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _check_collision(conversation: Conversation, actor: User, seen_up_to: int | None) -> None:
    if seen_up_to is None:
        return
    added = tuple(
        conversation.messages.filter(
            id__gt=seen_up_to,
            kind__in=[MessageKind.REPLY, MessageKind.NOTE, MessageKind.FAILED],
        )
        .exclude(author=actor)
        .order_by("id")
    )
    if added:
        raise Collision(added)


@transaction.atomic
def do_send_reply(
    conversation: Conversation,
    actor: User,
    body: str,
    *,
    seen_up_to: int | None = None,
    attachments: Sequence[UploadedFile] = (),
    then_status: str = "",
    to: str = "",
    cc: str | Sequence[str] = (),
    bcc: str | Sequence[str] = (),
    now: datetime | None = None,
) -> Message:
    """Write a reply and hand it to the outbox in one transaction, with its
    ``attachments`` (the worker never sees the reply without them) and the status the
    conversation moves to (``then_status``, if any). It leaves after the agent's undo
    window (F6); until then ``do_undo_send`` takes it back. It goes to the customer's
    address unless the agent chose another of the conversation's (``to``), with copies
    to ``cc`` (kept as participants: their answers thread here) and ``bcc`` (in the
    envelope only: never in the mail, never a participant).

    ``seen_up_to`` is the id of the newest message the agent had on screen: if a
    teammate replied or noted since, the send is refused with ``Collision``."""
    if not body.strip():
        raise ActionError(_("The reply is empty."))
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    refuse_merged(locked)
    if locked.customer.erased_at is not None:
        # Every caller, not only the page, must not write to an erased customer.
        raise ActionError(_("This customer was erased; there is nobody to reply to."))
    _check_collision(locked, actor, seen_up_to)
    to = to.strip().lower()
    if to and to not in reply_choices(locked):
        raise ActionError(_("A reply goes to someone in the conversation."))
    copies = [a for a in address_list(cc) if a != to]
    blind = [a for a in address_list(bcc) if a != to and a not in copies]
    when = now or timezone.now()
    before = ConversationState.of(locked)
    agent = getattr(actor, "agent", None)
    undo = agent.undo_window if agent is not None else settings.DEFAULT_UNDO_SECONDS
    message = Message.objects.create(
        conversation=locked,
        kind=MessageKind.REPLY,
        author=actor,
        body_text=body,
        message_id=new_message_id(locked.mailbox),
        created_at=when,
    )
    count_message(locked, MessageKind.REPLY, when, now=when)
    if attachments:
        do_attach_to_reply(message, list(attachments))
    if then_status:
        do_change_status(locked, actor, then_status)
    conversation.refresh_from_db()
    snapshot: dict[str, object] = {
        "before": before.as_dict(),
        "after": ConversationState.of(conversation).as_dict(),
    }
    if copies:
        kept = Participant.objects.filter(conversation=locked, email__in=copies)
        # Who this send makes a participant: an undo takes them out again.
        snapshot["participants"] = sorted(set(copies) - set(kept.values_list("email", flat=True)))
    Outbox.objects.create(
        message=message,
        send_at=when + timedelta(seconds=undo),
        undo_snapshot=snapshot,
        recipient=to,
        cc=copies,
        bcc=blind,
    )
    if copies:
        do_add_participants(locked, copies, ParticipantSource.RECIPIENT, now=when)
    return message


def _states(snapshot: dict) -> tuple[ConversationState | None, ConversationState | None]:
    try:
        return (
            ConversationState.from_dict(snapshot["before"]),
            ConversationState.from_dict(snapshot["after"]),
        )
    except (KeyError, TypeError):
        return None, None  # a reply written before sends kept what they changed


def do_undo_send(message: Message, actor: User, *, now: datetime | None = None) -> bool:
    """Take a scheduled reply back. One conditional UPDATE: if the worker claimed it
    first, or its undo window has passed by ``now``, this returns False and the reply
    goes out. Taken back, the reply is withdrawn and the conversation is as the send
    found it (status, wait, counts, assignee), in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        undone = Outbox.objects.filter(
            message=message, state=OutboxState.SCHEDULED, send_at__gt=now
        ).update(state=OutboxState.UNDONE)
        if undone != 1:
            return False
        if message.kind == MessageKind.FORWARD:
            # A forward never counted nor changed the conversation: only the event says so.
            Event.objects.create(
                conversation=message.conversation,
                kind=EventKind.SEND,
                actor=actor,
                data={"undone": message.pk, "forward": True},
                created_at=now,
            )
            return True
        snapshot = Outbox.objects.values_list("undo_snapshot", flat=True).get(message=message)
        before, after = _states(snapshot)
        Participant.objects.filter(
            conversation_id=message.conversation_id,
            email__in=list(snapshot.get("participants", [])),
            source=ParticipantSource.RECIPIENT,
        ).delete()
        restored = do_withdraw_reply(message, actor, before=before, after=after, now=now)
        data: dict[str, object] = {"undone": message.pk, "status": restored.status}
        if before and after and restored.status == before.status != after.status:
            # The thread shows the send's status change; it says this took it back.
            data["status_back"] = restored.status
        if not restored.messages.exclude(kind=MessageKind.WITHDRAWN).exists():
            # The first message of a conversation the agent started: nothing is left to
            # work on, so it is closed (kept, with its events: nothing that pointed at it
            # dangles, and every count moves through the status change).
            restored = do_change_status(restored, actor, Status.CLOSED)
            data.update(status=restored.status, withdrawn=True)
            data.pop("status_back", None)
        Event.objects.create(
            conversation=message.conversation,
            kind=EventKind.SEND,
            actor=actor,
            data=data,
            created_at=now,
        )
    message.kind = MessageKind.WITHDRAWN
    return True


def do_edit_scheduled_reply(
    message: Message, actor: User, body: str, *, now: datetime | None = None
) -> bool:
    """Change a reply still in its undo window. The outbox row is locked while the body
    changes, so the worker's claim waits and then sends this last saved version; once
    claimed, the edit is refused (False)."""
    if not body.strip():
        raise ActionError(_("The reply is empty."))
    now = now or timezone.now()
    with transaction.atomic():
        row = Outbox.objects.select_for_update().filter(message=message).first()
        if row is None or row.state != OutboxState.SCHEDULED or row.send_at <= now:
            return False
        Message.objects.filter(pk=message.pk).update(body_text=body)
        Event.objects.create(
            conversation=message.conversation,
            kind=EventKind.SEND,
            actor=actor,
            data={"edited": message.pk},
            created_at=now,
        )
    message.refresh_from_db()
    return True


def do_record_sent(outbox_id: int) -> None:
    row = Outbox.objects.select_related("message").get(pk=outbox_id)
    Event.objects.create(
        conversation_id=row.message.conversation_id,
        kind=EventKind.SEND,
        data={"sent": row.message_id, "message_id": row.message.message_id},
        created_at=timezone.now(),
    )


def do_record_send_failure(outbox_id: int, reason: str) -> None:
    """A reply that will not go out answered nobody: it is marked failed in the thread,
    and the conversation is active again, at the top of the inbox, with an event that
    says why (the server's answer). Called in the transaction that failed the row."""
    row = Outbox.objects.select_related("message").get(pk=outbox_id)
    now = timezone.now()
    # A forward answered nobody in the conversation: it stays as it is (the mark fails
    # replies only), and the words say which mail did not arrive where.
    conversation = do_mark_reply_failed(row.message, now=now)
    forward = row.message.kind == MessageKind.FORWARD
    data = {"failed": row.message_id, "error": reason[:500], "status": conversation.status}
    if forward:
        data.update(forward=True, to=row.recipient)
    Event.objects.create(conversation=conversation, kind=EventKind.SEND, data=data, created_at=now)
    words = {"subject": conversation.subject or _("(no subject)"), "to": row.recipient}
    # Its author and whoever has the conversation hear of it, wherever they are.
    do_notify(
        [pk for pk in (row.message.author_id, conversation.assignee_id) if pk],
        NotificationKind.SYSTEM,
        _("Your forward of “%(subject)s” to %(to)s was not delivered") % words
        if forward
        else _("Your reply in “%(subject)s” was not delivered") % words,
        body=reason[:500],
        url=reverse("conversation", args=[conversation.pk]),
        conversation=conversation,
        now=now,
    )


# Two attempts ended without an answer: the server may hold the reply, so a person
# decides (outbox.recover); sending it again from the page could double it.
UNCERTAIN = "delivery uncertain"


def do_retry_send(message: Message, actor: User, *, now: datetime | None = None) -> bool:
    """Send a reply that has not left now: one still being retried goes at once, one
    that failed goes back in the queue (and answers the customer again until it fails).
    False when there is nothing to retry (sent, undone, in its undo window, or left
    uncertain by interrupted attempts)."""
    now = now or timezone.now()
    rows = Outbox.objects.filter(message=message).exclude(last_error__startswith=UNCERTAIN)
    with transaction.atomic():
        # One conditional UPDATE each, as the worker's claim is: whoever moves it first.
        waiting = rows.filter(state=OutboxState.SCHEDULED).exclude(last_error="")
        if not waiting.update(send_at=now):
            # A failed reply starts its tries afresh.
            failed = rows.filter(state=OutboxState.FAILED)
            if not failed.update(state=OutboxState.SCHEDULED, send_at=now, attempts=0):
                return False
            do_mark_reply_retried(message, now=now)
        Event.objects.create(
            conversation_id=message.conversation_id,
            kind=EventKind.SEND,
            actor=actor,
            data={"retried": message.pk},
            created_at=now,
        )
    message.refresh_from_db()
    return True


def do_record_inbound(*, message: Message, **fields: object) -> InboundMail:
    """Keep how a just-received message arrived (its raw mail, headers and loop flags).
    Called by the ingest inside the transaction that stored the message."""
    return InboundMail.objects.create(message=message, **fields)
