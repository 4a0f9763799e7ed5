"""Two-factor sign-in: the actions that turn a person's authenticator on and off, check
a code at sign-in, and let an admin reset it (a lost phone). The codes themselves are
calmdesk.accounts.totp; the pages are calmdesk.accounts.views.two_factor.

A code is good once: accepting one moves ``last_step`` forward in one conditional
UPDATE, so two requests racing with the same code cannot both pass. A recovery code is
spent the same way."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts import totp
from calmdesk.accounts.models import NotificationKind, RecoveryCode, TwoFactor
from calmdesk.accounts.notify import do_notify
from calmdesk.accounts.security import end_sessions

log = logging.getLogger("calmdesk.accounts")

CODE = "code"
RECOVERY = "recovery"


def two_factor_of(user: User) -> TwoFactor | None:
    return TwoFactor.objects.filter(user=user).first()


def has_two_factor(user: User) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def recovery_codes_left(two_factor: TwoFactor) -> int:
    return two_factor.codes.filter(used_at=None).count()


def do_begin_two_factor(user: User, now: datetime | None = None) -> TwoFactor:
    """A new secret waiting for its first code. One already on is left as it is: turning
    it off first needs a code or the password."""
    existing = two_factor_of(user)
    if existing is not None and existing.is_on:
        return existing
    two_factor, _created = TwoFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret": totp.new_secret(),
            "created_at": now or timezone.now(),
            "confirmed_at": None,
            "last_step": None,
        },
    )
    return two_factor


def _new_recovery_codes(two_factor: TwoFactor) -> list[str]:
    codes = totp.new_recovery_codes()
    two_factor.codes.all().delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(two_factor=two_factor, code_hash=totp.recovery_code_hash(c)) for c in codes]
    )
    return codes


def do_confirm_two_factor(user: User, code: str, now: datetime | None = None) -> list[str] | None:
    """Turn it on with a first code from the app; the recovery codes, to show once, or
    None when the code is wrong or nothing is being set up."""
    when = now or timezone.now()
    two_factor = TwoFactor.objects.filter(user=user, confirmed_at=None).first()
    if two_factor is None:
        return None
    step = totp.matching_step(two_factor.secret, code, when.timestamp())
    if step is None:
        return None
    with transaction.atomic():
        claimed = TwoFactor.objects.filter(pk=two_factor.pk, confirmed_at=None).update(
            confirmed_at=when, last_step=step
        )
        if claimed != 1:
            return None
        codes = _new_recovery_codes(two_factor)
    log.info("two-factor sign-in turned on for user %s", user.pk)
    return codes


def do_new_recovery_codes(user: User) -> list[str] | None:
    """A fresh set of ten in place of the old (all of them, used or not)."""
    two_factor = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if two_factor is None:
        return None
    with transaction.atomic():
        return _new_recovery_codes(two_factor)


def do_check_second_factor(user: User, code: str, now: datetime | None = None) -> str | None:
    """``CODE`` or ``RECOVERY`` when ``code`` is a current code from the app or an unused
    recovery code (either is then spent), else None."""
    when = now or timezone.now()
    two_factor = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if two_factor is None or not code.strip():
        return None
    step = totp.matching_step(two_factor.secret, code, when.timestamp(), after=two_factor.last_step)
    if step is not None:
        newer = Q(last_step__isnull=True) | Q(last_step__lt=step)
        if TwoFactor.objects.filter(newer, pk=two_factor.pk).update(last_step=step) == 1:
            return CODE
        return None  # the same code, used by a racing request a moment ago
    spent = RecoveryCode.objects.filter(
        two_factor=two_factor, code_hash=totp.recovery_code_hash(code), used_at=None
    ).update(used_at=when)
    return RECOVERY if spent == 1 else None


def do_turn_off_two_factor(user: User) -> bool:
    """The person's own choice, after they proved it with a code or their password."""
    deleted, _by_model = TwoFactor.objects.filter(user=user).delete()
    if deleted:
        log.info("two-factor sign-in turned off by user %s", user.pk)
    return bool(deleted)


def do_reset_two_factor(actor: User, user: User, *, keep_session: str | None = None) -> bool:
    """An admin clears someone's authenticator (a lost phone): their sessions end, and
    they are told, so a reset they did not ask for does not pass unseen. False when they
    had none."""
    deleted, _by_model = TwoFactor.objects.filter(user=user).delete()
    if not deleted:
        return False
    end_sessions(user.pk, keep=keep_session)
    log.warning("two-factor sign-in of user %s reset by user %s", user.pk, actor.pk)
    do_notify(
        [user],
        NotificationKind.SYSTEM,
        _("Your two-factor sign-in was reset by %(name)s") % {"name": actor.get_username()},
        body=_(
            "You sign in with your password alone until you set up an authenticator again. "
            "If you did not ask for this, tell an admin."
        ),
        url=reverse("two_factor_setup"),
        actor=actor,
    )
    return True
