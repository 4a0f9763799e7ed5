"""The part of a reply its author wrote, for the text the engine reads (the stored
original keeps everything for "show quoted text"). The rules live in the engine's
stripper, the one the whole project uses; these are the mail side's two views of it."""

from __future__ import annotations

from calmdesk.engine import strip_quotes_and_signature

# How much of a message the engine reads: the longest real support mails in the shared
# sets are a few thousand characters; a pasted log is not the customer's words. Quotes
# and signatures are looked for in a little more, so the cut rarely lands in a quote.
# (The mail ingest and the importer both read so.)
ANALYSED_CHARS = 20_000
QUOTE_SCAN_CHARS = 100_000


def strip_quotes(text: str) -> str:
    """Quoted history removed; a signature stays."""
    return strip_quotes_and_signature(text, signature=False).text.strip()


def reply_text(text: str) -> str:
    """The newly written part of a message: quoted history, then a signature, removed.
    If that leaves nothing (a top-quoted forward, say), the whole text is returned."""
    return strip_quotes_and_signature(text).text.strip() or text.strip()


def analysed_text(text: str) -> str:
    """The part of a message's text the engine reads (the stored body keeps everything)."""
    return reply_text(text[:QUOTE_SCAN_CHARS])[:ANALYSED_CHARS]
