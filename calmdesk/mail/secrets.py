"""Mailbox passwords at rest: Fernet tokens under CALMDESK_ENCRYPTION_KEY. Without the
key a password cannot be stored or read, and the error says which variable to set —
never the password."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretError(RuntimeError):
    pass


def _fernet() -> Fernet:
    if not settings.ENCRYPTION_KEY:
        raise SecretError(
            "CALMDESK_ENCRYPTION_KEY is not set; mailbox passwords cannot be stored or read"
        )
    try:
        return Fernet(settings.ENCRYPTION_KEY.encode())
    except ValueError:
        raise SecretError("CALMDESK_ENCRYPTION_KEY is not a Fernet key") from None


def encrypt(password: str) -> str:
    return "" if not password else _fernet().encrypt(password.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretError("a stored mailbox password does not match the key") from None
