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


class Capability(models.TextChoices):
    """What a role allows beyond answering in one's own mailboxes. ``ROLE_CAPABILITIES``
    is the one table of who may do what; the README's role table is checked against it."""

    SEE_EVERY_MAILBOX = "see_every_mailbox", _("Work in every mailbox")
    REASSIGN_ANYONE = "reassign_anyone", _("Assign a conversation to anyone")
    EDIT_SAVED_REPLIES_AND_TAGS = "edit_saved_replies_and_tags", _("Edit saved replies and tags")
    SEE_TEAM_REPORTS = "see_team_reports", _("See team reports and team health")
    ERASE_CUSTOMERS = "erase_customers", _("Erase a customer")
    INVITE_PEOPLE = "invite_people", _("Invite people and choose their role")
    CONFIGURE = "configure", _("Configure the desk (mailboxes, mail servers, rules)")


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.LEAD: frozenset(
        {
            Capability.SEE_EVERY_MAILBOX,
            Capability.REASSIGN_ANYONE,
            Capability.EDIT_SAVED_REPLIES_AND_TAGS,
            Capability.SEE_TEAM_REPORTS,
        }
    ),
    Role.AGENT: frozenset(),
}


def roles_that_can(capability: Capability) -> list[str]:
    return [role for role, allowed in ROLE_CAPABILITIES.items() if capability in allowed]


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
    signature = models.TextField(blank=True, default="")
    # Notifications are always listed in the desk; this says whether they are mailed too.
    email_notifications = models.BooleanField(default=True)

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

    def can(self, capability: Capability) -> bool:
        """A superuser made with ``createsuperuser`` is an admin whatever their row says."""
        role = Role.ADMIN if self.user.is_superuser else self.role
        return capability in ROLE_CAPABILITIES.get(role, frozenset())


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    MENTIONED = "mentioned", _("Mentioned in a note")
    SYSTEM = "system", _("System notice")


class Notification(models.Model):
    """Something a person of the desk should know about, shown in the desk's list and,
    if they chose so, mailed (through a SystemMail row). Made only by ``do_notify``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    # A path inside the desk (never an outside address) the notification links to.
    url = models.CharField(max_length=500, blank=True, default="")
    conversation = models.ForeignKey(
        "desk.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count in the nav, on every page: one index-only count.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class SystemMailKind(models.TextChoices):
    NOTIFICATION = "notification", _("Notification")
    INVITE = "invite", _("Invite")
    PASSWORD_RESET = "password_reset", _("Password reset")


class SystemMailState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SystemMail(models.Model):
    """A mail the desk itself sends to a person of the team (not to a customer): a
    notification, an invite, a password reset. Queued by ``do_queue_system_mail``; the
    mail layer delivers it (calmdesk.mail.systemmail)."""

    kind = models.CharField(max_length=20, choices=SystemMailKind.choices)
    # A mailed notification goes with it: erasing a customer deletes the conversation, its
    # notifications, and so the mails that quoted the customer.
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # The body carries a secret (a sign-in link): emptied once sent or given up.
    sensitive = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=SystemMailState.choices, default=SystemMailState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="systemmail_due"),
            # Rate limits count recent mails of a kind to one address.
            models.Index(fields=["to", "kind", "created_at"], name="systemmail_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}"


class Invite(models.Model):
    """An admin's invitation: the invitee's user exists (inactive, without a password)
    from the start, with the role and mailboxes the admin picked; the link lets them set
    a password once, before ``expires_at``. Only the token's hash is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invite"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invite for {self.user.email}"


class TwoFactor(models.Model):
    """A person's authenticator (TOTP, calmdesk.accounts.totp). It is on once
    ``confirmed_at`` is set, after a code from the app proved the secret was taken;
    ``last_step`` is the newest time step a code was accepted for, so a code is good once.
    Made and changed only by the actions in calmdesk.accounts.twofactor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Two-factor of {self.user}"

    @property
    def is_on(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use code for a lost phone; only its hash is kept."""

    two_factor = models.ForeignKey(TwoFactor, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["two_factor", "code_hash"], name="recovery_code_once")
        ]

    def __str__(self) -> str:
        return f"Recovery code {self.pk}"


class PresenceState(models.TextChoices):
    VIEWING = "viewing", _("Viewing")
    TYPING = "typing", _("Typing a reply")


class Presence(models.Model):
    """Who has a conversation open right now, and whether they are typing a reply. Kept
    by the requests the page makes anyway (its pulse, the coach's check of the draft):
    one row per person and conversation, upserted by one statement, so every web process
    reads the same. A row not refreshed for a while counts as gone
    (calmdesk.accounts.presence); a job deletes old ones."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "desk.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=PresenceState.choices)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="presence_once")
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen")]

    def __str__(self) -> str:
        return f"{self.user} {self.state} {self.conversation_id}"
