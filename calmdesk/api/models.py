"""What the API keeps: personal tokens (stored hashed), and the webhooks of a mailbox
with their delivery log and the cursor of desk events already turned into deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read: see the desk's data")
    WRITE = "write", _("Write: read, and reply, note, assign, change")
    # Only POST /api/v1/analyze and /api/v1/check: a help desk's automation that calls
    # the engine alone reads no desk data with it.
    ENGINE = "engine", _("Engine only: analyze and check, no desk data")


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # The first characters of the token, shown so its owner can tell tokens apart; the
    # token itself is never stored, only its SHA-256 (it is 32 random bytes, so a slow
    # hash adds nothing).
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The rate limit's fixed window (its start, a whole minute) and the requests in it,
    # moved by one UPDATE statement so every process counts on the same row.
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)
    # The reply coach's cool-down starts by conversation, as the page keeps them in the
    # session (calmdesk.empathy.coach): a token has no session.
    cooldowns = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Webhook(models.Model):
    mailbox = models.ForeignKey("desk.Mailbox", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    # Each delivery is signed with it (Calmdesk-Signature); shown to the admin who set it.
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list, help_text=_("The event names this hook receives."))
    metadata_only = models.BooleanField(
        default=False, help_text=_("Leave message bodies out of the payloads.")
    )
    # Reached even on a loopback or private address (calmdesk.outbound): only an admin
    # sets hooks, and this box says they meant it.
    allow_private_host = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # The desk row it tells of (an Event or a Message), so a job run twice adds it once.
    source = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "source"], name="webhook_source_once")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id}"


class WebhookCursor(models.Model):
    """How far the webhook job has read the desk: the last Event, Message and Rating ids
    seen. One row (pk 1)."""

    last_event_id = models.BigIntegerField(default=0)
    last_message_id = models.BigIntegerField(default=0)
    last_rating_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"events > {self.last_event_id}, messages > {self.last_message_id}"
