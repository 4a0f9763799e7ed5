"""Django admin for configuration: mailboxes, tags, saved replies, organisations.
Conversations and messages are not here: they change only through the actions."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calmdesk.desk.models import Customer, CustomerEmail, Mailbox, Organisation, SavedReply, Tag
from calmdesk.desk.saved_replies import VARIABLES
from calmdesk.desk.validation import no_line_breaks
from calmdesk.engine import RULES


class MailboxForm(forms.ModelForm):
    """A mailbox, with the admin's switch for the reply coach's rules in it (F5)."""

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

    # Both become the From header of every reply (calmdesk.desk.validation).
    def clean_name(self) -> str:
        no_line_breaks(self.cleaned_data["name"])
        return str(self.cleaned_data["name"])

    def clean_email(self) -> str:
        no_line_breaks(self.cleaned_data["email"])
        return str(self.cleaned_data["email"])


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "slug", "email", "is_default"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


def _saved_reply_help() -> str:
    return gettext(
        "Variables, filled in for each conversation: %(known)s. "
        "Write {{ and }} for a literal brace."
    ) % {"known": ", ".join(f"{{{name}}}" for name in VARIABLES)}


class SavedReplyForm(forms.ModelForm):
    """The body says which variables it may hold; the model's clean() refuses any other."""

    class Meta:
        model = SavedReply
        fields = ["title", "mailbox", "body"]
        help_texts = {"body": lazy(_saved_reply_help, str)()}


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    form = SavedReplyForm
    list_display = ["title", "mailbox"]
    list_filter = ["mailbox"]
    search_fields = ["title", "body"]


# Addresses typed without a scheme are https (Django 6's default, chosen now).
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "website"]
    search_fields = ["name"]


class CustomerEmailInline(admin.TabularInline):
    model = CustomerEmail
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Profile fields only; merging and erasing happen on the customer page."""

    formfield_overrides = HTTPS_URLS
    list_display = ["__str__", "organisation", "plan"]
    search_fields = ["name", "emails__email"]
    fields = [
        "name",
        "organisation",
        "website",
        "plan",
        "monthly_revenue",
        "revenue_currency",
        "notes",
    ]
    inlines = [CustomerEmailInline]
    autocomplete_fields = ["organisation"]

    def has_delete_permission(self, request, obj=None):
        return False  # erasing leaves an audit trail; use the customer page
