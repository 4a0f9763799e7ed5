"""What an import keeps: which record of the source became which row here (so a second
run changes nothing), where each stream stopped (so an interrupted run resumes), and
every record that could not be imported, with its reason."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    CONVERSATION = "conversation", _("Conversation")
    MESSAGE = "message", _("Message")
    ATTACHMENT = "attachment", _("Attachment")


class ImportRecord(models.Model):
    """One record of a source, keyed by (source, kind, external id), and the row it
    became (a Customer, Conversation, Message or Attachment id)."""

    source = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    external_id = models.CharField(max_length=255)
    object_id = models.BigIntegerField()
    # A digest of what the source said, so a changed record is told from an unchanged one.
    digest = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="import_record_key"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="import_record_object")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}"


class ImportCheckpoint(models.Model):
    """How many items of one stream of a source are written: a restarted import skips
    them without reading them again into the database."""

    source = models.CharField(max_length=100)
    stream = models.CharField(max_length=50)
    position = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "stream"], name="import_checkpoint_key")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.stream} @{self.position}"


class ImportFailure(models.Model):
    """A record that could not be imported and why: nothing is lost silently."""

    source = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    external_id = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}: {self.reason[:60]}"
