"""Who is signed in as an agent. The desk's scoping (calmdesk.desk.access) builds on it;
it lives here, under the desk, so the accounts pages need nothing from the desk."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from calmdesk.accounts.models import Agent, Role


class SignedInRequest(HttpRequest):
    """The request a view behind ``agent_required`` or ``login_required`` gets: its user
    is signed in, never anonymous (for the type checker; Django's request says either)."""

    user: User


def agent_of(actor: User | AnonymousUser) -> Agent | None:
    """The agent profile of ``actor``. A superuser made with ``createsuperuser`` gets an
    admin profile on first use; any other user without a profile sees nothing."""
    if not actor.is_authenticated:
        return None
    try:
        return actor.agent
    except Agent.DoesNotExist:
        if not actor.is_superuser:
            return None
        agent, _created = Agent.objects.get_or_create(user=actor, defaults={"role": Role.ADMIN})
        return agent


def agent_required(view):
    """Signed in and with an agent profile; a user without one gets a plain 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if agent_of(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
