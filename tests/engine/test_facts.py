"""The pattern facts' preconditions: every match of a pattern meets its pattern's needs,
so skipping a pattern whose needs the text lacks never loses a fact."""

from __future__ import annotations

import pytest

from calmdesk.engine import facts

SAMPLES = [
    "$12.50 and 12 USD, 1,200 euros, €5, £3, ¥9, 40 bucks",
    "v4.2.1 then version 3 and 10.0.19045-beta",
    "2026-01-02, 3/4/26, 12/31, Mar 5, 5th of March, May 3rd, Sept. 14, 2025",
    "10:30 am, 5pm, 5 PM, 11:15, 7 a.m.",
    "2 days, an hour, a\tweek, several months, 3 years, ten minutes",
    "Error 500, HTTP 404, status: 503, code #1234, 0xDEADBEEF, CD-1234, ABC123",
    "503 Service Unavailable, 404 error",
    "TypeError: x is undefined\nERROR: disk full\nWarning: low memory\nFatal error: boom",
    "write to a.b+c@mail.example.co.uk or see https://x.y/z?q=1. Also www.a.b",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_match_meets_its_patterns_needs(sample: str) -> None:
    matched = 0
    for (kind, pattern, _), (needs_digit, literals) in zip(
        facts._PATTERNS, facts._NEEDS, strict=True
    ):
        for m in pattern.finditer(sample):
            matched += 1
            found = m.group()
            assert not needs_digit or facts._DIGIT.search(found), (kind, found)
            assert not literals or facts._has_any(found, literals), (kind, found)
    assert matched


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("It costs $12.50 since 2026-01-02 at 10:30 am", ["amount", "date", "time"]),
        ("Running v4.2.1 for 2 days", ["version", "duration"]),
        ("Thanks Maria, see you on Monday", []),
        ("HTTP 404 on https://example.com/x", ["error_code", "url"]),
    ],
)
def test_pattern_facts_found(text: str, kinds: list[str]) -> None:
    assert sorted(k for k, _, _ in facts.find_pattern_facts(text)) == sorted(kinds)
