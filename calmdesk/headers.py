"""Security headers on every response: a Content-Security-Policy with no inline or
evaluated script (htmx's config is a meta tag and the desk's JavaScript is in static
files), and a Permissions-Policy that turns off what a help desk never uses.

Django 5.2 has no CSP of its own (6.0 adds one); X-Frame-Options, Referrer-Policy and
nosniff come from Django's own middleware and settings."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Style attributes stay allowed: the tone gauges set their width inline, and a style
# cannot run code. Images only from the desk itself (and data: URIs for inline previews),
# so a customer's HTML mail cannot load tracking pixels or reach out anywhere.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
