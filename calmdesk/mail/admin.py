"""Admin for mail: each mailbox's servers (passwords written encrypted, never shown),
the quarantine with a retry action, and read-only views of the outbox and send log."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from calmdesk.desk.validation import no_line_breaks
from calmdesk.mail import secrets
from calmdesk.mail.models import (
    Bounce,
    InboundMail,
    MailboxMailSettings,
    Outbox,
    Participant,
    Quarantine,
    SendLog,
)


class MailSettingsForm(forms.ModelForm):
    smtp_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )
    imap_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = MailboxMailSettings
        fields = [
            "mailbox",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_user",
            "smtp_password",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_password",
            "imap_folder",
            "poll_seconds",
            "max_attachment_bytes",
            "max_attachments",
            "max_attachments_total_bytes",
        ]

    def clean(self):
        cleaned = super().clean()
        # Each goes into an SMTP or IMAP command line: a line break would add a command.
        for name in ("smtp_host", "smtp_user", "imap_host", "imap_user", "imap_folder"):
            try:
                no_line_breaks(cleaned.get(name) or "")
            except forms.ValidationError as problem:
                self.add_error(name, problem)
        if (cleaned.get("smtp_password") or cleaned.get("imap_password")) and not (
            settings.ENCRYPTION_KEY
        ):
            raise forms.ValidationError(
                _("Set CALMDESK_ENCRYPTION_KEY before storing a mailbox password.")
            )
        return cleaned

    def save(self, commit: bool = True):
        instance = super().save(commit=False)
        if self.cleaned_data.get("smtp_password"):
            instance.smtp_password_encrypted = secrets.encrypt(self.cleaned_data["smtp_password"])
        if self.cleaned_data.get("imap_password"):
            instance.imap_password_encrypted = secrets.encrypt(self.cleaned_data["imap_password"])
        if commit:
            instance.save()
        return instance


@admin.register(MailboxMailSettings)
class MailboxMailSettingsAdmin(admin.ModelAdmin):
    form = MailSettingsForm
    list_display = ["mailbox", "smtp_host", "imap_host", "imap_folder", "last_poll_at"]
    readonly_fields = ["last_poll_at", "last_poll_error"]

    # Debug error pages and error reports list POST data: never these two fields.
    @method_decorator(sensitive_post_parameters("smtp_password", "imap_password"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Quarantine)
class QuarantineAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "cause",
        "reason_short",
        "size",
        "source",
        "mailbox",
        "resolved_message",
    ]
    list_filter = ["cause", "source", ("resolved_message", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in Quarantine._meta.fields]
    actions = ["retry"]

    @admin.display(description=_("reason"))
    def reason_short(self, row: Quarantine) -> str:
        return row.reason[:120]

    @admin.action(description=_("Parse and store again (in the background)"))
    def retry(self, request, queryset):
        from calmdesk.mail.tasks import retry_quarantined

        ids = list(queryset.filter(resolved_message__isnull=True).values_list("id", flat=True))
        retry_quarantined.enqueue(ids)
        self.message_user(
            request,
            _("%(count)d message(s) queued; `calmdesk worker` retries them.") % {"count": len(ids)},
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Outbox)
class OutboxAdmin(ReadOnly):
    list_display = ["id", "message", "state", "send_at", "attempts", "sent_at", "last_error"]
    list_filter = ["state"]


@admin.register(SendLog)
class SendLogAdmin(ReadOnly):
    list_display = ["outbox", "attempt", "outcome", "possible_resend", "started_at", "worker"]
    list_filter = ["outcome", "possible_resend"]


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnly):
    list_display = ["received_at", "from_address", "subject", "auto_reply", "bounce", "source"]
    list_filter = ["auto_reply", "bounce", "source", "threaded_by"]
    search_fields = ["from_address", "subject"]


@admin.register(Bounce)
class BounceAdmin(ReadOnly):
    list_display = ["received_at", "mailbox", "recipients", "marked", "conversation", "subject"]
    list_filter = ["mailbox"]
    search_fields = ["from_address", "subject", "diagnostic"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnly):
    list_display = ["email", "conversation", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["email"]
