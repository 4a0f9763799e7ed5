"""Words with their spans, sentences, and the language a text is written in.

Every pattern here is linear: character classes and literal alternations, no nested
quantifiers, so a 1 MB message costs a thousand times a 1 KB one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple


def wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and edit)."""
    return frozenset(words.split())


WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class Word(NamedTuple):
    """A word and its span (a named tuple: created for every word, so kept cheap)."""

    start: int
    end: int
    low: str  # lower-cased, curly apostrophe straightened


def words(text: str) -> list[Word]:
    low = text.lower()
    if len(low) != len(text):  # a few letters change length when lower-cased ("İ")
        return [
            Word(m.start(), m.end(), m.group().lower().replace("’", "'"))
            for m in WORD.finditer(text)
        ]
    if "’" in low:
        low = low.replace("’", "'")
    return [Word(m.start(), m.end(), m.group()) for m in WORD.finditer(low)]


# A sentence ends at . ! ? … (plus closing quotes/brackets) before a space, at a blank
# line, or at a line break followed by a list item.
# Runs are bounded ({1,8}, {0,4}): an unbounded run followed by a failing lookahead would
# be retried from every position of a long "......." line, which is quadratic.
_END = re.compile(
    r"[.!?…]{1,8}[\"'”’)\]]{0,4}(?=\s)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•>]|\d{1,2}[.)])\s)"
)
_ABBREVIATIONS = wordset(
    "e.g i.e mr mrs ms dr st vs approx no nr fig cf jan feb mar apr jun jul aug sep sept "
    "oct nov dec inc ltd co"
)
# Lines longer than this were probably wrapped by a mail client mid-sentence, so a single
# line break after them does not end a sentence (RFC 5322 recommends 78 characters).
WRAPPED_LINE = 60


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each sentence, trimmed of surrounding whitespace."""
    cuts: list[int] = []
    for m in _END.finditer(text):
        if m.group()[0] == ".":
            before = text[max(0, m.start() - 6) : m.start()].rsplit(None, 1)
            word = before[-1].lower() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        cuts.append(m.end())
    cuts.extend(_single_line_breaks(text))
    cuts.sort()
    spans = []
    start = 0
    for cut in [*cuts, len(text)]:
        s, e = _trim(text, start, cut)
        if e > s:
            spans.append((s, e))
        start = cut
    return spans


def _single_line_breaks(text: str) -> list[int]:
    """A lone line break ends a sentence when the line was short (not wrapped) and the
    next line starts with a capital, or when the line ends in a colon."""
    out = []
    pos = text.find("\n")
    line_start = 0
    while pos != -1:
        line = text[line_start:pos].rstrip()
        nxt = text[pos + 1 : pos + 3].lstrip()
        if (
            line
            and nxt
            and (
                (len(line) < WRAPPED_LINE and (nxt[0].isupper() or not line[-1].isalnum()))
                or line.endswith(":")
            )
        ):
            out.append(pos + 1)
        line_start = pos + 1
        pos = text.find("\n", pos + 1)
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- language -------------------------------------------------------------------------
# The most frequent function words of each language (counted from memory of any frequency
# list; they only need to tell languages apart, not rank them).
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": wordset(
        "the and to of a i it is you that in my this for was not have with on be but are "
        "me your can do at so if we they just what there all been from get has why would "
        "how an please thanks thank hi hello still no will when our or am i'm don't it's "
        "can't"
    ),
    "es": wordset(
        "el la de que y en los las por un una es no con para mi su se lo pero muy gracias "
        "hola está esta tengo como más del al yo"
    ),
    "fr": wordset(
        "le la les de des et est un une je pas que qui ne en pour avec mon ma vous nous "
        "merci bonjour ce sur au du il elle mais très"
    ),
    "de": wordset(
        "der die das und ist nicht ich ein eine zu mit es sie wir den dem auf für von "
        "danke hallo bitte mein meine aber noch sich"
    ),
    "it": wordset(
        "il lo la di che e è un una non per con mi ho ciao grazie sono del della le gli "
        "ma anche questo come"
    ),
    "pt": wordset(
        "o a os as de que e é um uma não para com meu minha obrigado olá do da em mas "
        "muito você isso está"
    ),
    "nl": wordset(
        "de het een en is niet ik je van dat op te met voor zijn maar bedankt hallo mijn "
        "wij ook nog er"
    ),
}
SUPPORTED_LANGUAGES = frozenset({"en"})
# Scripts that settle the language on their own (first code point of each block).
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0E00, 0x0E7F, "th"),
    (0x3040, 0x30FF, "ja"),
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7AF, "ko"),
)
# How many letters are sampled to name a script, enough for any real message.
_SCRIPT_SAMPLE = 2000


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, or "und" (undetermined)
    confidence: float


_OTHER_STOPWORDS = frozenset().union(*(s for k, s in _STOPWORDS.items() if k != "en"))
_SCRIPT_RES = tuple((re.compile(f"[{chr(lo)}-{chr(hi)}]"), code) for lo, hi, code in _SCRIPTS)
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
# Function words looked at: the first few hundred settle the language.
_LANGUAGE_SAMPLE_WORDS = 400


def detect_language(text: str, low_words: list[str], low_set: set[str] | None = None) -> Language:
    """Names the language from its script, then from function-word counts."""
    sample = text[:_SCRIPT_SAMPLE]
    if not sample.isascii():
        latin = len(_LATIN.findall(sample))
        best_script, best_n = "und", 0
        for pattern, code in _SCRIPT_RES:
            n = len(pattern.findall(sample))
            if n > best_n:
                best_script, best_n = code, n
        if best_n > latin:
            return Language(best_script, round(best_n / (best_n + latin), 3))
        if latin == 0:
            return Language("und", 0.0)
    elif not low_words:
        return Language("und", 0.0)
    if low_set is not None and len(low_words) <= _LANGUAGE_SAMPLE_WORDS:
        sample_words = low_set
    else:
        sample_words = set(low_words[:_LANGUAGE_SAMPLE_WORDS])
    english = len(_STOPWORDS["en"] & sample_words)
    if english and english >= 2 * len(_OTHER_STOPWORDS & sample_words):
        # Clearly English (the usual case): no need to score every language.
        other = len((_OTHER_STOPWORDS - _STOPWORDS["en"]) & sample_words)
        return Language("en", round(english / (english + other), 3))
    hits = {lang: len(stop & sample_words) for lang, stop in _STOPWORDS.items()}
    best = max(hits.items(), key=lambda kv: (kv[1], kv[0] == "en"))
    total = sum(hits.values())
    if best[1] == 0:
        # Letters but no function word: a code, a name, "ok" — assume English, unsure.
        return Language("en", 0.3)
    return Language(best[0], round(best[1] / total, 3))
