"""System checks: bad configuration fails loudly at start-up with a code."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def check_configuration(app_configs, **kwargs):
    problems = []
    if settings.SMTP_SECURITY not in {"none", "starttls", "tls"}:
        problems.append(
            Error(
                f"CALMDESK_SMTP_SECURITY is {settings.SMTP_SECURITY!r}",
                hint="Use none, starttls or tls.",
                id="calmdesk.E001",
            )
        )
    if not settings.SMTP_HOST:
        problems.append(
            Warning(
                "No SMTP server configured (CALMDESK_SMTP_HOST); replies will stay scheduled.",
                id="calmdesk.W001",
            )
        )
    return problems
