from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.twofactor import has_two_factor


class AgentTimezoneMiddleware:
    """Times are stored in UTC and shown in the signed-in agent's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        agent = getattr(request.user, "agent", None) if request.user.is_authenticated else None
        if agent is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(agent.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """With CALMDESK_REQUIRE_TWO_FACTOR on, a signed-in person without two-factor sign-in
    is sent to its setup from every page but the setup itself, the sign-in steps and
    signing out (static files are served before this runs). Off, it costs nothing."""

    EXEMPT = frozenset(
        {"two_factor_setup", "two_factor_confirm", "login", "logout", "two_factor_verify"}
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        if not settings.REQUIRE_TWO_FACTOR or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and not match.namespace and match.url_name in self.EXEMPT:
            return None
        if has_two_factor(request.user):
            return None
        target = reverse("two_factor_setup")
        if request.headers.get("HX-Request"):
            # An htmx request would swap the setup page into a fragment: move the page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
