"""Where problems are pushed (a tracker destination, per mailbox or for the whole team)
and the issue each pushed problem became there. Written only by
``calmdesk.problems.tracker_actions``; imported by ``calmdesk.problems.models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackerKind(models.TextChoices):
    JIRA = "jira", _("Jira Cloud")
    GITHUB = "github", _("GitHub Issues")


class TrackerDestination(models.Model):
    """An issue tracker an admin set up. A mailbox's destination gets that mailbox's
    evidence, pushed by its agents; one without a mailbox gets the whole team's, pushed
    by those who see every mailbox."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("tracker"), max_length=10, choices=TrackerKind.choices)
    mailbox = models.ForeignKey(
        "desk.Mailbox",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mailbox"),
    )
    base_url = models.URLField(_("address"), max_length=300)
    project = models.CharField(_("project or repository"), max_length=200)
    issue_type = models.CharField(_("issue type"), max_length=60, blank=True, default="Bug")
    account = models.CharField(_("account email"), max_length=200, blank=True)
    # A Fernet token under CALMDESK_ENCRYPTION_KEY, like the mailbox passwords.
    token_encrypted = models.TextField(blank=True)
    include_quotes = models.BooleanField(_("include three customer quotes"), default=False)
    # The admin allows this host although it is loopback or private (a Jira on the LAN).
    allow_private_host = models.BooleanField(_("allow a private address"), default=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class LinkState(models.TextChoices):
    CREATING = "creating", _("Being created")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TrackerLink(models.Model):
    """The issue a problem became in one destination: pushing again comments on it."""

    problem = models.ForeignKey(
        "problems.Problem", on_delete=models.CASCADE, related_name="tracker_links"
    )
    destination = models.ForeignKey(
        TrackerDestination, on_delete=models.CASCADE, related_name="links"
    )
    state = models.CharField(max_length=10, choices=LinkState.choices, default=LinkState.CREATING)
    external_id = models.CharField(max_length=100, blank=True)  # CD-12, or 42
    url = models.URLField(max_length=500, blank=True)
    # Claimed by the push that creates the issue; one older than the claim's lease is free.
    claimed_at = models.DateTimeField(null=True, blank=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pushed_at = models.DateTimeField(null=True, blank=True)
    pushes = models.PositiveIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "destination"], name="tracker_link_once_per_destination"
            )
        ]
        indexes = [models.Index(fields=["state", "polled_at"], name="tracker_link_poll")]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.external_id or '…'}"
