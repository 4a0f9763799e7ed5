"""Product problems (F9): a bug, a feature request or a docs gap, the conversations
that show it, and the batches that answer every one of them when it is fixed.

Nothing outside ``calmdesk.problems.actions`` and ``calmdesk.problems.answer`` writes
these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calmdesk.desk.models import Conversation, Mailbox, Message


class ProblemKind(models.TextChoices):
    BUG = "bug", _("Bug")
    FEATURE = "feature", _("Feature request")
    DOCS = "docs", _("Docs gap")
    OTHER = "other", _("Other")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    WONT_FIX = "wont_fix", _("Won't fix")


class Problem(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ProblemKind.choices, default=ProblemKind.BUG)
    status = models.CharField(
        max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_problems",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    fixed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"], name="problem_status_kind")]

    def __str__(self) -> str:
        return self.title


class ProblemLink(models.Model):
    """A conversation shows a problem. The customers affected are those of the linked
    conversations, counted once each."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "conversation"], name="problem_link_once")
        ]
        indexes = [models.Index(fields=["conversation"], name="problem_link_conversation")]

    def __str__(self) -> str:
        return f"{self.problem_id} ↔ {self.conversation_id}"


class ProblemsVersion(models.Model):
    """One row: a number every action that changes problems or their links bumps, so a
    web process knows its cached suggester index is stale with one indexed read."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)


class BatchState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Done")
    UNDONE = "undone", _("Undone")


class ItemState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Not sent")
    UNDONE = "undone", _("Undone")


class AnswerBatch(models.Model):
    """ "Answer all": one template, rendered per conversation, one row per conversation
    with its state, so a re-run after an interruption skips the sent ones."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="batches")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.TextField()
    include_closed = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.DRAFTED)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.problem_id}/{self.pk}"


class AnswerItem(models.Model):
    batch = models.ForeignKey(AnswerBatch, on_delete=models.CASCADE, related_name="items")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    body = models.TextField(blank=True)
    # The coach's findings on this conversation's own draft: [{"code", "message"}, …].
    findings = models.JSONField(default=list, blank=True)
    reply = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "conversation"], name="answer_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.conversation_id} {self.state}"


# The tracker destinations and links live in a module of their own (issue trackers).
from calmdesk.problems.tracker_models import TrackerDestination, TrackerLink  # noqa: E402,F401
