"""Engine spans are ``[start, end)`` in Unicode code points (Python indices). The page
needs them two ways: as highlighted HTML rendered here, and as UTF-16 offsets for the
composer's JavaScript (a browser string counts an emoji as two)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    css: str
    reason: str


def utf16_offsets(text: str, positions: Iterable[int]) -> list[int]:
    """Code-point positions in ``text`` as UTF-16 code-unit positions."""
    wanted = sorted(set(positions))
    found: dict[int, int] = {}
    units = 0
    index = 0
    for position in wanted:
        position = max(0, min(position, len(text)))
        while index < position:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        found[position] = units
    return [found[max(0, min(p, len(text)))] for p in positions]


def highlight(text: str, marks: Sequence[Mark]) -> SafeString:
    """``text`` as HTML with every mark wrapped in ``<mark>``; overlapping marks are cut
    into segments, each carrying the reasons of all the marks over it."""
    valid = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    if not valid:
        return mark_safe(escape(text))
    cuts = sorted({0, len(text), *(m.start for m in valid), *(m.end for m in valid)})
    parts: list[str] = []
    for left, right in itertools.pairwise(cuts):
        piece = escape(text[left:right])
        over = [m for m in valid if m.start <= left and right <= m.end]
        if not over:
            parts.append(piece)
            continue
        css = " ".join(dict.fromkeys(m.css for m in over))
        reason = "; ".join(dict.fromkeys(m.reason for m in over if m.reason))
        parts.append(f'<mark class="{escape(css)}" title="{escape(reason)}">{piece}</mark>')
    return mark_safe("".join(parts))
