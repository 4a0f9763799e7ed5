from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The pause before a heated draft can be sent (F6), for an agent who did not choose theirs.
DEFAULT_COOLDOWN_SECONDS = 30


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    LEAD = "lead", _("Lead")
    AGENT = "agent", _("Agent")


class Agent(models.Model):
    """A person who answers customers: the profile beside Django's user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    mailboxes = models.ManyToManyField("desk.Mailbox", blank=True, related_name="agents")
    time_zone = models.CharField(max_length=64, default="UTC")
    # Empty: the desk's default (CALMDESK_UNDO_SECONDS), so changing the setting reaches
    # every agent who did not choose their own.
    undo_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("How long a sent reply waits before it leaves; empty for the desk's default."),
    )
    cooldown_seconds = models.PositiveIntegerField(
        default=DEFAULT_COOLDOWN_SECONDS,
        help_text=_("The pause before a heated draft can be sent."),
    )

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def undo_window(self) -> int:
        """Seconds a reply of this agent waits before it leaves: their own choice, or the
        desk's default."""
        if self.undo_seconds is None:
            return int(settings.DEFAULT_UNDO_SECONDS)
        return self.undo_seconds

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.user.is_superuser
