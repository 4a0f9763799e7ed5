"""Django admin for the team's settings: which mailboxes ask for ratings, the team's
load threshold, each mailbox's business hours and holidays. Ratings and thank-yous are
the customers' words: read-only here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from calmdesk.team.models import BusinessHours, Holiday, MailboxRatings, Rating, TeamHealth, Thanks
from calmdesk.team.rollups import RECOUNT, do_recount_since


@admin.register(MailboxRatings)
class MailboxRatingsAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "enabled"]
    list_editable = ["enabled"]


@admin.register(TeamHealth)
class TeamHealthAdmin(admin.ModelAdmin):
    list_display = ["load_threshold"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TeamHealth.objects.exists()


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 3


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "opens", "closes", "weekdays", "time_zone"]
    inlines = [HolidayInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The reports' business-hour times of the recent past are counted again.
        do_recount_since(timezone.now() - RECOUNT)

    def delete_model(self, request: HttpRequest, obj: BusinessHours) -> None:
        super().delete_model(request, obj)
        do_recount_since(timezone.now() - RECOUNT)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["reply", "score", "updated_at"]
    list_filter = ["score"]


@admin.register(Thanks)
class ThanksAdmin(ReadOnly):
    list_display = ["agent", "received_at", "pinned_at"]
