"""Two-factor sign-in pages: the password step that hands over to a code step, the
setup behind the Settings page, and an admin's reset from the People page."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from calmdesk.accounts import totp
from calmdesk.accounts.access import SignedInRequest, agent_required
from calmdesk.accounts.forms import TwoFactorCodeForm, TwoFactorOffForm
from calmdesk.accounts.models import Agent
from calmdesk.accounts.twofactor import (
    RECOVERY,
    do_begin_two_factor,
    do_check_second_factor,
    do_confirm_two_factor,
    do_new_recovery_codes,
    do_reset_two_factor,
    do_turn_off_two_factor,
    has_two_factor,
    recovery_codes_left,
    two_factor_of,
)
from calmdesk.accounts.views.people import may_invite

PENDING = "two_factor_pending"
PENDING_SECONDS = 300  # the code step must follow the password within 5 minutes
TRIES = 3  # wrong codes before the password is asked again (each counts toward lockout)


class SignInView(auth_views.LoginView):
    """The password step. A person with two-factor on is not signed in yet: who they are
    waits in the session, for a few minutes, for the code step."""

    template_name = "accounts/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not has_two_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "until": timezone.now().timestamp() + PENDING_SECONDS,
            "tries": 0,
        }
        return redirect("two_factor_verify")


def _pending(request: HttpRequest) -> tuple[dict, User] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < timezone.now().timestamp():
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return None
    return pending, user


def _signed_in(request: HttpRequest, pending: dict, user: User, used: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend=pending["backend"])  # a new session key
    if used == RECOVERY:
        two_factor = two_factor_of(user)
        left = recovery_codes_left(two_factor) if two_factor else 0
        messages.warning(
            request,
            _(
                "You signed in with a recovery code; %(left)d left. Set up your "
                "authenticator again in Settings if your phone is lost."
            )
            % {"left": left},
        )
    target = pending.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    return redirect(target)


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The code step. A wrong code is a failed sign-in for the lockout; after a few the
    password is asked again."""
    found = _pending(request)
    if found is None:
        messages.info(request, _("Sign in again, please."))
        return redirect("login")
    pending, user = found
    form = TwoFactorCodeForm(request.POST or None)
    credentials = {"username": user.get_username()}
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING, None)
        return render(request, "accounts/locked_out.html", status=429)
    if request.method == "POST" and form.is_valid():
        used = do_check_second_factor(user, form.cleaned_data["code"])
        if used is not None:
            return _signed_in(request, pending, user, used)
        # django-axes and the per-account lock count it (and may answer with the lockout).
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        pending["tries"] = pending.get("tries", 0) + 1
        if pending["tries"] >= TRIES or getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("login")
        request.session[PENDING] = pending
        form.add_error("code", _("That code is not right, or was used already."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _setup_page(
    request: SignedInRequest, form: TwoFactorCodeForm, status: int = 200
) -> HttpResponse:
    two_factor = two_factor_of(request.user)
    context: dict[str, object] = {
        "two_factor": two_factor,
        "form": form,
        "off_form": TwoFactorOffForm(),
        "required": settings.REQUIRE_TWO_FACTOR,
    }
    if two_factor is not None and two_factor.is_on:
        context["codes_left"] = recovery_codes_left(two_factor)
    elif two_factor is not None:
        context["secret"] = totp.grouped(two_factor.secret)
        context["uri"] = totp.provisioning_uri(two_factor.secret, request.user.get_username())
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@never_cache
@agent_required
def setup(request: SignedInRequest) -> HttpResponse:
    """GET: where two-factor stands. POST: a new secret to add to the app."""
    if request.method == "POST":
        do_begin_two_factor(request.user)
        return redirect("two_factor_setup")
    return _setup_page(request, TwoFactorCodeForm())


@never_cache
@require_POST
@agent_required
def confirm(request: SignedInRequest) -> HttpResponse:
    """The first code turns it on; the recovery codes are shown in this answer only."""
    two_factor = two_factor_of(request.user)
    if two_factor is None or two_factor.is_on:
        return redirect("two_factor_setup")
    form = TwoFactorCodeForm(request.POST)
    codes = do_confirm_two_factor(request.user, form.data.get("code", ""))
    if codes is None:
        form.is_valid()
        form.add_error("code", _("That code is not right. Check the time on your phone."))
        return _setup_page(request, form, status=400)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes})


@never_cache
@require_POST
@agent_required
def new_codes(request: SignedInRequest) -> HttpResponse:
    """Ten new recovery codes for the old ones, after a current code."""
    form = TwoFactorCodeForm(request.POST)
    if not has_two_factor(request.user):
        return redirect("two_factor_setup")
    if (
        not form.is_valid()
        or do_check_second_factor(request.user, form.cleaned_data["code"]) is None
    ):
        messages.error(request, _("Give a current code from your app for new recovery codes."))
        return redirect("two_factor_setup")
    codes = do_new_recovery_codes(request.user)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "renewed": True})


@require_POST
@agent_required
def turn_off(request: SignedInRequest) -> HttpResponse:
    if not has_two_factor(request.user):
        return redirect("two_factor_setup")
    form = TwoFactorOffForm(request.POST)
    form.is_valid()
    code, password = form.cleaned_data.get("code", ""), form.cleaned_data.get("password", "")
    proved = (code and do_check_second_factor(request.user, code) is not None) or (
        password and request.user.check_password(password)
    )
    if not proved:
        messages.error(request, _("Give a current code or your password to turn it off."))
    else:
        do_turn_off_two_factor(request.user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor_setup")


@require_POST
@may_invite
def people_reset(request: SignedInRequest, pk: int) -> HttpResponse:
    agent = Agent.objects.filter(pk=pk).select_related("user").first()
    if agent is None:
        raise Http404
    if agent.user_id == request.user.pk:
        messages.error(request, _("Turn your own two-factor sign-in off in Settings."))
    elif do_reset_two_factor(request.user, agent.user):
        messages.success(request, _("Two-factor sign-in of %(name)s reset.") % {"name": agent})
    else:
        messages.info(request, _("%(name)s has no two-factor sign-in.") % {"name": agent})
    return redirect("people")
