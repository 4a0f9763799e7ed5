"""A reply draft as the coach's rules see it (its words, sentences and phrase hits, read
once), and the findings they report, worded from the rule table (``rules.py``)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Final

from calmdesk.engine import cues
from calmdesk.engine.rules import RULES_BY_CODE, message_for
from calmdesk.engine.text import Word, sentence_spans
from calmdesk.engine.types import Finding

# Word prefix length used to match "export"/"exporting" (a light stemmer).
STEM: Final = 5
GREETINGS: Final = frozenset({"hi", "hello", "dear", "hey", "hiya", "morning", "evening"})
# Words after a greeting that are not a name ("Hi there", "Hello again").
NOT_NAMES: Final = frozenset({"there", "team", "all", "everyone", "again", "folks", "friend"})
# An initialism at the end of a sentence ("U.S.", "e.g.").
_INITIALISM: Final = re.compile(r"(?:^|\s)(?:[A-Za-z]\.){2,}$")


class Draft:
    """The draft's text and what every rule reads of it. (A class, not a tuple: compiled,
    its attributes are read as C fields.)"""

    def __init__(
        self,
        text: str,
        ws: list[Word],
        index: cues.PhraseIndex,
        keep: Callable[[list[str], cues.Cue, int, int], bool] | None = None,
    ) -> None:
        self.text = text
        self.ws = ws
        self.lows = [w.low for w in ws]
        self.lowset = frozenset(self.lows)
        self.stems = frozenset(w[:STEM] for w in self.lows)
        self.sents = sentence_spans(text)
        hits = index.find(ws, self.lows)
        # A phrase that means something else in its place ("glad to hear that", "get
        # you to try") is dropped by ``keep``, once, for every rule.
        self.hits = hits if keep is None else [h for h in hits if keep(self.lows, h[0], h[1], h[2])]
        self.labels = frozenset(c.label for c, _, _ in self.hits)
        self._at: dict[str, list[int]] = {}
        self.starts = _sentence_starts(ws, self.sents)
        self.body = _body_start(text, ws)

    def hits_between(self, label: str, i: int, j: int) -> int:
        """How many hits of ``label`` start at words ``i`` to ``j - 1`` (a binary search
        in their positions, listed once per label: never a pass per finding)."""
        at = self._at.get(label)
        if at is None:
            at = [a for c, a, _ in self.hits if c.label == label]
            self._at[label] = at
        return bisect.bisect_left(at, j) - bisect.bisect_left(at, i)

    def sentence_of(self, i: int) -> tuple[int, int]:
        """The sentence around character ``i``."""
        for s, e in self.sents:
            if s <= i < e:
                return (s, e)
        return (i, i)

    def first_sentence(self) -> tuple[int, int]:
        """The first sentence after the greeting ("Hi Vera, the refund…" → "the refund…");
        the greeting itself when there is nothing else."""
        for k, (s, e) in enumerate(self.sents):
            if e > self.body:
                # "Which U.S. based card…" is one sentence: an initialism followed by a
                # word in lower case does not end it.
                if k + 1 < len(self.sents) and _runs_on(self.text, e, self.sents[k + 1][0]):
                    e = self.sents[k + 1][1]
                return (max(s, self.body), e)
        return self.sents[0] if self.sents else (0, len(self.text))


def _runs_on(text: str, end: int, nxt: int) -> bool:
    return (
        text[nxt : nxt + 1].islower()
        and _INITIALISM.search(text, max(0, end - 12), end) is not None
    )


def _sentence_starts(ws: list[Word], sents: list[tuple[int, int]]) -> frozenset[int]:
    """Indexes of the words that open a sentence."""
    out: set[int] = set()
    k = 0
    for s, _ in sents:
        while k < len(ws) and ws[k].start < s:
            k += 1
        if k < len(ws):
            out.add(k)
    return frozenset(out)


def _body_start(text: str, ws: list[Word]) -> int:
    """Where the draft starts after a greeting and the name it greets ("Hi Vera, …")."""
    if not ws or ws[0].low not in GREETINGS:
        return 0
    k = 1
    # The name's words follow one another with nothing but spaces between: "Hi Ashley.
    # Which U.S. card…" greets Ashley alone.
    while (
        k < len(ws)
        and k <= 3
        and text[ws[k].start : ws[k].start + 1].isupper()
        and (k == 1 or not text[ws[k - 1].end : ws[k].start].strip())
    ):
        k += 1
    if k < len(ws) and ws[k].low in NOT_NAMES:
        k += 1
    return ws[k].start if k < len(ws) else 0


class Findings:
    """One check's findings, less the rules switched off. A finding the coach is sure of
    takes its rule's severity; one it is unsure of, the rule's ``unsure`` severity."""

    def __init__(self, off: frozenset[str]) -> None:
        self.off = off
        self.found: list[Finding] = []

    def add(
        self,
        code: str,
        start: int,
        end: int,
        fields: dict[str, str] | None = None,
        variant: str = "",
        sure: bool = True,
    ) -> None:
        if code in self.off:
            return
        rule = RULES_BY_CODE[code]
        message, suggestion = message_for(code, variant)
        if fields:
            message = message.format_map(fields)
            suggestion = suggestion.format_map(fields)
        severity = rule.severity if sure or rule.unsure is None else rule.unsure
        self.found.append(Finding(code, rule.name, severity, start, end, message, suggestion))

    def has(self, code: str) -> bool:
        return any(f.code == code for f in self.found)
