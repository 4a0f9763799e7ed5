"""Bringing people in: the admins' people page with its invite form, the invitee's
page that sets their first password, and "forgot password"."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calmdesk.accounts.access import SignedInRequest, agent_of, agent_required
from calmdesk.accounts.forms import AcceptInviteForm, InviteForm
from calmdesk.accounts.invites import (
    InviteError,
    do_accept_invite,
    do_invite,
    do_set_role,
    open_invite,
    pending_invites,
)
from calmdesk.accounts.models import Agent, Capability, Role
from calmdesk.accounts.resets import QueuedPasswordResetForm, client_over_limit, reset_context
from calmdesk.accounts.security import client_address


def may_invite(view):
    @agent_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        agent = agent_of(request.user)
        if agent is None or not agent.can(Capability.INVITE_PEOPLE):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _people_page(request: SignedInRequest, form: InviteForm, status: int = 200) -> HttpResponse:
    people = (
        Agent.objects.filter(user__is_active=True)
        .select_related("user", "user__two_factor")
        .prefetch_related("mailboxes")
        .order_by("user__first_name", "user__username")
    )
    context = {
        "people": people,
        "roles": Role.choices,
        "invites": pending_invites(),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "accounts/people.html", context, status=status)


@may_invite
def people(request: SignedInRequest) -> HttpResponse:
    return _people_page(request, InviteForm())


@require_POST
@may_invite
def people_invite(request: SignedInRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _people_page(request, form, status=400)
    try:
        invite, link = do_invite(request.user, **form.cleaned_data)
    except InviteError as exc:
        form.add_error("email", str(exc))
        return _people_page(request, form, status=400)
    if settings.SMTP_HOST:
        messages.success(request, _("Invite sent to %(email)s.") % {"email": invite.user.email})
    else:
        # No server to mail it: the admin hands the link over themselves, this once.
        messages.warning(
            request,
            _("No SMTP server is set, so no mail leaves. Send %(email)s this link: %(link)s")
            % {"email": invite.user.email, "link": link},
        )
    return redirect("people")


@require_POST
@may_invite
def people_role(request: SignedInRequest, pk: int) -> HttpResponse:
    agent = Agent.objects.filter(pk=pk).select_related("user").first()
    if agent is None:
        raise Http404
    role = request.POST.get("role", "")
    if agent.user_id == request.user.pk:
        # Nobody demotes themselves by a slip: another admin does it.
        messages.error(request, _("Another admin has to change your own role."))
    elif role not in Role.values:
        messages.error(request, _("Choose a role."))
    else:
        do_set_role(agent, role)
        messages.success(
            request,
            _("%(name)s is now %(role)s.") % {"name": agent, "role": agent.get_role_display()},
        )
    return redirect("people")


def invite_accept(request: SignedInRequest, token: str) -> HttpResponse:
    invite = open_invite(token)
    if invite is None:
        return render(request, "accounts/invite_gone.html", status=410)
    form = AcceptInviteForm(invite.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if do_accept_invite(token, form.cleaned_data["new_password1"]) is None:
            return render(request, "accounts/invite_gone.html", status=410)
        messages.success(request, _("Welcome! Sign in with your new password."))
        return redirect("login")
    return render(request, "accounts/invite_accept.html", {"form": form, "invite": invite})


class ForgotPasswordView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: QueuedPasswordResetForm) -> HttpResponse:
        if client_over_limit(client_address(self.request)):  # the real one, behind a proxy
            return HttpResponseRedirect(self.get_success_url())  # the same answer
        self.extra_email_context = reset_context()
        return super().form_valid(form)


forgot_password = ForgotPasswordView.as_view()
reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("password_reset_complete"),
)
reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
