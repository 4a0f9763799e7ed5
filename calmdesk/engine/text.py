"""Words with their spans, sentences, and the language a text is written in.

Every pattern here is linear: character classes and literal alternations, no nested
quantifiers, so a 1 MB message costs a thousand times a 1 KB one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, NamedTuple


def wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and edit)."""
    return frozenset(words.split())


WORD: Final = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


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
# Written to open with one character class, each branch then checking behind what that
# character was: the regex engine skips in C to the candidates (the plain form,
# ``[.!?…]{1,8}[…]{0,4}(?=\s)|\n[ \t]*\n|\n(?=…)``, is tried at every position; a test
# checks the two agree).
_END: Final = re.compile(
    r"[.!?…\n](?:(?<=[.!?…])[.!?…]{0,7}[\"'”’)\]]{0,4}(?=\s)|(?<=\n)[ \t]*\n"
    r"|(?<=\n)(?=[ \t]*(?:[-*•>]|\d{1,2}[.)])\s))"
)
# A character every sentence end needs (``_END`` and a line break both do).
_ANY_END: Final = re.compile("[.!?…\n]")
_ABBREVIATIONS: Final = wordset(
    "e.g i.e mr mrs ms dr st vs approx no nr fig cf jan feb mar apr jun jul aug sep sept "
    "oct nov dec inc ltd co"
)
# Lines longer than this were probably wrapped by a mail client mid-sentence, so a single
# line break after them does not end a sentence (RFC 5322 recommends 78 characters).
WRAPPED_LINE: Final = 60


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each sentence, trimmed of surrounding whitespace."""
    if _ANY_END.search(text) is None:  # nothing can end a sentence: one, or none
        s, e = _trim(text, 0, len(text))
        return [(s, e)] if e > s else []
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
# The most frequent function words of each language, plus the commonest words of a support
# message ("can't", "account", "help"), written from general knowledge of each language.
# They only need to tell languages apart, not rank them: a word two languages share
# ("no", "me", "a", "de") counts for neither (see _DISTINCT).
_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "en": wordset(
        "the and to of a i it is you that in my this for was not have with on be but are "
        "me your can do at so if we they just what there all been from get has why would "
        "how an please thanks thank hi hello still no will when our or am i'm don't it's "
        "can't ok okay yes broken works working help account login issue problem again "
        "cannot won't doesn't isn't didn't any"
    ),
    "es": wordset(
        "el la de que y en los las por un una es no con para mi su se lo pero muy gracias "
        "hola está esta tengo como más del al yo puedo puede pueden cuenta desde ayer "
        "ayuda ayudar necesito funciona hay sí cuando porque también ya estoy tiene "
        "nada todo hacer hace entrar otra vez buenos buenas días"
    ),
    "fr": wordset(
        "le la les de des et est un une je pas que qui ne en pour avec mon ma vous nous "
        "merci bonjour ce sur au du il elle mais très peux peut compte depuis hier aide "
        "aider fonctionne marche plus toujours encore ça cela suis avoir fait rien"
    ),
    "de": wordset(
        "der die das und ist nicht ich ein eine zu mit es sie wir den dem auf für von "
        "danke hallo bitte mein meine aber noch sich kann können konto seit gestern "
        "hilfe funktioniert geht immer wieder schon habe haben kein keine nichts auch "
        "guten tag"
    ),
    "it": wordset(
        "il lo la di che e è un una non per con mi ho ciao grazie sono del della le gli "
        "ma anche questo come posso può account da ieri aiuto aiutare funziona ancora "
        "più niente buongiorno"
    ),
    "pt": wordset(
        "o a os as de que e é um uma não para com meu minha obrigado obrigada olá do da "
        "em mas muito você isso está consigo posso pode conta desde ontem ajuda ajudar "
        "preciso funciona ainda nada bom dia"
    ),
    "nl": wordset(
        "de het een en is niet ik je van dat op te met voor zijn maar bedankt hallo mijn "
        "wij ook nog er kan kunnen sinds gisteren hulp werkt geen"
    ),
}
# Common words of everyday English no listed language writes ("man", "want", "even",
# "over", "war" are left out: German or Dutch words too). Two of them with no other
# language's word make a short line plainly English ("Same here, terrible feeling") without
# asking py3langid; one alone ("South by Southwest" in a Spanish tweet) settles nothing.
_EVERYDAY_EN: Final = wordset(
    "that's what's you're there's i've i'll he she his her him who which about really "
    "like than more now here good great nice got could should did were had them their "
    "these those something never only because going being much make way back know "
    "think people time some out up one by after lol yeah right well off feeling looks"
)
# English words no other listed language has; each other language's words English lacks
# (Spanish, French and Portuguese share many, and each counts for all of them).
_DISTINCT: Final[dict[str, frozenset[str]]] = {
    lang: words_ - frozenset().union(*(w for k, w in _STOPWORDS.items() if k != lang))
    if lang == "en"
    else words_ - _STOPWORDS["en"]
    for lang, words_ in _STOPWORDS.items()
}
# Letters and marks English text almost never has; each found counts as one word of the
# languages that use it ("¿" and "ñ" are Spanish, "ß" German, "ã" Portuguese).
_MARKS: Final[tuple[tuple[str, str], ...]] = (
    ("¿", "es"),
    ("¡", "es"),
    ("ñ", "es"),
    ("ß", "de"),
    ("ä", "de"),
    ("ö", "de"),
    ("ü", "de"),
    ("ã", "pt"),
    ("õ", "pt"),
    ("ç", "fr"),
    ("ç", "pt"),
    ("è", "fr"),
    ("ê", "fr"),
    ("à", "fr"),
    ("ì", "it"),
    ("ò", "it"),
)
SUPPORTED_LANGUAGES: Final = frozenset({"en"})
# Scripts that settle the language on their own (first code point of each block).
_SCRIPTS: Final[tuple[tuple[int, int, str], ...]] = (
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
_SCRIPT_SAMPLE: Final = 2000


@dataclass(frozen=True, init=False)
class Language:
    code: str  # ISO 639-1, or "und" (undetermined)
    confidence: float

    def __init__(self, code: str, confidence: float) -> None:  # written out: see types.py
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "confidence", confidence)


_SCRIPT_RES: Final = tuple(
    (re.compile(f"[{chr(lo)}-{chr(hi)}]"), code) for lo, hi, code in _SCRIPTS
)
_LATIN: Final = re.compile("[A-Za-z\u00c0-\u024f]")
_ANY_SCRIPT: Final = re.compile(
    "[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi, _ in _SCRIPTS) + "]"
)
# Function words looked at: the first few hundred settle the language.
_LANGUAGE_SAMPLE_WORDS: Final = 400


def _rank(hit: tuple[str, int]) -> tuple[int, bool]:
    """Most telling words first; English wins a tie."""
    return (hit[1], hit[0] == "en")


def detect_language(text: str, low_words: list[str], low_set: set[str] | None = None) -> Language:
    """Names the language from its script, then from function-word counts."""
    sample = text[:_SCRIPT_SAMPLE]
    if not sample.isascii():
        if _ANY_SCRIPT.search(sample) is None:  # accents, curly quotes, emoji: Latin text
            if _LATIN.search(sample) is None:
                return Language("und", 0.0)
        else:
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
    if not _DISTINCT_EN.isdisjoint(sample_words) and _OTHER_DISTINCT.isdisjoint(sample_words):
        # Plainly English (the usual case): no need to score every language.
        return Language("en", 1.0)
    hits = {lang: len(words_ & sample_words) for lang, words_ in _DISTINCT.items()}
    if not sample.isascii():
        low_sample = sample.lower()
        for mark, lang in _MARKS:
            if mark in low_sample:
                hits[lang] += 1
    english = hits["en"] + len(_EVERYDAY_EN & sample_words)
    if english >= PLAINLY_ENGLISH_WORDS and english >= PLAINLY_ENGLISH_RATIO * max(
        [n for lang, n in hits.items() if lang != "en"]
    ):
        # "as", "come", "die" are English too: one such word among many English ones
        # leaves the text plainly English.
        return Language("en", 1.0)
    best = max(hits.items(), key=_rank)
    total = sum(hits.values())
    if best[1] == 0:
        # Letters but no telling word: a code, a name, "ok" — assume English, unsure.
        return Language("en", 0.3)
    return Language(best[0], round(best[1] / total, 3))


# English is plain, without asking py3langid, from this many of its telling and everyday
# words when they outnumber every other language's this many times ("I come as soon as I
# can" is English; "Pretty much every dude I've met" too).
PLAINLY_ENGLISH_WORDS: Final = 2
PLAINLY_ENGLISH_RATIO: Final = 3
_OTHER_DISTINCT: Final = frozenset().union(*(w for k, w in _DISTINCT.items() if k != "en"))
_DISTINCT_EN: Final = _DISTINCT["en"]
