from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    """The priority the engine suggests for a message (Reading.priority)."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class MessageReading(models.Model):
    """What the engine read in one customer message. The exact text it read is kept,
    so its spans keep pointing at the right words even if the message is re-parsed."""

    message = models.OneToOneField("desk.Message", on_delete=models.CASCADE, related_name="reading")
    engine_version = models.CharField(max_length=32)
    text = models.TextField()
    tone = models.CharField(max_length=16)
    intensity = models.FloatField()
    confidence = models.FloatField()
    language = models.CharField(max_length=16)
    priority = models.CharField(max_length=16, blank=True, choices=Priority.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["engine_version", "id"], name="reading_version")]

    def __str__(self) -> str:
        return f"{self.tone} {self.intensity:.2f} (message {self.message_id})"


class Reproduction(models.TextChoices):
    NOT_TRIED = "not_tried", _("Not tried")
    REPRODUCED = "reproduced", _("Reproduced")
    NOT_REPRODUCED = "not_reproduced", _("Could not reproduce")


class ConversationCare(models.Model):
    """Per-conversation state of the empathy features: the latest customer reading (for
    the inbox gauge and the "needs care first" order) and the reproduction record (F7)."""

    conversation = models.OneToOneField(
        "desk.Conversation", on_delete=models.CASCADE, related_name="care"
    )
    latest_tone = models.CharField(max_length=16, blank=True)
    latest_intensity = models.FloatField(default=0.0)
    # The latest reading's language, and whether the engine was unsure of it (another
    # language, low confidence): the inbox marks such a tone as a guess.
    latest_language = models.CharField(max_length=16, blank=True)
    latest_unsure = models.BooleanField(default=False)
    stakes = models.JSONField(default=list, blank=True)
    priority = models.CharField(max_length=16, blank=True, choices=Priority.choices)
    # Higher needs care sooner: stakes first, then intensity (actions.care_score). The
    # inbox sorts by the conversation's priority_score, which the actions keep equal to it.
    care_score = models.FloatField(default=0.0)
    reproduction = models.CharField(
        max_length=16, choices=Reproduction.choices, default=Reproduction.NOT_TRIED
    )
    reproduction_steps = models.TextField(blank=True)
    reproduction_environment = models.TextField(blank=True)
    reproduction_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reproduction_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"care of conversation {self.conversation_id}"


class FindingDismissal(models.Model):
    """An agent disagreed with the coach. Counted per rule: they show which rules annoy."""

    conversation = models.ForeignKey(
        "desk.Conversation", on_delete=models.CASCADE, related_name="dismissals"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    code = models.CharField(max_length=10, db_index=True)
    excerpt = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.code} dismissed"


class Draft(models.Model):
    """An agent's unsent reply in a conversation, kept from the coach requests the composer
    already sends, so a reload or a visit to another conversation loses nothing. Only its
    agent is ever shown it."""

    conversation = models.ForeignKey(
        "desk.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True)
    # The id of the last reply this agent sent here. A coach request from a page rendered
    # before that reply (typed just before Send, arriving just after) carries text that
    # has gone, so it is not kept (actions.do_save_draft).
    sent_up_to = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="one_draft_per_agent")
        ]

    def __str__(self) -> str:
        return f"draft of agent {self.agent_id} in conversation {self.conversation_id}"
