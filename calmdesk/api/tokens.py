"""Personal API tokens: made on the settings page and shown once, kept as a SHA-256
digest, scoped, expiring, revocable; and the rate limit each one is held to.

The rate limit is a fixed window of one minute, counted by each process in memory and
added to the token's own row (``window_start``, ``window_count``) every few seconds and
near the limit, so every web process of an install counts on the same number (Django's
default cache lives in one process) without a write per request: ``ratelimit``."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from calmdesk.api.models import ApiToken, Scope
from calmdesk.api.ratelimit import COUNTER

# The visible start of every token, so a leaked one is easy to find in a code search.
PREFIX = "cdk_"
# Requests per token per minute: a busy integration's sync loop, not a scraper.
RATE_PER_MINUTE = 120
# The longest a token may live, and the choices the settings page offers (days).
EXPIRY_CHOICES = (30, 90, 365)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str  # shown once, never stored


def do_create_token(
    owner: User,
    name: str,
    scope: str,
    *,
    days: int | None = 90,
    now: datetime | None = None,
) -> NewToken:
    now = now or timezone.now()
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name.strip()[:80] or "token",
        scope=scope if scope in Scope.values else Scope.READ,
        prefix=raw[:10],
        digest=digest_of(raw),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    return NewToken(token, raw)


def do_revoke_token(token: ApiToken, *, now: datetime | None = None) -> bool:
    """True when this call revoked it (a second revoke changes nothing)."""
    return (
        ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=now or timezone.now()
        )
        == 1
    )


def live_token(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The token ``raw`` names if it is neither revoked nor expired and its owner may
    still sign in, with its owner."""
    now = now or timezone.now()
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    return (
        ApiToken.objects.select_related("owner", "owner__agent")
        .filter(
            Q(expires_at=None) | Q(expires_at__gt=now),
            digest=digest_of(raw),
            revoked_at=None,
            owner__is_active=True,
        )
        .first()
    )


def count_request(token: ApiToken, *, now: datetime | None = None) -> int:
    """Count one request against the token's limit and return the seconds to wait before
    the next is allowed: 0 when this one is within it (``calmdesk.api.ratelimit``)."""
    return COUNTER.count(token, RATE_PER_MINUTE, now or timezone.now())
