from __future__ import annotations

from django.contrib.auth import get_user_model

from calmdesk.accounts.models import DEFAULT_COOLDOWN_SECONDS, Agent


def do_update_settings(
    agent: Agent,
    *,
    time_zone: str,
    undo_seconds: int | None,
    first_name: str = "",
    last_name: str = "",
    signature: str = "",
    cooldown_seconds: int | None = None,
    email_notifications: bool = True,
) -> Agent:
    """An agent's own settings. ``undo_seconds`` None: the desk's default
    (CALMDESK_UNDO_SECONDS) from now on; ``cooldown_seconds`` None: the default pause."""
    get_user_model().objects.filter(pk=agent.user_id).update(
        first_name=first_name.strip()[:150], last_name=last_name.strip()[:150]
    )
    Agent.objects.filter(pk=agent.pk).update(
        time_zone=time_zone,
        undo_seconds=undo_seconds,
        signature=signature.strip(),
        cooldown_seconds=(
            DEFAULT_COOLDOWN_SECONDS if cooldown_seconds is None else cooldown_seconds
        ),
        email_notifications=email_notifications,
    )
    agent.refresh_from_db()
    agent.user.refresh_from_db()
    return agent
