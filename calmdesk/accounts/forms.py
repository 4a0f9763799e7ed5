from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from calmdesk.accounts.models import Role
from calmdesk.desk.models import Mailbox


def _zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class SettingsForm(forms.Form):
    """An agent's own settings (the page behind their name in the top bar)."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added below every reply you send, as the customer reads it."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zones)
    undo_seconds = forms.IntegerField(
        label=_("Pause before a reply leaves (seconds)"),
        min_value=0,
        max_value=600,
        required=False,
        help_text=_("Empty: the desk's default."),
    )
    cooldown_seconds = forms.IntegerField(
        label=_("Cool-down before a heated draft can be sent (seconds)"),
        min_value=0,
        max_value=600,
        required=False,
        help_text=_("Empty: 30 seconds."),
    )
    email_notifications = forms.BooleanField(
        label=_("Also mail me my notifications"),
        required=False,
        help_text=_("Only when the desk has an SMTP server."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    mailboxes = forms.ModelMultipleChoiceField(
        label=_("Mailboxes"),
        queryset=Mailbox.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Admins and leads work in every mailbox whatever is ticked."),
    )


class AcceptInviteForm(SetPasswordForm):
    """The invitee's first password, checked by the desk's password validators."""


class TwoFactorCodeForm(forms.Form):
    """A 6-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class TwoFactorOffForm(forms.Form):
    code = forms.CharField(label=_("A code from your app"), max_length=20, required=False)
    password = forms.CharField(
        label=_("or your password"), required=False, widget=forms.PasswordInput
    )
