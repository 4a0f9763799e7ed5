"""The pattern facts: each fast pattern finds what its plain form finds, and every match
meets its pattern's needs, so skipping a pattern whose needs the text lacks never loses a
fact."""

from __future__ import annotations

import random
import re

import pytest

from calmdesk.engine import facts, read_message

# The patterns as they read best, opening with ``\b``: the reference the fast ones in
# facts.py (which open with a character class and look behind for the boundary) must equal.
PLAIN = {
    "error": r"(?:\b[A-Z][A-Za-z]{0,40}(?:Error|Exception)\b|\b(?:[Ff]atal |[Pp]arse )?[Ee]rror\b"
    r"|\bERROR\b|\bWarning\b)[ \t]{0,3}:[^\n\x22“”]{1,200}",
    "error_code": r"\b(?:[Ee]rror|[Cc]ode|HTTP|[Ss]tatus)[ \t]{0,3}(?:code[ \t]{0,3})?[#:]?"
    r"[ \t]{0,3}[A-Z]{0,4}-?\d{2,6}\b|\b[1-5]\d\d[ \t]{1,3}(?:error|[A-Z][a-z]{1,20} "
    r"[A-Z][a-z]{1,20})\b|\b0x[0-9A-Fa-f]{4,16}\b|\b[A-Z]{1,5}-?\d{3,6}\b",
    "amount": r"[$€£¥][ \t]?\d[\d,]{0,15}(?:\.\d{1,2})?\b|\b\d[\d,]{0,15}(?:\.\d{1,2})?[ \t]?"
    r"(?:USD|EUR|GBP|dollars|euros|pounds|bucks)\b",
    "version": r"(?<![\w.])[vV]?\d{1,4}(?:\.\d{1,4}){1,3}(?:-[A-Za-z0-9]{1,12})?(?![\w.]\d)",
    "version_word": r"\b[Vv]ersion[ \t]{1,3}\d{1,4}(?:\.\d{1,4}){0,3}\b",
    "date": r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    "date_month": r"\b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay"
    r"|[Jj]une?|[Jj]uly?|[Aa]ug(?:ust)?|[Ss]ep(?:t|tember)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?"
    r"|[Dd]ec(?:ember)?)\.?[ \t]{1,3}\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]{1,3}\d{4})?\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?[ \t]{1,3}(?:of[ \t]{1,3})?(?:January|February|March|April"
    r"|June|July|August|September|October|November|December)(?:[ \t]{1,3}\d{4})?\b",
    "time": r"\b\d{1,2}:\d{2}(?:[ \t]?[AaPp]\.?[Mm]\.?)?|\b\d{1,2}[ \t]?[AaPp][Mm]\b",
    "duration": r"\b(?:\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|several"
    r"|few)[ \t]{1,3}(?:minutes?|hours?|days?|weeks?|months?|years?)\b",
}
# The fast patterns in the order of facts._PATTERNS (after the URL and address ones).
ORDER = [
    "error",
    "error_code",
    "amount",
    "version",
    "version_word",
    "date",
    "date_month",
    "time",
    "duration",
]
# Pieces the random texts are built from: what the patterns look for, and their edges.
PIECES = [
    "Error",
    "error",
    "ERROR",
    "Warning",
    "TypeError",
    "Fatal",
    "Parse",
    "code",
    "Code",
    "HTTP",
    "Status",
    "status",
    "0x1F2E3D4C",
    "CD-1234",
    "404",
    "503",
    "Service",
    "Unavailable",
    "Jan",
    "January",
    "Sept.",
    "May",
    "June",
    "July",
    "of",
    "March",
    "12th",
    "$",
    "€",
    "USD",
    "dollars",
    "v4.2.1",
    "V10.0",
    "version",
    "2026-01-02",
    "3/4/26",
    "10:30",
    "am",
    "p.m.",
    "PM",
    "two",
    "seven",
    "several",
    "few",
    "a",
    "an",
    "minutes",
    "hour",
    "days",
    "x_y",
    "é",
    "1,200.50",
    ":",
    "-",
    ".",
    "/",
    "0",
    "7",
    "99",
    "\n",
    " ",
    "\t",
    "  ",
]


@pytest.mark.parametrize("name", ORDER)
def test_fast_pattern_finds_what_the_plain_one_finds(name: str) -> None:
    fast = facts._PATTERNS[2 + ORDER.index(name)][1]
    plain = re.compile(PLAIN[name])
    rng = random.Random(name)
    for _ in range(4000):
        text = "".join(
            rng.choice(PIECES) + rng.choice(("", " ", ":", ".", "-", "  "))
            for _ in range(rng.randrange(1, 7))
        )
        assert [m.span() for m in fast.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], text


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


@pytest.mark.parametrize(
    "text,names",
    [
        ("Our Black Friday sale starts tomorrow and checkout is down.", []),
        ("Since Cyber Monday the Google Calendar sync fails.", ["Google Calendar"]),
        ("I open Google Calendar on Friday.", ["Google Calendar"]),
    ],
)
def test_a_named_day_is_not_a_product_name(text: str, names: list[str]) -> None:
    reading = read_message(text)
    assert [f.text for f in reading.facts if f.kind == "name"] == names
