from __future__ import annotations

from calmdesk.accounts.models import Agent


def do_update_preferences(agent: Agent, *, time_zone: str, undo_seconds: int | None) -> Agent:
    """``undo_seconds`` None: the desk's default (CALMDESK_UNDO_SECONDS) from now on."""
    Agent.objects.filter(pk=agent.pk).update(time_zone=time_zone, undo_seconds=undo_seconds)
    agent.refresh_from_db()
    return agent
