from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from calmdesk.desk.models import Mailbox
from calmdesk.engine import RULES


class MailboxRulesForm(forms.ModelForm):
    """The admin's switch for the reply coach's rules, per mailbox (F5)."""

    disabled_rules = forms.MultipleChoiceField(
        label=_("Coach rules switched off"),
        choices=[(rule.code, f"{rule.code} {rule.name}: {rule.description}") for rule in RULES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Agents of this mailbox will not see these findings."),
    )

    class Meta:
        model = Mailbox
        fields = ["name", "slug", "email", "is_default", "disabled_rules"]
