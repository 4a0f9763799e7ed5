"""The periodic jobs, to look at: when each runs next, who holds it, its last error.
Read-only: the registry in code says what runs and how often."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from calmdesk.jobs.models import PeriodicJob


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin[PeriodicJob]):
    list_display = [
        "name",
        "every_seconds",
        "next_run_at",
        "claimed_by",
        "lease_until",
        "last_finished_at",
        "runs",
        "failures",
    ]
    readonly_fields = [field.name for field in PeriodicJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PeriodicJob | None = None) -> bool:
        return False
