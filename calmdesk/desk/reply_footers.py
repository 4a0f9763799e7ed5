"""Lines added below a reply when it is sent (after the signature): a layer above the
mail layer (the team's satisfaction ratings) registers a function here when its app is
ready, and the mail layer asks for the footer of each reply it builds, so mail needs
nothing from that layer. A function returns its text or "" for a reply it has nothing
to add to. An imported reply gets nothing: it is history, never sent."""

from __future__ import annotations

from collections.abc import Callable

from calmdesk.desk.models import Message

FooterFunction = Callable[[Message], str]

_FOOTERS: dict[str, FooterFunction] = {}


def register_footer(name: str, footer: FooterFunction) -> None:
    _FOOTERS[name] = footer


def unregister_footer(name: str) -> None:
    _FOOTERS.pop(name, None)


def reply_footer(message: Message) -> str:
    """The text to put below the reply, each part after a blank line ("" for none)."""
    if message.imported_at is not None:
        return ""
    parts = [
        text.strip() for _name, footer in sorted(_FOOTERS.items()) if (text := footer(message))
    ]
    return "".join(f"\n\n{part}" for part in parts if part)
