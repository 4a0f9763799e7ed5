from __future__ import annotations

import pytest

from calmdesk.empathy.render import render_reading_text
from calmdesk.empathy.spans import Mark, highlight, utf16_offsets


@pytest.mark.parametrize(
    "text,positions,expected",
    [
        ("plain", [0, 2, 5], [0, 2, 5]),
        ("é ok", [0, 1, 4], [0, 1, 4]),  # one code unit in UTF-16 too
        ("🙂 broke it", [1, 2, 7], [2, 3, 8]),  # an emoji is two UTF-16 units
        ("a🙂🙂b", [4, 3], [6, 5]),  # order of the input is kept
        ("", [0, 3], [0, 0]),
    ],
)
def test_utf16_offsets(text, positions, expected) -> None:  # type: ignore[no-untyped-def]
    assert utf16_offsets(text, positions) == expected


def test_highlight_escapes_and_merges_overlaps() -> None:
    html = highlight(
        "<b>down</b> now", [Mark(0, 11, "cue", "angry"), Mark(3, 7, "stake", "outage")]
    )
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert 'class="cue stake" title="angry; outage">down</mark>' in html


def test_highlight_ignores_spans_outside_the_text() -> None:
    assert highlight("short", [Mark(3, 99, "cue", "x")]) == "short"


def test_reading_text_wraps_sentences_by_kind() -> None:
    data = {
        "sentences": [
            {"start": 0, "end": 16, "kind": "emotional"},
            {"start": 17, "end": 35, "kind": "informational"},
        ],
        "tone_spans": [{"start": 0, "end": 15, "tone": "angry", "reason": "cue"}],
        "stakes": [],
        "facts": [{"start": 24, "end": 34, "kind": "error", "text": "ERR_SYNC"}],
    }
    html = render_reading_text("This is useless! Error: ERR_SYNC 42", data)
    assert html.startswith('<span class="sentence emotional"><mark class="cue tone-angry"')
    assert '<span class="sentence informational">' in html
    assert 'title="fact: error"' in html
