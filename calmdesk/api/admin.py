"""Webhooks are set by admins here (per mailbox: URL, events, metadata only), with their
delivery log and a redeliver action; API tokens are listed for revoking."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calmdesk.api.models import ApiToken, Webhook, WebhookDelivery
from calmdesk.api.tokens import do_revoke_token
from calmdesk.api.webhooks import EVENTS, do_enable, do_redeliver, new_secret


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in EVENTS], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["mailbox", "url", "events", "metadata_only", "allow_private_host", "secret"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "mailbox", "is_active", "consecutive_failures", "disabled_at"]
    actions = ["switch_on"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"secret": new_secret(), "events": list(EVENTS)}

    @admin.action(description=_("Switch on again"))
    def switch_on(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for hook in queryset:
            do_enable(hook)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "webhook", "state", "attempts", "last_status", "created_at"]
    list_filter = ["state", "event", "webhook"]  # a hook's delivery log
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Deliver again"))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        now = timezone.now()
        for delivery in queryset:
            do_redeliver(delivery, now)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "scope", "prefix", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["digest", "cooldowns", "window_start", "window_count"]
    readonly_fields = [
        "owner",
        "name",
        "scope",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made on the settings page, where the token is shown once

    @admin.action(description=_("Revoke"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            do_revoke_token(token)
