"""A reply as an RFC 5322 message, and its delivery over SMTP.

smtplib directly rather than Django's mail backend: the worker needs the server's
answer to tell a temporary failure from a permanent one, per-mailbox servers, and the
Message-ID fixed when the reply was written."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings

from calmdesk.desk.models import Attachment, Message, MessageKind
from calmdesk.desk.reply_footers import reply_footer
from calmdesk.mail import secrets
from calmdesk.mail.models import InboundMail, MailboxMailSettings, Security
from calmdesk.mail.participants import reply_recipient
from calmdesk.mail.threads import subject_with_token

# How many References we write: they grow with every round trip, and servers and clients
# cope badly past a few KB. (How far back threading reads is threads.REFERENCES_LOOKED_AT.)
REFERENCES_WRITTEN = 20


class HeaderInjection(ValueError):
    """A value for a header we write carries CR or LF."""


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    user: str
    # Kept out of repr so a logged config or a traceback never shows it.
    password: str = field(repr=False)
    timeout: int = 30


def smtp_config_for(mailbox_id: int) -> SmtpConfig | None:
    own = MailboxMailSettings.objects.filter(mailbox_id=mailbox_id).exclude(smtp_host="").first()
    if own is not None:
        return SmtpConfig(
            host=own.smtp_host,
            port=own.smtp_port,
            security=own.smtp_security,
            user=own.smtp_user,
            password=secrets.decrypt(own.smtp_password_encrypted),
        )
    return default_config()


def default_config() -> SmtpConfig | None:
    """The desk's own server (CALMDESK_SMTP_*): mailboxes without their own, and the
    mail the desk sends its people (calmdesk.mail.systemmail)."""
    if not settings.SMTP_HOST:
        return None
    return SmtpConfig(
        host=settings.SMTP_HOST,
        port=settings.EMAIL_PORT,
        security=settings.SMTP_SECURITY,
        user=settings.EMAIL_HOST_USER,
        password=settings.EMAIL_HOST_PASSWORD,
        timeout=settings.EMAIL_TIMEOUT,
    )


def _checked(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise HeaderInjection("a header value contains a line break")
    return value


def _reply_subject(subject: str) -> str:
    # Customer subjects are decoded text; folding whitespace is encoded away, not sent.
    subject = " ".join(subject.split())
    return subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()


@dataclass(frozen=True)
class Envelope:
    sender: str
    recipients: list[str]
    data: bytes


def with_signature(message: Message) -> str:
    """The reply as the customer reads it: the author's signature (their settings) below
    the usual "-- " line, unless the reply already ends with it."""
    agent = getattr(message.author, "agent", None) if message.author_id else None
    signature = agent.signature.strip() if agent is not None else ""
    body = message.body_text.rstrip()
    if not signature or body.endswith(signature):
        return message.body_text
    return f"{body}\n\n-- \n{signature}\n"


def add_attachments(email: EmailMessage, attachments: Iterable[Attachment]) -> None:
    for attachment in attachments:
        maintype, _slash, subtype = attachment.content_type.split(";")[0].strip().partition("/")
        with attachment.file.open("rb") as handle:
            email.add_attachment(
                handle.read(),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )


def _anchor(message: Message) -> tuple[Message | None, list[str]]:
    """What a reply answers, and the References before it: the customer's latest message
    before it, else (a conversation the team opened) our own latest reply, so the
    customer's mail program keeps the thread together either way."""
    earlier = Message.objects.filter(
        conversation_id=message.conversation_id, id__lt=message.id
    ).order_by("-id")
    answered = earlier.filter(kind=MessageKind.CUSTOMER).select_related("inbound").first()
    if answered is not None:
        inbound = getattr(answered, "inbound", None)
        return answered, inbound.references.split() if isinstance(inbound, InboundMail) else []
    return earlier.filter(kind=MessageKind.REPLY).exclude(message_id="").first(), []


def build_reply(message: Message) -> Envelope:
    conversation = message.conversation
    mailbox = conversation.mailbox
    answered, earlier = _anchor(message)
    inbound = getattr(answered, "inbound", None) if answered else None
    last_from = inbound.from_address if isinstance(inbound, InboundMail) else ""
    outbox = getattr(message, "outbox", None)
    chosen = outbox.recipient if outbox is not None else ""
    recipient = chosen or reply_recipient(conversation, last_from)
    if not recipient:
        raise PermanentFailure("the customer has no email address")
    cc = [str(a) for a in outbox.cc] if outbox is not None else []
    bcc = [str(a) for a in outbox.bcc] if outbox is not None else []
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = _checked(formataddr((mailbox.name, mailbox.email)))
    email["To"] = _checked(recipient)
    if cc:
        email["Cc"] = _checked(", ".join(cc))
    # Bcc is never a header: the blind copies are only in the envelope below.
    subject = subject_with_token(conversation.subject, conversation.token)
    email["Subject"] = _reply_subject(subject) if answered is not None else subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = _checked(message.message_id)
    if answered is not None and answered.message_id:
        chain = [*earlier, answered.message_id][-REFERENCES_WRITTEN:]
        email["In-Reply-To"] = _checked(answered.message_id)
        email["References"] = _checked(" ".join(chain))
    email.set_content(with_signature(message) + reply_footer(message))
    add_attachments(email, message.attachments.all())
    return Envelope(sender=mailbox.email, recipients=[recipient, *cc, *bcc], data=email.as_bytes())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    """The open connection, or a TemporaryFailure naming the server it could not reach
    (what an agent can pass on to whoever runs it)."""
    try:
        if config.security == Security.TLS:
            return smtplib.SMTP_SSL(
                config.host,
                config.port,
                timeout=config.timeout,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    except smtplib.SMTPResponseException as exc:
        reply = _text(exc.smtp_error)
        raise TemporaryFailure(
            f"{exc.smtp_code} {reply} from {config.host}:{config.port}"[:500]
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise TemporaryFailure(f"cannot connect to {config.host}:{config.port} ({why})") from None


def deliver(config: SmtpConfig, envelope: Envelope) -> None:
    """Hand the message to the server. Raises TemporaryFailure (try again later) or
    PermanentFailure (the server said no for good)."""
    client = _connect(config)
    try:
        with client:
            if config.security == Security.STARTTLS:
                client.starttls(context=ssl.create_default_context())
            if config.user:
                client.login(config.user, config.password)
            client.sendmail(envelope.sender, envelope.recipients, envelope.data)
    except smtplib.SMTPAuthenticationError as exc:
        # A wrong password is fixed by an admin, after which the reply should still go.
        raise TemporaryFailure(f"SMTP authentication failed ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(
            f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in exc.recipients.items()
        )[:500]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {text}") from None
        raise TemporaryFailure(f"recipient deferred: {text}") from None
    except smtplib.SMTPResponseException as exc:
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"[:500]
        if exc.smtp_code >= 500:
            raise PermanentFailure(detail) from None
        raise TemporaryFailure(detail) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:500]) from None
