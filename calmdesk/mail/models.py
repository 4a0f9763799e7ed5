"""Outbound mail. The reply itself is a ``desk.Message``; its outbox row says when it
may leave and what happened when it tried."""

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

    class Meta:
        verbose_name_plural = "outbox"
        indexes = [models.Index(fields=["state", "send_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"outbox {self.pk} ({self.state})"
