"""Mail records beside the desk's: how a message arrived (raw file, headers, loop flags),
what could not be stored (quarantine), each mailbox's servers, and what the outbox did.

The reply itself is a ``desk.Message``; its outbox row says when it may leave and what
happened when it tried."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class Outbox(models.Model):
    message = models.OneToOneField("desk.Message", on_delete=models.CASCADE, related_name="outbox")
    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.SCHEDULED
    )
    send_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The conversation as the send found it and as it left it (desk ConversationState),
    # so an undo puts back exactly what the send changed.
    undo_snapshot = models.JSONField(default=dict, blank=True)
    # An address the agent chose among the conversation's (mail.participants); empty,
    # the reply goes to the customer's.
    # A forward's (MessageKind.FORWARD) recipient is the outside address it goes to.
    recipient = models.CharField(max_length=320, blank=True)
    # Copies: Cc is a header every recipient sees; Bcc is only in the envelope, never in
    # the mail and never a participant (calmdesk.mail.compose).
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    # A forward of one message (else of the thread up to the forward).
    forwarded_message = models.ForeignKey(
        "desk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "outbox"
        indexes = [models.Index(fields=["state", "send_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"outbox {self.pk} ({self.state})"


class SendOutcome(models.TextChoices):
    # Written before the SMTP conversation starts: if it is still "started" when the
    # row is recovered, the server may or may not have accepted the message.
    STARTED = "started", _("Started")
    ACCEPTED = "accepted", _("Accepted by the server")
    TEMPORARY = "temporary", _("Temporary failure")
    PERMANENT = "permanent", _("Permanent failure")


class SendLog(models.Model):
    """One row per SMTP attempt. ``possible_resend`` marks the attempt that follows a
    crash after which we cannot know whether the server already took the message: it
    goes out again under the same Message-ID, at most once."""

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="log")
    attempt = models.PositiveIntegerField()
    worker = models.CharField(max_length=100)
    message_id = models.CharField(max_length=998)
    outcome = models.CharField(
        max_length=10, choices=SendOutcome.choices, default=SendOutcome.STARTED
    )
    possible_resend = models.BooleanField(default=False)
    detail = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["outbox", "attempt"]

    def __str__(self) -> str:
        return f"send {self.outbox_id}#{self.attempt} {self.outcome}"


class Security(models.TextChoices):
    NONE = "none", _("None (plain text, loopback only)")
    STARTTLS = "starttls", _("STARTTLS")
    TLS = "tls", _("TLS from the start")


class MailboxMailSettings(models.Model):
    """A mailbox's own servers. Without an SMTP host the global CALMDESK_SMTP_* settings
    send its replies; without an IMAP host nothing is polled for it."""

    mailbox = models.OneToOneField(
        "desk.Mailbox", on_delete=models.CASCADE, related_name="mail_settings"
    )
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(
        max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_user = models.CharField(max_length=255, blank=True)
    # Fernet token of the password (calmdesk.mail.secrets); never the password itself.
    smtp_password_encrypted = models.TextField(blank=True)
    imap_host = models.CharField(max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices, default=Security.TLS)
    imap_user = models.CharField(max_length=255, blank=True)
    imap_password_encrypted = models.TextField(blank=True)
    imap_folder = models.CharField(max_length=255, default="INBOX")
    poll_seconds = models.PositiveIntegerField(default=60)
    max_attachment_bytes = models.PositiveBigIntegerField(default=25 * 1024 * 1024)
    # Per message: past these, further files are listed on the message, not stored.
    max_attachments = models.PositiveIntegerField(default=100)
    max_attachments_total_bytes = models.PositiveBigIntegerField(default=40 * 1024 * 1024)
    # A poll is claimed like an outbox row, so two workers never poll one mailbox at once.
    poll_claimed_until = models.DateTimeField(null=True, blank=True)
    poll_claimed_by = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "mailbox mail settings"
        verbose_name_plural = "mailbox mail settings"

    def __str__(self) -> str:
        return f"mail settings of {self.mailbox}"


class InboundMail(models.Model):
    """How a stored customer message arrived. ``fingerprint`` makes ingest idempotent:
    the same message twice is stored once, while a different message that reuses a
    Message-ID has another fingerprint and is stored too."""

    message = models.OneToOneField("desk.Message", on_delete=models.CASCADE, related_name="inbound")
    mailbox = models.ForeignKey("desk.Mailbox", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    raw_sha256 = models.CharField(max_length=64)
    raw_path = models.CharField(max_length=255, help_text=_("Relative to RAW_MAIL_DIR."))
    # Opaque key in the URLs of inline images, so they resolve before the message exists.
    key = models.CharField(max_length=32, unique=True)
    from_address = models.CharField(max_length=320)
    subject = models.CharField(max_length=500, blank=True)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    auto_reply = models.BooleanField(default=False)
    auto_reasons = models.JSONField(default=list, blank=True)
    bounce = models.BooleanField(default=False)
    bounced_recipients = models.JSONField(default=list, blank=True)
    threaded_by = models.CharField(max_length=20, blank=True)
    skipped_attachments = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=20, default="pipe")
    received_at = models.DateTimeField()
    # The conversation this message's token or headers pointed at when its sender was
    # no participant of it: it opened a conversation of its own, shown as "claims to
    # continue #N" (a stranger must not be filed into a customer's thread).
    claims_conversation = models.ForeignKey(
        "desk.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Over the size cap: stored from its headers only, the body left in the raw file.
    raw_only = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "fingerprint"], name="inbound_once")
        ]

    def __str__(self) -> str:
        return f"inbound {self.pk} from {self.from_address}"


class QuarantineCause(models.TextChoices):
    UNREADABLE = "unreadable", _("Not readable as mail")
    PARSER_ERROR = "parser_error", _("The parser failed")
    REFUSED = "refused", _("The database refused it")
    STORE_ERROR = "store_error", _("Storing it failed")
    COLLISION = "collision", _("Kept colliding with a concurrent ingest")


class Quarantine(models.Model):
    """Raw mail that could not be parsed or stored, kept with the reason. ``calmdesk
    ingest --retry`` (or the admin action) tries each again after a fix."""

    mailbox = models.ForeignKey(
        "desk.Mailbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raw_sha256 = models.CharField(max_length=64, unique=True)
    raw_path = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    cause = models.CharField(
        max_length=20, choices=QuarantineCause.choices, default=QuarantineCause.UNREADABLE
    )
    reason = models.TextField()  # the detail: the parser's or the database's words
    source = models.CharField(max_length=20, default="pipe")
    created_at = models.DateTimeField()
    retried_at = models.DateTimeField(null=True, blank=True)
    resolved_message = models.ForeignKey(
        "desk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "quarantine"

    def __str__(self) -> str:
        return f"quarantined {self.raw_sha256[:12]}: {self.reason[:60]}"


class ParticipantSource(models.TextChoices):
    SENDER = "sender", _("Wrote into the conversation")
    CC = "cc", _("Copied by a participant")
    RECIPIENT = "recipient", _("We wrote to them")
    IMPORTED = "imported", _("Imported")


class Participant(models.Model):
    """An address that may continue a conversation by its token or headers, beside the
    customer's own addresses, the mailbox's and its agents' (``mail.participants``).
    Importers add the participants of the threads they bring in."""

    conversation = models.ForeignKey(
        "desk.Conversation", on_delete=models.CASCADE, related_name="participants"
    )
    email = models.CharField(max_length=320)
    source = models.CharField(max_length=10, choices=ParticipantSource.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "email"], name="participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.email} in {self.conversation_id}"


class Bounce(models.Model):
    """A delivery status notification. Never a customer's message: it does not reopen
    its conversation, count, or become a reply's recipient; the conversation gets an
    event. One that names no message of ours is kept here only, with its raw mail."""

    mailbox = models.ForeignKey("desk.Mailbox", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "desk.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fingerprint = models.CharField(max_length=64)
    raw_sha256 = models.CharField(max_length=64)
    raw_path = models.CharField(max_length=255)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    # Only the recipients we had written to from this mailbox are marked bouncing.
    marked = models.JSONField(default=list, blank=True)
    diagnostic = models.TextField(blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "fingerprint"], name="bounce_once")
        ]

    def __str__(self) -> str:
        return f"bounce {self.pk} for {', '.join(self.recipients) or 'unknown'}"
