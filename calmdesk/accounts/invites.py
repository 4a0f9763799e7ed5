"""Bringing people onto the desk: an admin's invite (a single-use link that expires) and
the role that decides what each person may do (README, "Roles"). Every write to a
person's role or invite goes through here."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts.models import Agent, Invite, Role, SystemMailKind
from calmdesk.accounts.notify import absolute_url, do_queue_system_mail
from calmdesk.desk.models import Mailbox

INVITE_LIFETIME = timedelta(days=7)
# Leads edit saved replies and tags, in the Django admin, through this group.
LEADS_GROUP = "Leads"
LEAD_MODELS = ("savedreply", "tag")


class InviteError(Exception):
    """An invite that cannot be made, with a message fit to show the admin."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _leads_group() -> Group:
    group, created = Group.objects.get_or_create(name=LEADS_GROUP)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="desk", content_type__model__in=LEAD_MODELS
            )
        )
    return group


def do_set_role(agent: Agent, role: str) -> Agent:
    """The role, and the Django-admin access that goes with it: admins configure
    everything there, leads edit saved replies and tags, agents never go there."""
    if role not in Role.values:
        raise InviteError(_("“%(role)s” is not a role.") % {"role": role})
    Agent.objects.filter(pk=agent.pk).update(role=role)
    get_user_model().objects.filter(pk=agent.user_id).update(
        is_staff=role in {Role.ADMIN, Role.LEAD}, is_superuser=role == Role.ADMIN
    )
    group = _leads_group()
    if role == Role.LEAD:
        agent.user.groups.add(group)
    else:
        agent.user.groups.remove(group)
    agent.refresh_from_db()
    agent.user.refresh_from_db()
    return agent


def _invite_mail(user: User, actor: User, link: str) -> tuple[str, str]:
    subject = _("%(actor)s invites you to calmdesk") % {"actor": getattr(actor, "agent", actor)}
    body = "\n".join(
        [
            _("Hello %(name)s,") % {"name": user.get_full_name() or user.email},
            "",
            _("%(actor)s invites you to answer customers with them on calmdesk.")
            % {"actor": getattr(actor, "agent", actor)},
            _("Choose your password here (the link works once, for 7 days):"),
            "",
            link,
            "",
            _("Your username is %(username)s.") % {"username": user.get_username()},
        ]
    )
    return subject, body


@transaction.atomic
def do_invite(
    actor: User,
    *,
    email: str,
    role: str,
    mailboxes: Iterable[Mailbox] = (),
    first_name: str = "",
    last_name: str = "",
    now: datetime | None = None,
) -> tuple[Invite, str]:
    """Invite ``email``: their user (inactive, no password) with the role and mailboxes
    picked, and a mail with the link. Returns the invite and the link (shown to the
    admin once, for a desk without SMTP). Inviting again someone who has not accepted
    yet replaces their link."""
    when = now or timezone.now()
    address = get_user_model().objects.normalize_email(email).strip().lower()
    user = (
        get_user_model()
        .objects.filter(Q(email__iexact=address) | Q(username__iexact=address))
        .first()
    )
    if user is None:
        user = get_user_model().objects.create_user(
            address, address, None, first_name=first_name, last_name=last_name, is_active=False
        )
    elif user.is_active or user.has_usable_password():
        raise InviteError(_("Someone with this address is already on the desk."))
    agent, _created = Agent.objects.get_or_create(user=user)
    agent.mailboxes.set(list(mailboxes))
    do_set_role(agent, role)
    token = secrets.token_urlsafe(32)
    Invite.objects.filter(user=user).delete()
    invite = Invite.objects.create(
        user=user,
        token_hash=token_hash(token),
        invited_by=actor,
        created_at=when,
        expires_at=when + INVITE_LIFETIME,
    )
    link = absolute_url(reverse("invite_accept", args=[token]))
    subject, body = _invite_mail(user, actor, link)
    do_queue_system_mail(
        address, subject, body, kind=SystemMailKind.INVITE, sensitive=True, now=when
    )
    return invite, link


def open_invite(token: str, now: datetime | None = None) -> Invite | None:
    """The invite behind ``token`` if it can still be accepted."""
    return (
        Invite.objects.filter(
            token_hash=token_hash(token),
            accepted_at=None,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("user")
        .first()
    )


@transaction.atomic
def do_accept_invite(token: str, password: str, now: datetime | None = None) -> User | None:
    """Set the invitee's first password and let them in. One conditional UPDATE takes
    the invite, so a link used twice (or raced) works once. None: used or expired."""
    when = now or timezone.now()
    invite = open_invite(token, when)
    if invite is None:
        return None
    taken = Invite.objects.filter(pk=invite.pk, accepted_at=None, expires_at__gt=when).update(
        accepted_at=when
    )
    if taken != 1:
        return None
    user = invite.user
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return user


def pending_invites() -> list[Invite]:
    return list(
        Invite.objects.filter(accepted_at=None).select_related("user").order_by("-created_at")
    )
