"""The text that matched a search, escaped, with each match in <mark>. Matching follows
the index: case and accents do not count (FTS5's remove_diacritics, PostgreSQL's
unaccented split), a word matches whole unless it ends with *, a phrase matches its
words in order with anything but letters and digits between."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from calmdesk.desk.filters import Query

SNIPPET = 200  # characters shown around the first match
LEAD = 60  # of which before it, so the match reads in its sentence
WORD_CUT = 30  # a word longer than this at the end is cut, not dropped
_EDGE_BEFORE = r"(?<![^\W_])"
_EDGE_AFTER = r"(?![^\W_])"


def _fold(text: str) -> str:
    """Each character without its accents, one for one, so positions stay those of
    ``text`` ("é" -> "e"; a character that does not decompose stays as it is)."""
    if text.isascii():
        return text
    return "".join(unicodedata.normalize("NFD", ch)[0] for ch in text)


def pattern_of(query: Query) -> re.Pattern[str] | None:
    """One pattern for every word and phrase, to run on ``_fold``-ed text (so the
    words are folded too)."""
    terms = [
        re.escape(_fold(w.text)) + (r"[^\W_]*" if w.prefix else _EDGE_AFTER) for w in query.words
    ]
    terms += [
        r"[\W_]+".join(re.escape(_fold(word)) for word in phrase) + _EDGE_AFTER
        for phrase in query.phrases
    ]
    if not terms:
        return None
    # Longest first, so "charged twice" is marked whole rather than as "charged".
    terms.sort(key=len, reverse=True)
    return re.compile(_EDGE_BEFORE + "(?:" + "|".join(terms) + ")", re.IGNORECASE)


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    out, at = [], 0
    for start, end in spans:
        out += [escape(text[at:start]), "<mark>", escape(text[start:end]), "</mark>"]
        at = end
    out.append(escape(text[at:]))
    # Safe: every piece of the text went through escape() above.
    return mark_safe("".join(out))


def _spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(_fold(text))] if pattern is not None else []


def mark_matches(text: str, query: Query) -> SafeString:
    return _marked(text, _spans(text, pattern_of(query)))


def snippet_of(body: str, query: Query) -> SafeString:
    """About SNIPPET characters of ``body`` around its first match (its start when the
    match was in the subject or the customer's name), the matches marked."""
    text = " ".join(body.split())
    pattern = pattern_of(query)
    first = pattern.search(_fold(text)) if pattern is not None else None
    start, match_end = 0, 0
    if first is not None:
        match_end = first.end()
        if first.start() > LEAD:
            # Start at a word, about LEAD characters before the match.
            space = text.find(" ", first.start() - LEAD, first.start())
            start = space + 1 if space != -1 else first.start() - LEAD
    end = max(start + SNIPPET, match_end)
    if end < len(text):
        # End at a word, unless that word is a long one (a URL): then cut it.
        space = text.rfind(" ", max(start, match_end), end)
        end = space if space != -1 and end - space < WORD_CUT else end
    window = text[start:end]
    marked = _marked(window, _spans(window, pattern))
    return format_html("{}{}{}", "… " if start else "", marked, " …" if end < len(text) else "")
