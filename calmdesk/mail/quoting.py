"""The part of a reply its author wrote, for the text the engine reads (the stored
original keeps everything for "show quoted text"). The rules live in the engine's
stripper, the one the whole project uses; these are the mail side's two views of it."""

from __future__ import annotations

from calmdesk.engine import strip_quotes_and_signature


def strip_quotes(text: str) -> str:
    """Quoted history removed; a signature stays."""
    return strip_quotes_and_signature(text, signature=False).text.strip()


def reply_text(text: str) -> str:
    """The newly written part of a message: quoted history, then a signature, removed.
    If that leaves nothing (a top-quoted forward, say), the whole text is returned."""
    return strip_quotes_and_signature(text).text.strip() or text.strip()
