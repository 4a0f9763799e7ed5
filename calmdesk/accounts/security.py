"""Account safety: who the client really is behind a proxy, every session of a user
ended when they are deactivated or their password changes, and an account locked
after many failed sign-ins from anywhere (the per-address lockout is django-axes').

The receivers here are connected when the accounts app is ready, so every path that
saves a user (the admin, a password reset, an invite, a lock) ends sessions alike."""

from __future__ import annotations

import functools
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count, Sum
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger("calmdesk.accounts")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent the request. X-Forwarded-For is read from the right
    and believed only while the hop that wrote it is a trusted proxy: a client cannot
    name another address by sending the header itself."""
    current = request.META.get("REMOTE_ADDR", "")
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(current) or not _valid(hop):
            break
        current = hop
    return current


# -- sessions --------------------------------------------------------------------------


def end_sessions(user_id: int, *, keep: str | None = None) -> int:
    """Delete every live session of the user (but ``keep``). Sessions are looked at one
    by one: they are stored signed, not by user; this runs on rare changes only."""
    from django.contrib.sessions.models import Session

    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.session_key != keep and session.get_decoded().get(SESSION_KEY) == str(user_id)
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


@receiver(pre_save, sender=User)
def _remember_access(sender: type[User], instance: User, **kwargs: object) -> None:
    if instance.pk is not None:
        before = User.objects.filter(pk=instance.pk).values_list("is_active", "password").first()
        instance._access_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _end_sessions_on_access_change(
    sender: type[User], instance: User, created: bool, **kwargs: object
) -> None:
    """Deactivated, or a new password: the old session cookies must not come back to
    life on reactivation. (Whoever changed their own password keeps their session:
    Django's update_session_auth_hash makes it a new one after this.)"""
    before = getattr(instance, "_access_before", None)
    if created or before is None:
        return
    was_active, old_password = before
    if (was_active and not instance.is_active) or old_password != instance.password:
        ended = end_sessions(instance.pk)
        log.info("sessions of user %s ended (%d) after an access change", instance.pk, ended)
    if instance.is_active and not was_active:
        # Reactivated (after a lock, say): the failures that locked it are forgotten, or
        # the next wrong password would lock it again at once.
        from axes.models import AccessAttempt

        AccessAttempt.objects.filter(username=instance.get_username()).delete()


# -- the per-account lock --------------------------------------------------------------


def failures_for(username: str) -> tuple[int, int]:
    """(failed sign-ins, distinct addresses) for an account in django-axes' window."""
    from axes.models import AccessAttempt

    row = AccessAttempt.objects.filter(username=username).aggregate(
        failures=Sum("failures_since_start"), addresses=Count("ip_address", distinct=True)
    )
    return int(row["failures"] or 0), int(row["addresses"] or 0)


def do_lock_account(username: str, failures: int, addresses: int) -> bool:
    """Deactivate the account (which ends its sessions) and tell the admins. False when
    there is no such active account: a guessed name leaves no trace an attacker sees."""
    from calmdesk.accounts.notify import do_notify_admins

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    log.warning(
        "calmdesk.W101 account %s locked after %d failed sign-ins from %d addresses",
        user.pk,
        failures,
        addresses,
    )
    do_notify_admins(
        _("The account of %(name)s was locked") % {"name": user.get_username()},
        body=_(
            "%(failures)d failed sign-ins from %(addresses)d addresses. The account is "
            "deactivated and its sessions ended; reactivate it once you know who tried."
        )
        % {"failures": failures, "addresses": addresses},
    )
    return True


@receiver(user_login_failed)
def _lock_after_many_failures(
    sender: object, credentials: dict[str, object], request: HttpRequest | None = None, **kw: object
) -> None:
    # django-axes recorded this failure first (its app is earlier in INSTALLED_APPS).
    username = credentials.get("username")
    if not isinstance(username, str) or not username:
        return
    failures, addresses = failures_for(username)
    if failures >= settings.ACCOUNT_LOCK_LIMIT:
        do_lock_account(username, failures, addresses)
