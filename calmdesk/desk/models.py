"""The help desk's records. Nothing outside ``calmdesk.desk.actions`` (and the mail
ingest, which calls those actions) writes conversations or messages."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from calmdesk.desk.saved_replies import SavedReplyError, check_saved_reply


class Mailbox(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    email = models.EmailField(help_text=_("The From address of replies from this mailbox."))
    is_default = models.BooleanField(default=False)
    disabled_rules = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    website = models.URLField(blank=True)
    plan = models.CharField(max_length=100, blank=True)
    monthly_revenue = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # ISO 4217: the monthly revenue means nothing without it ("$49.00/mo", "€49.00/mo").
    revenue_currency = models.CharField(
        max_length=3,
        default="USD",
        blank=True,
        validators=[
            RegexValidator(r"^[A-Z]{3}\Z", _("A three-letter ISO 4217 code, such as USD or EUR."))
        ],
    )
    notes = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or self.primary_email or f"customer {self.pk}"

    @property
    def primary_email(self) -> str:
        first = self.emails.order_by("id").first()
        return first.email if first else ""


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(unique=True)
    bouncing = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.email


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING = "pending", _("Pending")
    CLOSED = "closed", _("Closed")
    SPAM = "spam", _("Spam")


# A conversation the engine has not scored sorts after every scored one (scores are >= 0).
UNSCORED = -1.0
# The inbox folder of an active conversation snoozed until later (not a status: the
# status stays what it was). FolderCount keeps it as if it were one; see folder_of.
SNOOZED = "snoozed"
# The folder of a conversation merged into another (calmdesk.desk.merge): no inbox lists
# it, so it is counted apart from every listed folder.
MERGED = "merged"


def folder_of(status: str, snoozed_until: object, *, merged: bool = False) -> str:
    """The folder a conversation is counted in: a snoozed active one leaves Active, a
    merged one leaves every listed folder."""
    if merged:
        return MERGED
    return SNOOZED if status == Status.ACTIVE and snoozed_until is not None else status


# The customer's wait in the care order: since their oldest unanswered message, or since
# the last message when nobody waits.
WAITING_OR_LAST = Coalesce(F("waiting_since"), F("last_message_at"))


class Conversation(models.Model):
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="conversations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    # Public, unguessable reference used in the subject token of outgoing mail.
    token = models.CharField(max_length=16, unique=True, editable=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Set while the customer waits for an answer (their oldest unanswered message);
    # cleared by a reply. The inbox sorts by it.
    waiting_since = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField()
    customer_message_count = models.PositiveIntegerField(default=0)
    message_count = models.PositiveIntegerField(default=0)
    # Higher is answered sooner in the "needs care first" order. The core only keeps and
    # sorts by it; a layer above says what it means (calmdesk.empathy.actions sets the care
    # score through do_set_priority_score). Never scored sorts after every scored one.
    priority_score = models.FloatField(default=UNSCORED)
    # Put off until then (calmdesk.desk.snooze): out of the Active list, its status kept.
    # The wake job or the customer's next message clears it and sets ``woke_at``, the
    # inbox row's "woke up" mark until an agent opens the conversation.
    snoozed_until = models.DateTimeField(null=True, blank=True)
    woke_at = models.DateTimeField(null=True, blank=True)
    # Merged into that conversation (calmdesk.desk.merge): its messages and events moved
    # there, its page redirects there, no inbox lists it and mail to it lands there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # Set when brought from another help desk or a mail archive (calmdesk.importer): it
    # is history, so nothing that answers or tells people (notifications, auto-replies,
    # rating links, webhooks, emotional load) fires for it.
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["mailbox", "status", "waiting_since", "id"], name="conv_inbox"),
            models.Index(fields=["mailbox", "status", "last_message_at", "id"], name="conv_recent"),
            models.Index(fields=["assignee", "status", "waiting_since", "id"], name="conv_mine"),
            models.Index(fields=["customer", "last_message_at"], name="conv_customer"),
            # The Snoozed folder and the wake job read only the snoozed few.
            models.Index(
                fields=["snoozed_until", "id"],
                name="conv_snoozed",
                condition=Q(snoozed_until__isnull=False),
            ),
            # An agent who sees every mailbox reads these in order without a sort.
            models.Index(fields=["status", "waiting_since", "id"], name="conv_status_waiting"),
            models.Index(fields=["status", "last_message_at", "id"], name="conv_status_recent"),
            # The "needs care first" order, read in order without a join or a sort.
            models.Index(
                F("mailbox"),
                F("status"),
                F("priority_score").desc(),
                WAITING_OR_LAST,
                F("id"),
                name="conv_priority",
            ),
            models.Index(
                F("status"),
                F("priority_score").desc(),
                WAITING_OR_LAST,
                F("id"),
                name="conv_status_priority",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = uuid.uuid4().hex[:12]
        super().save(*args, **kwargs)


class FolderCount(models.Model):
    """How many conversations sit in one (mailbox, status, assignee) folder. The actions
    keep it current so the inbox shows its counts without counting the table; after a
    bulk load ``calmdesk.desk.actions.recount_folders`` rebuilds it."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    # The assignee's user id, 0 when unassigned (a NULL would defeat the unique key).
    assignee_key = models.PositiveBigIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "status", "assignee_key"], name="folder_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}/{self.status}/{self.assignee_key}: {self.count}"


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    # A reply taken back in its undo window: the customer never got it, so it is no
    # message in the counts; it stays in the thread, marked, for the record.
    WITHDRAWN = "withdrawn", _("Withdrawn reply")
    # A reply the mail server refused for good: in the thread and the counts, but it
    # answered nobody, so the conversation waits on the team again.
    FAILED = "failed", _("Reply not delivered")
    # The thread (or one message) sent on to an outside address with the agent's note
    # (calmdesk.mail.compose.do_forward). Not a message to the customer: it never counts.
    FORWARD = "forward", _("Forwarded")


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    body_text = models.TextField(blank=True)
    # Sanitised HTML (never the raw HTML of an email).
    body_html = models.TextField(blank=True)
    # The text the engine reads: quotes and signature stripped (F14).
    analysis_text = models.TextField(blank=True)
    # RFC 5322 Message-ID: received for customer mail, fixed at writing time for replies.
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    # Set on a message brought by an import (see Conversation.imported_at): a live
    # message later added to an imported conversation has none.
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at", "id"], name="msg_thread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class EventKind(models.TextChoices):
    STATUS = "status", _("Status changed")
    ASSIGN = "assign", _("Assigned")
    TAG = "tag", _("Tagged")
    UNTAG = "untag", _("Tag removed")
    MERGE = "merge", _("Customers merged")
    CONVERSATION_MERGE = "conv_merge", _("Conversations merged")
    CONVERSATION_UNMERGE = "conv_unmerge", _("Conversations merge undone")
    ERASE = "erase", _("Customer erased")
    SEND = "send", _("Send")
    SNOOZE = "snooze", _("Snoozed")
    UNSNOOZE = "unsnooze", _("Unsnoozed")
    WAKE = "wake", _("Woke up")
    CALL = "call", _("Call logged")
    REPRODUCTION = "reproduction", _("Reproduction recorded")
    # What the mail layer tells the team: a bounce, a mail loop capped, a stranger's
    # message that claims to continue this conversation (``data`` says which).
    MAIL = "mail", _("Mail notice")
    # A product problem (calmdesk/problems): linked, unlinked, or its status changed.
    PROBLEM_LINK = "problem_link", _("Problem linked")
    PROBLEM_UNLINK = "problem_unlink", _("Problem unlinked")
    PROBLEM_STATUS = "problem_status", _("Problem status changed")


class Event(models.Model):
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class SavedReply(models.Model):
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_replies"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "saved replies"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # An unknown variable would otherwise reach a customer raw ("Hi {customer.frist},").
        try:
            check_saved_reply(self.body)
        except SavedReplyError as error:
            raise ValidationError({"body": str(error)}) from None


class SavedView(models.Model):
    """An agent's named inbox filter, kept in the filter grammar (``desk.filters``) as the
    inbox's ``q`` reads it: ``status:pending tag:billing assignee:me``. Only its owner
    sees it (``calmdesk.desk.saved_views``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_once")
        ]

    def __str__(self) -> str:
        return self.name


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a generated name: the customer's file name is never a path.
    suffix = PurePath(filename).suffix[:10].lower()
    safe_suffix = suffix if suffix[1:].isalnum() else ""
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{safe_suffix}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.filename
