from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from calmdesk.accounts.models import Agent


class AgentInline(admin.StackedInline):
    model = Agent
    can_delete = False
    filter_horizontal = ["mailboxes"]


class AgentUserAdmin(UserAdmin):
    inlines = [AgentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AgentUserAdmin)
