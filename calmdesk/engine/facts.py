"""Facts (F2): what the agent must act on, each with its span.

URLs, email addresses, error messages and codes, versions, dates, times, amounts,
durations, product/feature names, the steps the customer took, what they expected
versus what happened, and the questions they asked. Patterns are linear (no nested
quantifiers); the questions and steps come from the sentence pass in ``reading.py``."""

from __future__ import annotations

import bisect
import operator
import re
from datetime import datetime, timedelta
from typing import Final

from calmdesk.engine.text import Word, wordset

# Each pattern runs only when its cheap precondition holds: "digit" (the text has one) or
# literal substrings separated by "|" (any must occur); most messages skip most patterns.
_DIGIT: Final = re.compile(r"\d")
# Every pattern but the rare URL and address ones opens with the class of its first
# character and then looks behind it for the word boundary (``[0-9](?<=\b.)`` rather than
# ``\b[0-9]``): the regex engine skips in C to where that class matches, where a pattern
# opening with ``\b`` is tried at every position (2-3 times slower on a typical message).
# tests/engine/test_facts.py keeps each in its plain ``\b`` form and checks they agree.
_PATTERNS: Final[tuple[tuple[str, re.Pattern[str], str], ...]] = (
    ("url", re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+"), "://|www."),
    # Lengths bounded as RFC 5321 bounds them (local part 64, label 63): an unbounded
    # local part is rescanned from every "." of a long "a.a.a…" line, which is quadratic.
    ("email", re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"), "@"),
    # "Error: could not connect", "Fatal error: …", "TypeError: x is undefined" to the line end.
    (
        "error",
        re.compile(
            r"[A-Zefp](?<=\b.)(?:(?<=[A-Z])[A-Za-z]{0,40}(?:Error|Exception)\b"
            r"|(?<=[Ff])atal [Ee]rror\b|(?<=[Pp])arse [Ee]rror\b|(?<=[Ee])rror\b"
            r"|(?<=E)RROR\b|(?<=W)arning\b)"
            r"[ \t]{0,3}:[^\n\x22“”]{1,200}"
        ),
        "rror|xception|ERROR|Warning",
    ),
    (
        "error_code",
        re.compile(
            r"[A-Zecs0-5](?<=\b.)(?:"
            r"(?:(?<=[Ee])rror|(?<=[Cc])ode|(?<=H)TTP|(?<=[Ss])tatus)[ \t]{0,3}"
            r"(?:code[ \t]{0,3})?[#:]?[ \t]{0,3}[A-Z]{0,4}-?\d{2,6}\b"
            r"|(?<=[1-5])\d\d[ \t]{1,3}(?:error|[A-Z][a-z]{1,20} [A-Z][a-z]{1,20})\b"
            r"|(?<=0)x[0-9A-Fa-f]{4,16}\b"
            r"|(?<=[A-Z])[A-Z]{0,4}-?\d{3,6}\b)"
        ),
        "digit:0x|rror|ode|HTTP|tatus|###",
    ),
    (
        "amount",
        re.compile(
            r"[$€£¥\d](?:(?<=[$€£¥])[ \t]?\d[\d,]{0,15}(?:\.\d{1,2})?\b"
            r"|(?<=\b\d)[\d,]{0,15}(?:\.\d{1,2})?[ \t]?"
            r"(?:USD|EUR|GBP|dollars|euros|pounds|bucks)\b)"
        ),
        "digit:$|€|£|¥|USD|EUR|GBP|dollars|euros|pounds|bucks",
    ),
    (
        "version",
        re.compile(
            r"[vV\d](?<![\w.].)(?:(?<=[vV])\d{1,4}|(?<=\d)\d{0,3})"
            r"(?:\.\d{1,4}){1,3}(?:-[A-Za-z0-9]{1,12})?(?![\w.]\d)"
        ),
        "digit:.",
    ),
    (
        "version",
        re.compile(r"[Vv](?<=\b.)ersion[ \t]{1,3}\d{1,4}(?:\.\d{1,4}){0,3}\b"),
        "digit:ersion",
    ),
    (
        "date",
        re.compile(r"\d(?<=\b\d)(?:\d{3}-\d{2}-\d{2}\b|\d?/\d{1,2}(?:/\d{2,4})?\b)"),
        "digit:-|/",
    ),
    (
        "date",
        re.compile(
            r"[JjFfMmAaSsOoNnDd\d](?<=\b.)(?:"
            r"(?:(?<=[Jj])an(?:uary)?|(?<=[Ff])eb(?:ruary)?|(?<=[Mm])ar(?:ch)?"
            r"|(?<=[Aa])pr(?:il)?|(?<=[Mm])ay|(?<=[Jj])une?|(?<=[Jj])uly?"
            r"|(?<=[Aa])ug(?:ust)?|(?<=[Ss])ep(?:t|tember)?|(?<=[Oo])ct(?:ober)?"
            r"|(?<=[Nn])ov(?:ember)?|(?<=[Dd])ec(?:ember)?)"
            r"\.?[ \t]{1,3}\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]{1,3}\d{4})?\b"
            r"|(?<=\d)\d?(?:st|nd|rd|th)?[ \t]{1,3}(?:of[ \t]{1,3})?"
            r"(?:January|February|March|April|June|July|August|September|October|November"
            r"|December)(?:[ \t]{1,3}\d{4})?\b)"
        ),
        "digit:Jan|jan|Feb|feb|Mar|mar|Apr|apr|May|may|Jun|jun|Jul|jul|Aug|aug|Sep|sep|Oct|oct"
        "|Nov|nov|Dec|dec",
    ),
    (
        "time",
        re.compile(r"\d(?<=\b\d)(?:\d?:\d{2}(?:[ \t]?[AaPp]\.?[Mm]\.?)?|\d?[ \t]?[AaPp][Mm]\b)"),
        "digit::|am|aM|Am|AM|pm|pM|Pm|PM",
    ),
    (
        "duration",
        re.compile(
            r"[\daotfsen](?<=\b.)(?:(?<=\d)\d{0,3}|(?<=a)n?|(?<=o)ne|(?<=t)wo|(?<=t)hree"
            r"|(?<=f)our|(?<=f)ive|(?<=s)ix|(?<=s)even|(?<=e)ight|(?<=n)ine|(?<=t)en"
            r"|(?<=s)everal|(?<=f)ew)"
            r"[ \t]{1,3}(?:minutes?|hours?|days?|weeks?|months?|years?)\b"
        ),
        " minute|\tminute| hour|\thour| day|\tday| week|\tweek| month|\tmonth| year|\tyear",
    ),
)

# What each pattern needs before it is worth a search, the last field of _PATTERNS:
# "digit" a digit; "a|b" one of these strings (substring tests, fast in C, where a regex
# scan of a pattern that opens with ``\b`` tries every position); "digit:a|b" both; "###"
# among the strings stands for three digits in a row. Each is a condition every match
# of its pattern meets, so skipping a pattern never loses a fact.
_THREE_DIGITS: Final = re.compile(r"\d\d\d")


def _parse_needs(needs: str) -> tuple[bool, tuple[str, ...]]:
    digit, _, literals = needs.partition(":") if needs.startswith("digit") else ("", "", needs)
    return digit == "digit", tuple(literals.split("|")) if literals else ()


_NEEDS: Final = tuple(_parse_needs(needs) for _, _, needs in _PATTERNS)
# The strings of the patterns that need no digit: a text with no digit and none of these
# has no pattern fact.
_NEED_LITERALS: Final = tuple(
    literal for digit, literals in _NEEDS if not digit for literal in literals
)


def _has_any(text: str, literals: tuple[str, ...]) -> bool:
    for literal in literals:
        if literal == "###":
            if _THREE_DIGITS.search(text) is not None:
                return True
        elif literal in text:
            return True
    return False


# Enough for any real message; a pasted log stops here instead of listing every line.
MAX_PATTERN_FACTS: Final = 500

_WEEKDAY: Final = {
    d: i
    for i, d in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_RELATIVE_DAYS: Final = {"today": 0, "yesterday": -1, "tomorrow": 1, "tonight": 0}
_NUMBERS: Final = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_UNIT_DAYS: Final = {"day": 1, "days": 1, "week": 7, "weeks": 7}

# Capitalised words that are not names of products or features.
_NOT_NAMES: Final = wordset(
    "i i'm i've i'd i'll the a an and but or so hi hello hey dear thanks thank please "
    "monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december ok okay yes no "
    "my we our you your it this that when if then also just still why what how where "
    "can could would should is are was were do does did not sorry regards best cheers "
    "team support sir madam"
)


# A name run just before one of these is a named day ("Black Friday"), not a product.
_DAY_AND_MONTH_NAMES: Final = wordset(
    "monday tuesday wednesday thursday friday saturday sunday january february march "
    "april june july august september october november december"
)


def find_pattern_facts(text: str, has_digit: bool | None = None) -> list[tuple[str, int, int]]:
    """(kind, start, end) for every pattern fact, overlapping matches of a later kind
    dropped (a URL's digits are not also a version). ``has_digit``: whether ``text`` has
    a digit, when the caller knows."""
    found: list[tuple[str, int, int]] = []
    taken_starts: list[int] = []  # kept sorted; spans taken never overlap
    taken_ends: list[int] = []
    if has_digit is None:
        has_digit = _DIGIT.search(text) is not None
    if not has_digit and not any(literal in text for literal in _NEED_LITERALS):
        return found  # most short messages: no digit and no literal any pattern needs
    for n in range(len(_PATTERNS)):
        kind, pattern, _ = _PATTERNS[n]
        needs_digit, literals = _NEEDS[n]
        if (needs_digit and not has_digit) or (literals and not _has_any(text, literals)):
            continue
        for m in pattern.finditer(text):
            s, e = m.span()
            if kind == "url":
                while e > s and text[e - 1] in ".,;:!?":
                    e -= 1
            k = bisect.bisect_right(taken_starts, s)
            if (k > 0 and taken_ends[k - 1] > s) or (k < len(taken_starts) and taken_starts[k] < e):
                continue
            found.append((kind, s, e))
            taken_starts.insert(k, s)
            taken_ends.insert(k, e)
            if len(found) >= MAX_PATTERN_FACTS:
                break
    found.sort(key=_START)
    return found


_START: Final = operator.itemgetter(1)  # a found pattern fact's start


def find_names(text: str, ws: list[Word], sentence_starts: set[int]) -> list[tuple[int, int]]:
    """Product or feature names: CamelCase words, or capitalised words not opening a
    sentence (runs of them joined: "Google Calendar")."""
    out: list[tuple[int, int]] = []
    if text == text.lower():
        return out  # no capital letter, so no name (and no CamelCase)
    run: tuple[int, int] | None = None
    prev_end = -2
    for w in ws:
        if w.low == text[w.start : w.end]:
            # No capital letter: not a name, and it ends any run (as a name-less word).
            if run is not None:
                out.append(run)
                run = None
            continue
        first = text[w.start]
        is_name = False
        maybe = first.isupper() or (w.end - w.start > 1 and first.islower())
        if maybe and w.low not in _NOT_NAMES:
            token = text[w.start : w.end]
            camel = _is_camel(token)
            is_name = camel or (
                first.isupper() and w.start not in sentence_starts and not token.isupper()
            )
        if (
            not is_name
            and run is not None
            and w.low in _DAY_AND_MONTH_NAMES
            and text[prev_end : w.start] == " "
        ):
            run = None  # "Black Friday", "Cyber Monday": a day, not a product
        if is_name:
            if run is not None and text[prev_end : w.start] == " ":
                run = (run[0], w.end)
            else:
                if run is not None:
                    out.append(run)
                run = (w.start, w.end)
            prev_end = w.end
        elif run is not None:
            out.append(run)
            run = None
    if run is not None:
        out.append(run)
    return out


def _is_camel(token: str) -> bool:
    rest = token[1:]
    return rest != rest.lower() and token != token.upper()


def resolve_date(phrase: str, received_at: datetime | None) -> str:
    """An ISO date for "yesterday", "since Monday", "two days ago" (or "" if unknown)."""
    if received_at is None:
        return ""
    base = received_at.date()
    words = phrase.lower().split()
    if not words:
        return ""
    if words[-1] in _RELATIVE_DAYS:
        return (base + timedelta(days=_RELATIVE_DAYS[words[-1]])).isoformat()
    if words[-1] in _WEEKDAY:  # the most recent such day before the message
        back = (base.weekday() - _WEEKDAY[words[-1]]) % 7 or 7
        return (base - timedelta(days=back)).isoformat()
    if len(words) >= 3 and words[-1] == "ago" and words[-2] in _UNIT_DAYS:
        n = _NUMBERS.get(words[-3]) or (int(words[-3]) if words[-3].isdigit() else 0)
        if n:
            return (base - timedelta(days=n * _UNIT_DAYS[words[-2]])).isoformat()
    return ""


_DATE_WORDS: Final = frozenset(_WEEKDAY) | frozenset(_RELATIVE_DAYS) | {"ago"}
_BEFORE_WEEKDAY: Final = frozenset({"since", "last", "on", "this", "next"})
_AGO_UNITS: Final = frozenset({"day", "days", "week", "weeks"})
_AGO_NUMBERS: Final = frozenset(_NUMBERS) | {str(i) for i in range(1, 1000)}


def find_relative_dates(
    text: str, ws: list[Word], received_at: datetime | None, lowset: set[str] | None = None
) -> list[tuple[int, int, str]]:
    """ "since Monday", "yesterday", "two days ago": (start, end, ISO date or ""). Word by
    word (a set lookup each), not a case-insensitive regex over the text."""
    out: list[tuple[int, int, str]] = []
    if _DATE_WORDS.isdisjoint(lowset if lowset is not None else [w.low for w in ws]):
        return out
    for k, w in enumerate(ws):
        low = w.low
        if low not in _DATE_WORDS:
            continue
        first = k
        if low == "ago":
            if k < 2 or ws[k - 1].low not in _AGO_UNITS or ws[k - 2].low not in _AGO_NUMBERS:
                continue
            first = k - 2
        elif low in _WEEKDAY and k > 0 and ws[k - 1].low in _BEFORE_WEEKDAY:
            first = k - 1
        s, e = ws[first].start, w.end
        out.append((s, e, resolve_date(text[s:e], received_at)))
        if len(out) >= MAX_PATTERN_FACTS:
            break
    return out
