"""What every page's top bar shows about the signed-in person."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from calmdesk.accounts.access import agent_of
from calmdesk.accounts.models import Capability
from calmdesk.accounts.notify import unread_count


def top_bar(request: HttpRequest) -> dict[str, object]:
    """The unread count is a callable the template calls only where it is shown (the
    full pages' top bar): one query there, none in an htmx partial."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    agent = agent_of(user)  # already read by the time-zone middleware: no query
    return {
        "unread_notifications": cache(lambda: unread_count(user)),
        "may_invite": agent is not None and agent.can(Capability.INVITE_PEOPLE),
    }
