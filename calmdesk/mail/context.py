"""What the top bar needs from mail: the link to the demo catcher's "Sent mail" page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from calmdesk.accounts.access import agent_of
from calmdesk.accounts.models import Capability


def may_see_caught_mail(request: HttpRequest) -> bool:
    """Admins and leads, while the catcher is on: the caught mail of every mailbox."""
    user = getattr(request, "user", None)
    if not settings.MAIL_CATCHER or user is None or not user.is_authenticated:
        return False
    agent = agent_of(user)  # already read by the time-zone middleware: no query
    return agent is not None and agent.can(Capability.SEE_EVERY_MAILBOX)


def catcher(request: HttpRequest) -> dict[str, object]:
    return {"show_caught_mail": may_see_caught_mail(request)}
