"""Who else has a conversation open: "Bob is viewing", "Bob is typing a reply".

Nothing asks for it on its own: the conversation page's pulse says the agent is viewing,
and the coach's check of a draft being typed says they are typing. Each is one upsert of
the agent's row (INSERT … ON CONFLICT), so every web process reads the same table, and the
pulse writes only when the agent's row is getting old, so an idle page costs a read.
Rows are read as gone once old; a periodic job deletes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection

from calmdesk.accounts.models import Agent, Capability, Presence, PresenceState, roles_that_can
from calmdesk.jobs.registry import periodic

# A page that has not said so for this long is closed (the pulse says so every few
# seconds while the page is open and shown; a hidden tab stops asking).
FRESH = timedelta(seconds=30)
# "Typing" lasts this long after the last keystroke the coach saw, then reads "viewing".
TYPING_FRESH = timedelta(seconds=8)
# The pulse rewrites the agent's own row once it is this old, not on every poll.
REFRESH = timedelta(seconds=10)
# Older rows are deleted by the job (nobody reads them).
KEEP = timedelta(minutes=10)


@dataclass(frozen=True)
class Here:
    """A teammate on the conversation and what they are doing."""

    user_id: int
    name: str
    state: str  # PresenceState


@dataclass(frozen=True)
class Presences:
    others: tuple[Here, ...]
    # The asking agent's own row, (state, seen_at), or None: to know whether to refresh it.
    mine: tuple[str, datetime] | None

    @property
    def marker(self) -> str:
        """What changes when what the page shows changes (never the times alone)."""
        return ",".join(f"{h.user_id}:{h.state}" for h in self.others)


def shown_state(state: str, seen_at: datetime, now: datetime) -> str | None:
    """What a row says at ``now``: typing, viewing, or nothing (gone)."""
    age = now - seen_at
    if age > FRESH:
        return None
    if state == PresenceState.TYPING and age <= TYPING_FRESH:
        return PresenceState.TYPING
    return PresenceState.VIEWING


def do_mark_presence(conversation_id: int, actor: User, state: str, now: datetime) -> None:
    """The agent is on the conversation (one statement, whichever web process runs it).
    Callers have checked that the agent may see it."""
    Presence.objects.bulk_create(
        [Presence(conversation_id=conversation_id, user=actor, state=state, seen_at=now)],
        update_conflicts=True,
        unique_fields=["conversation", "user"],
        update_fields=["state", "seen_at"],
    )


# On the path every open page takes every few seconds the ORM's compiling of this query
# cost ten times its running (about 4 ms against 0.3), so it is written out once.
_PRESENCE_SQL = """
SELECT p.id, p.user_id, p.state, p.seen_at, u.first_name AS first_name, u.username AS username
FROM {presence} p
INNER JOIN {user} u ON u.id = p.user_id
LEFT OUTER JOIN {agent} a ON a.user_id = p.user_id
WHERE p.conversation_id = %s AND p.seen_at >= %s
  AND (p.user_id = %s OR (u.is_active = %s AND (u.is_superuser = %s OR a.role IN ({roles})
       OR EXISTS (SELECT 1 FROM {member} m WHERE m.agent_id = a.id AND m.mailbox_id = %s))))
ORDER BY p.user_id
"""


def presences(conversation_id: int, mailbox_id: int, actor: User, now: datetime) -> Presences:
    """Who is on the conversation now, in one query: the teammates who may still see it
    (its mailbox's agents, leads and admins; never someone who lost access since), and the
    asking agent's own row apart."""
    roles = roles_that_can(Capability.SEE_EVERY_MAILBOX)
    sql = _PRESENCE_SQL.format(
        presence=Presence._meta.db_table,
        user=get_user_model()._meta.db_table,
        agent=Agent._meta.db_table,
        member=Agent.mailboxes.through._meta.db_table,
        roles=", ".join(["%s"] * len(roles)),
    )
    since = connection.ops.adapt_datetimefield_value(now - FRESH)
    params = [conversation_id, since, actor.pk, True, True, *roles, mailbox_id]
    others: list[Here] = []
    mine: tuple[str, datetime] | None = None
    for row in Presence.objects.raw(sql, params):
        if row.user_id == actor.pk:
            mine = (row.state, row.seen_at)
            continue
        shown = shown_state(row.state, row.seen_at, now)
        if shown is not None:
            name = getattr(row, "first_name", "") or getattr(row, "username", "")  # the SQL's
            others.append(Here(row.user_id, name, shown))
    return Presences(tuple(others), mine)


def needs_refresh(mine: tuple[str, datetime] | None, now: datetime) -> bool:
    """Whether the pulse should say "viewing" again: no row, or one getting old. A fresh
    "typing" row is left alone (it turns into "viewing" when it ages)."""
    return mine is None or now - mine[1] >= REFRESH


def do_prune_presence(now: datetime) -> int:
    deleted, _ = Presence.objects.filter(seen_at__lt=now - KEEP).delete()
    return deleted


@periodic("accounts.prune_presence", every=timedelta(minutes=5))
def prune_presence(now: datetime) -> None:
    do_prune_presence(now)
