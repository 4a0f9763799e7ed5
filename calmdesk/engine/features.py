"""Text → model terms. Training (``train.py``) and inference (``model.py``) share this
module, so the words a weight was learned for are the words it is looked up by."""

from __future__ import annotations

import itertools
import math
import re
from typing import Final

from calmdesk.engine.text import Word

# Words (letters/digits, with inner apostrophes), "!" and "?" runs, and single emoji.
# No nested quantifiers: each alternative consumes characters deterministically.
_TERM: Final = re.compile(
    r"[^\W_]+(?:['’][^\W_]+)*|!+|\?+|[\U0001F300-\U0001FAFF\u2600-\u27BF]",
)
# The same tokens in ASCII text (where the Unicode classes above mean exactly these).
_ASCII_TERM: Final = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*|!+|\?+")
# GoEmotions masks names and religions as [NAME] / [RELIGION]; our messages have real
# names. Collapse both to the same placeholder token so neither leaks into the weights.
_MASK: Final = re.compile(r"\[(?:NAME|RELIGION)\]")
NAME_TOKEN: Final = "name"
# Bigrams that cross a sentence end carry little; still cheap, so kept (as in the baseline).
MAX_TERMS: Final = 4000  # caps work on very long texts; the model reads the first 4,000 words


def tokens(text: str) -> list[str]:
    """Lower-cased model tokens; "!!!" becomes "!" (its length is a cue, not a word)."""
    text = _MASK.sub(NAME_TOKEN, text)
    out = _TERM.findall(text.lower())
    if len(out) > MAX_TERMS:
        out = out[:MAX_TERMS]
    return [t[0] if t[0] in "!?" else t.replace("’", "'") for t in out]


def token_words(text: str) -> list[Word]:
    """``token_spans`` as ``Word`` tuples (start, end, low), punctuation and emoji
    included: one object per token, shared by the model, the cues and the facts."""
    low = text.lower()
    if len(low) != len(text):
        return [Word(s, e, t) for s, e, t in token_spans(text)]
    # Most mail is ASCII, where the same tokens come from a plain character class: the
    # Unicode one asks each character's category, which costs most of the tokenizing.
    pattern = _ASCII_TERM if low.isascii() else _TERM
    if "’" in low:
        low = low.replace("’", "'")
    # ``findall`` makes the token strings in C; each one's span is the next place it
    # occurs (what lies between two tokens can hold no token, so it is never earlier).
    # ``tuple.__new__`` builds each Word in C, not through NamedTuple's Python __new__.
    new = tuple.__new__
    out: list[Word] = []
    pos = 0
    for tok in pattern.findall(low):
        start = low.find(tok, pos)
        pos = start + len(tok)
        out.append(new(Word, (start, pos, tok)))
    if "!!" in low or "??" in low:  # runs of "!" or "?" read as one mark
        out = [w if w.low[0] not in "!?" else Word(w.start, w.end, w.low[0]) for w in out]
    return out


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """The same tokens as ``tokens`` (bar the GoEmotions [NAME] mask, which real messages
    don't have), each with its span in ``text``: one pass serves the model, the cues and
    the facts."""
    low = text.lower()
    if len(low) != len(text):  # a few letters change length when lower-cased ("İ")
        return [(m.start(), m.end(), _norm(m.group().lower())) for m in _TERM.finditer(text)]
    if "’" in low:
        low = low.replace("’", "'")
    return [
        (m.start(), m.end(), t if t[0] not in "!?" else t[0])
        for m in _TERM.finditer(low)
        for t in (m.group(),)
    ]


def _norm(t: str) -> str:
    return t[0] if t[0] in "!?" else t.replace("’", "'")


# Words longer than this also give their first letters as a term ("annoy~" for annoyed,
# annoying, annoyance): a poor man's stemmer that lets rare forms share evidence. Five
# letters gained 0.004 Ekman macro-F1 on GoEmotions (dev-chosen threshold, test split).
PREFIX: Final = 5


def terms(toks: list[str]) -> list[str]:
    """Unigrams, bigrams ("not good" is a term of its own, which handles most negation)
    and the prefixes of long words."""
    out = list(toks)
    out.extend([f"{a} {b}" for a, b in itertools.pairwise(toks)])
    out.extend([t[:PREFIX] + "~" for t in toks if len(t) > PREFIX + 1])
    return out


# round4's shortcut holds where x·10⁴ is this far from a tie (its error is ~10⁻¹²).
_TIE_MARGIN: Final = 1e-6


def round4(x: float) -> float:
    """``round(x, 4)``, the same float, without its decimal conversion (a tenth of the
    cost; it runs a dozen times a reading). For 0 ≤ x < 10⁶ away from a tie, the nearest
    of ⌊x·10⁴⌋ and ⌈x·10⁴⌉ divided by 10⁴ is what ``round`` returns: both are the double
    nearest to the same decimal, as division is correctly rounded. Near a tie, or out of
    that range, ``round`` itself decides. ``round`` is symmetric, so a negative score is
    its opposite's rounding negated."""
    if x < 0.0 and x > -1e6:
        return -round4(-x)
    if not 0.0 <= x < 1e6:
        return round(x, 4)
    y = x * 10000.0
    k = math.floor(y)
    f = y - k
    if abs(f - 0.5) < _TIE_MARGIN:
        return round(x, 4)
    return (k + 1 if f > 0.5 else k) / 10000.0
