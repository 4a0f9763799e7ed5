"""Bulk actions on inbox rows: one change (assign, tag, status, snooze) applied to each
selected conversation through its own action, so each writes its own event and keeps
the folder counts as a change made on the conversation's page would."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calmdesk.desk.actions import ActionError, do_add_tag, do_assign, do_change_status
from calmdesk.desk.models import Conversation, Status
from calmdesk.desk.snooze import do_snooze

# More than a few pages of rows at once is a script, not an agent.
MOST_AT_ONCE = 100
# "Leave the assignee as it is", as opposed to None: nobody.
KEEP = object()
# The bar's choices (the inbox shows it; the bulk view reads it).
ASSIGNEES = [
    ("", gettext_lazy("Keep assignee")),
    ("me", gettext_lazy("Me")),
    ("none", gettext_lazy("Nobody")),
]
SNOOZES = [
    ("", gettext_lazy("Keep snooze")),
    ("later", gettext_lazy("Later today")),
    ("tomorrow", gettext_lazy("Tomorrow")),
    ("next_week", gettext_lazy("Next week")),
]
BULK_CHOICES = {
    "assignees": ASSIGNEES,
    "statuses": [("", gettext_lazy("Keep status")), *Status.choices],
    "snoozes": SNOOZES,
}


@dataclass(frozen=True)
class BulkChange:
    """What to do to every selected conversation; what is left empty is kept."""

    assignee: object = KEEP  # a User, None (nobody) or KEEP
    tag: str = ""
    status: str = ""
    snooze_until: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self.assignee is KEEP and not self.tag and not self.status and not self.snooze_until


@dataclass
class BulkOutcome:
    changed: int = 0
    problems: list[str] = field(default_factory=list)


def do_bulk_change(
    conversations: Iterable[Conversation],
    actor: User,
    change: BulkChange,
    *,
    now: datetime | None = None,
) -> BulkOutcome:
    """Apply ``change`` to each of ``conversations`` (those the actor may see: the caller
    looked them up through ``desk.access``). Each conversation's changes are its own
    actions in their own transactions: one that cannot happen (a teammate's
    conversation, a closed one to snooze) is told and the others go ahead."""
    outcome = BulkOutcome()
    for conversation in conversations:
        try:
            _change_one(conversation, actor, change, now)
        except ActionError as problem:
            outcome.problems.append(
                _("#%(number)s: %(problem)s") % {"number": conversation.pk, "problem": problem}
            )
        else:
            outcome.changed += 1
    return outcome


def _change_one(
    conversation: Conversation, actor: User, change: BulkChange, now: datetime | None
) -> None:
    if change.assignee is not KEEP:
        assignee = change.assignee if isinstance(change.assignee, User) else None
        do_assign(conversation, actor, assignee)
    if change.tag:
        do_add_tag(conversation, actor, change.tag)
    if change.status:
        do_change_status(conversation, actor, change.status)
    if change.snooze_until is not None:
        do_snooze(conversation, actor, change.snooze_until, now=now)
