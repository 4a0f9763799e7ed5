"""Mail configuration that would only fail later, at the first send or poll, fails at
start-up instead."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_encryption_key(app_configs, **kwargs):
    if not settings.ENCRYPTION_KEY:
        return []
    from cryptography.fernet import Fernet

    try:
        Fernet(settings.ENCRYPTION_KEY.encode())
    except ValueError:
        return [
            Error(
                "CALMDESK_ENCRYPTION_KEY is not a Fernet key",
                hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="calmdesk.E101",
            )
        ]
    return []
