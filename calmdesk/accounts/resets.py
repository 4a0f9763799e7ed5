"""“Forgot password”: Django's reset tokens (single-use: a token is signed over the
password hash and the last sign-in, so setting a password or signing in spends it;
PASSWORD_RESET_TIMEOUT ends it), sent through the desk's one queue of system mail.
The page answers the same whether or not the address belongs to someone, and sends
at most ``PER_ADDRESS`` links to one address and accepts ``PER_CLIENT`` requests from
one client address per ``WINDOW``; what is over the limit is dropped silently."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.template import loader
from django.utils import timezone

from calmdesk.accounts.models import SystemMail, SystemMailKind
from calmdesk.accounts.notify import do_queue_system_mail

WINDOW = timedelta(hours=1)
PER_ADDRESS = 3
PER_CLIENT = 10


def address_over_limit(email: str) -> bool:
    """Counted in the database, so every web process sees the same count."""
    recent = SystemMail.objects.filter(
        to__iexact=email,
        kind=SystemMailKind.PASSWORD_RESET,
        created_at__gte=timezone.now() - WINDOW,
    ).count()
    return recent >= PER_ADDRESS


def client_over_limit(client_address: str) -> bool:
    """Counted in the cache (per process with the default cache): a brake on one client
    walking through addresses, beside the per-address count that protects each inbox."""
    key = f"calmdesk:reset:{client_address}"
    cache.add(key, 0, timeout=int(WINDOW.total_seconds()))
    try:
        return cache.incr(key) > PER_CLIENT
    except ValueError:  # expired between add and incr
        return False


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, with the mail queued as system mail instead of sent in the
    request, and the per-address limit. The limit is counted before the address is looked
    up, so a known and an unknown address cost the request the same queries but for the
    one INSERT of the queued mail."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if address_over_limit(self.cleaned_data["email"]):
            return
        super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        do_queue_system_mail(
            to_email, subject, body, kind=SystemMailKind.PASSWORD_RESET, sensitive=True
        )


def reset_context() -> dict[str, str]:
    return {"site_url": settings.SITE_URL.rstrip("/")}
