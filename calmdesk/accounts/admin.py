from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from calmdesk.accounts.invites import do_set_role
from calmdesk.accounts.models import Agent, Role, SystemMail
from calmdesk.accounts.twofactor import do_reset_two_factor

admin.site.site_header = _("calmdesk administration")
admin.site.site_title = _("calmdesk admin")
admin.site.index_title = _("Configure the desk")
admin.site.site_url = "/"


class AgentInline(admin.StackedInline):
    model = Agent
    can_delete = False
    filter_horizontal = ["mailboxes"]
    exclude = ["signature", "email_notifications"]  # the agent's own, on their settings page


class AgentUserAdmin(UserAdmin):
    inlines = [AgentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (a lost phone)"))
    def reset_two_factor(self, request, queryset):
        keep = request.session.session_key
        done = [u for u in queryset if do_reset_two_factor(request.user, u, keep_session=keep)]
        self.message_user(
            request,
            _("Two-factor sign-in reset for %(count)d people; they were notified.")
            % {"count": len(done)},
            messages.SUCCESS,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        agent = Agent.objects.filter(user=form.instance).first()
        if agent is not None:
            # The role decides the admin access (staff, superuser, the leads' group);
            # a ticked superuser box makes an admin, so nobody demotes themselves by a
            # role left at its default.
            do_set_role(agent, Role.ADMIN if form.instance.is_superuser else agent.role)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AgentUserAdmin)


@admin.register(SystemMail)
class SystemMailAdmin(admin.ModelAdmin[SystemMail]):
    """The desk's own mail, to answer "did my invite go out?". Read-only, and never the
    body: an invite's or a reset's holds a link that signs someone in."""

    list_display = ["created_at", "kind", "to", "subject", "state", "attempts", "sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["to", "subject"]
    exclude = ["body"]
    readonly_fields = [f.name for f in SystemMail._meta.fields if f.name != "body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SystemMail | None = None) -> bool:
        return False
