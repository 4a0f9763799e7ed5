"""Saved replies with variables: the one renderer every path that fills one in uses
(the composer's preview today, "answer all" later).

A saved reply's body names variables in braces, ``Hi {customer.first_name},``; ``{{``
and ``}}`` are literal braces. The contract:

- ``check_saved_reply(body)`` raises ``SavedReplyError`` on an unknown or malformed
  variable (the model's ``clean()`` calls it, so such a reply is never saved);
- ``render_saved_reply(body, values)`` is a pure function over plain strings; it raises
  the same error rather than ever send a variable raw;
- ``values_for(conversation, actor)`` builds those strings for one conversation and the
  agent who will send it; ``render_for`` does both.

A missing value (a customer without a name) renders as nothing, and the text around it
closes up: the spaces before it go, a comma left dangling before punctuation or the end
of a line goes, and at the start of a line a comma after it goes too. So "Hi
{customer.first_name}," becomes "Hi," and "Thanks, {customer.first_name}!" becomes
"Thanks!" — never a made-up word in place of a name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from calmdesk.desk.models import Conversation, SavedReply

VARIABLES = (
    "customer.first_name",
    "customer.name",
    "agent.name",
    "conversation.number",
    "mailbox.name",
)

# A literal brace pair, a variable, or a lone brace (malformed).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
_PUNCTUATION = ",.!?;:)"


class SavedReplyError(ValueError):
    """An unknown or malformed variable; the message names it and lists the known ones."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        known = ", ".join(f"{{{name}}}" for name in VARIABLES)
        if variable in ("{", "}"):
            message = _(
                "A lone “%(brace)s”: write {{ or }} for a brace, or a variable in braces. "
                "Known variables: %(known)s."
            ) % {"brace": variable, "known": known}
        else:
            message = _("Unknown variable {%(name)s}. Known variables: %(known)s.") % {
                "name": variable,
                "known": known,
            }
        super().__init__(message)


def _parse(body: str) -> list[str | tuple[str]]:
    """Literal text as str, each variable as a 1-tuple of its name."""
    parts: list[str | tuple[str]] = []
    position = 0
    for match in _TOKEN.finditer(body):
        parts.append(body[position : match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif match.group(1) is None or match.group(1) not in VARIABLES:
            raise SavedReplyError(token if match.group(1) is None else match.group(1))
        else:
            parts.append((match.group(1),))
        position = match.end()
    parts.append(body[position:])
    return parts


def check_saved_reply(body: str) -> None:
    """Raise SavedReplyError if ``body`` holds an unknown or malformed variable."""
    _parse(body)


def render_saved_reply(body: str, values: Mapping[str, str]) -> str:
    """``body`` with every variable replaced by its value in ``values`` (keys as in
    VARIABLES; a key left out counts as empty). Values are inserted as they are: braces
    in a customer's name are not read as variables."""
    parts = _parse(body)
    out = ""
    closing = False  # an empty value just went: the text after it closes up
    for part in parts:
        if isinstance(part, tuple):
            value = values.get(part[0], "").strip()
            if value:
                out += value
            else:
                out = out.rstrip(" \t")
                closing = True
            continue
        if closing:
            out, part = _close_up(out, part)
            closing = False
        out += part
    return out


def _close_up(before: str, after: str) -> tuple[str, str]:
    at_line_start = before == "" or before.endswith("\n")
    if at_line_start:
        return before, re.sub(r"^[ \t]*,?[ \t]*", "", after)
    ends_line = after == "" or after[0] in _PUNCTUATION + "\n"
    if before.endswith(",") and ends_line:
        before = before[:-1]
    return before, after


def values_for(conversation: Conversation, actor: User) -> dict[str, str]:
    """The variables' values for a reply by ``actor`` in ``conversation``."""
    name = conversation.customer.name.strip()
    if "@" in name:  # an address stood in for the name: no name to greet by
        name = ""
    return {
        "customer.first_name": name.split()[0] if name else "",
        "customer.name": name,
        "agent.name": actor.get_full_name() or actor.get_username(),
        "conversation.number": str(conversation.pk),
        "mailbox.name": conversation.mailbox.name,
    }


def render_for(body: str, conversation: Conversation, actor: User) -> str:
    return render_saved_reply(body, values_for(conversation, actor))


def saved_replies_for(conversation: Conversation) -> QuerySet[SavedReply]:
    """The saved replies offered in a conversation: its mailbox's and the shared ones."""
    from calmdesk.desk.models import SavedReply  # the models import this module

    return SavedReply.objects.filter(Q(mailbox=conversation.mailbox_id) | Q(mailbox__isnull=True))
