"""A forward as an RFC 5322 message: the agent's note, then each forwarded message
quoted under a "Forwarded message" line (who, when, subject), their files attached.
Only what the customer and the team wrote to each other goes: never an internal note."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from calmdesk.desk.models import Attachment, Message, MessageKind
from calmdesk.mail.smtp import (
    Envelope,
    PermanentFailure,
    _checked,
    add_attachments,
    subject_with_token,
)

# Files past this many bytes in all are named in the text instead of attached, so the
# forward stays deliverable (most servers refuse mail over 25 MB once encoded).
MAX_FORWARDED_BYTES = 15 * 1024 * 1024
FORWARDED_KINDS = (MessageKind.CUSTOMER, MessageKind.REPLY)


def _forwarded(forward: Message) -> list[Message]:
    chosen = forward.outbox.forwarded_message_id
    rows = Message.objects.filter(conversation_id=forward.conversation_id)
    if chosen is not None:
        rows = rows.filter(pk=chosen)
    else:
        rows = rows.filter(kind__in=FORWARDED_KINDS, id__lt=forward.id)
    return list(rows.select_related("author", "customer").order_by("created_at", "id"))


def _who(message: Message, mailbox_name: str) -> str:
    if message.kind == MessageKind.CUSTOMER:
        customer = message.customer
        if customer is None:
            return ""
        return formataddr((customer.name, customer.primary_email)) or str(customer)
    author = message.author
    name = (author.get_full_name() or author.username) if author is not None else ""
    return f"{name} ({mailbox_name})" if name else mailbox_name


def _quoted(message: Message, subject: str, mailbox_name: str) -> str:
    when = format_datetime(message.created_at)
    return (
        "---------- Forwarded message ----------\n"
        f"From: {_who(message, mailbox_name)}\n"
        f"Date: {when}\n"
        f"Subject: {subject}\n\n"
        f"{message.body_text.rstrip()}\n"
    )


def build_forward(forward: Message) -> Envelope:
    conversation = forward.conversation
    mailbox = conversation.mailbox
    recipient = forward.outbox.recipient
    if not recipient:
        raise PermanentFailure("a forward has no recipient")
    messages = _forwarded(forward)
    parts = [forward.body_text.rstrip()] if forward.body_text.strip() else []
    parts += [_quoted(m, conversation.subject, mailbox.name) for m in messages]
    files: list[Attachment] = []
    left_out: list[str] = []
    total = 0
    for attachment in Attachment.objects.filter(message__in=messages).order_by("id"):
        total += attachment.size
        if total > MAX_FORWARDED_BYTES:
            left_out.append(attachment.filename)
        else:
            files.append(attachment)
    if left_out:
        parts.append("Not attached (too large to forward): " + ", ".join(left_out))
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = _checked(formataddr((mailbox.name, mailbox.email)))
    email["To"] = _checked(recipient)
    subject = " ".join(conversation.subject.split())
    email["Subject"] = f"Fwd: {subject_with_token(subject, conversation.token)}"
    email["Date"] = format_datetime(forward.created_at)
    email["Message-ID"] = _checked(forward.message_id)
    email.set_content("\n\n".join(parts) + "\n")
    add_attachments(email, files)
    return Envelope(sender=mailbox.email, recipients=[recipient], data=email.as_bytes())
