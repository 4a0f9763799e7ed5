"""Sentiment and complaint of a customer message, beside its tone.

Tone is the emotion; sentiment is how the customer stands towards what happened, and a
complaint is their report that something failed, went wrong or was not done, even
calmly: "the export stops at row 1,204" is negative, a complaint, neutral in tone.

Two kinds of evidence, each shown with spans and a reason:

- a learned head (``data/sentiment.npz``, trained by ``calmdesk engine train``) over the
  tone model's terms, so a reading reuses the terms it already looked up: negative /
  neutral / positive, from GoEmotions' sentiment grouping and the UCI review sentences;
- support cues (``cues.COMPLAINT_CUES`` and the tone cues of waiting, repetition, broken
  promises…), which catch what a model of Reddit comments and reviews misses: "still not
  working", "I've attached screenshots. Again.", "Fine. I'll wait for the engineer.",
  "Thanks a lot for breaking my site. Great job."

Three adjustments of the model's voice, each with the words that caused it
(``Feeling.sentiment_spans``):

- unknown words dilute it: a word the tone vocabulary lacks (a product name, a handle, a
  hashtag) counts in the TF-IDF norm as a term of weight ``UNKNOWN_WORD_WEIGHT``, so a
  tweet of names and one known word ("@TheZeroOfTime #microsoft") is not read as surely
  as a sentence of known words (the model learned from Reddit, where most words are known);
- exclamation marks raise it, as VADER's do (up to three);
- a negated problem word is no problem ("I haven't had any problems", "won't disappoint"),
  VADER's negation scope applied to the cues.

A complaint reads negative unless the positive evidence is strong ("Love it! The only
issue is the cable"): then the balance decides, and the complaint stays reported.

The negative line (``NEGATIVE_AT``) is chosen by ``calmdesk bench engine --support-only``
on the support sets and GoEmotions' dev split together; the bench reports each set with
the line chosen without it (leave-one-source-out)."""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from calmdesk.engine import cues, model
from calmdesk.engine.cues import CLEAR, HINT, LIKELY, STRONG
from calmdesk.engine.features import MAX_TERMS, PREFIX, round4, token_words
from calmdesk.engine.native import ENGINE_DIR
from calmdesk.engine.text import Word, wordset
from calmdesk.engine.types import ComplaintSpan, Sentiment

# The source folder's, also when this module runs compiled from the build folder.
SENTIMENT_FILE: Final[Path] = ENGINE_DIR / "data" / "sentiment.npz"
SHIPPED_HEAD: Final = "sentiment"
WITHOUT_UCI: Final = "sentiment_without_uci"  # the bench's, for the UCI figure
NEGATIVE: Final = 0  # class order in the file: negative, neutral, positive
POSITIVE: Final = 2

# A message is negative when its score (positive minus negative evidence, -1…1) is at
# most this, positive from POSITIVE_FROM. NEGATIVE_AT is what ``calmdesk bench engine
# --support-only --sample 1500`` picks on all the support sets and GoEmotions dev together
# (``sentiment_negative_at_all_sets``, negative-vs-not macro-F1; engine 2.4); the bench
# reports each set with the line picked without it. POSITIVE_FROM is set by hand, so
# that thanks with a question still read positive and a bare "ok" neutral.
NEGATIVE_AT: Final = -0.4
POSITIVE_FROM: Final = 0.3
# The model's share in the complaint score: a message the model reads as surely negative
# (1.0) with no cue at all scores this much; one cue of failure adds the rest.
MODEL_SHARE: Final = 0.55
# A complaint from this score (the midpoint of 0–1, as for tones).
COMPLAINT_AT: Final = 0.5
# Problems told before "works now", "sorted", "that worked" keep this share of weight.
RESOLVED_DAMPING: Final = 0.3
# Without weights, the model's voice is an uninformative prior for both ends.
NO_MODEL_PRIOR: Final = 0.2
MAX_COMPLAINT_SPANS: Final = 20
# An unknown word's weight in the TF-IDF norm the sentiment head's terms are divided by
# (known terms weigh their idf, at most 10.6): chosen on the rows of the support sets the
# bench's seeded sample leaves out (docs/engine.md), as 15 and 30 read them (30 better).
UNKNOWN_WORD_WEIGHT: Final = 30.0
MAX_UNKNOWN_SPANS: Final = 5  # unknown words shown as the reason of the dilution
# Each "!" (up to three) raises the model's voice by this share, as VADER's marks do.
EXCLAMATION_GAIN: Final = 0.1
MAX_EXCLAMATIONS: Final = 3
# A complaint reads negative unless the positive evidence (model and happy faces) reaches
# this: "Love it! The only issue is the cable" is a complaint of a pleased customer. Not
# when the complaint is one of these reasons, whose words are positive on purpose:
# "Fine. I'll wait", "I appreciate the answer, but I need…", "Great job."
POSITIVE_OUTWEIGHS: Final = 0.5
DISGUISED: Final = frozenset({"resignation", "polite but upset", "sarcasm", "terse pressure"})
CONTRAST: Final = frozenset({"but", "however"})
# "never had any problems", "won't disappoint": a negator this many words before a problem
# word, in its clause, takes the problem (and the negator's own cue) away ("haven't had
# a single issue" is four).
NEGATION_SCOPE: Final = 4
NEGATABLE: Final = wordset(
    "problem problems issue issues error errors complaint complaints complain "
    "disappointed disappointing disappoint disappoints wrong fail failed fails failure "
    "regret regrets worry worries trouble troubles glitch glitches bug bugs hassle"
)
NEGATING: Final = wordset("not no never without zero nothing hardly none")
_CLAUSE_END: Final = frozenset(".,;:!?\n")
MODEL_COMPLAINT_SPANS: Final = 2  # terms shown when the model alone makes the complaint
MIN_TERM_CONTRIBUTION: Final = 0.1

# Tone cues whose reason is itself a complaint, and the complaint reason they give.
TONE_REASONS: Final[dict[str, str]] = {
    "waiting": "waiting",
    "repetition": "repeated contact",
    "broken promise": "broken promise",
    "money": "money",
    "cancellation": "cancellation",
    "escalation": "escalation",
    "sarcasm": "sarcasm",
    "hostile word": "hostile word",
    "let down": "let down",
    "resignation": "resignation",
    "polite but upset": "polite but upset",
}
# A one-word sentence of these is pressure: "It's 11:20pm. Please.", "Again.", "Hello??"
TERSE_WORDS: Final = frozenset(
    {"please", "again", "hello", "anyone", "seriously", "really", "still", "helloo", "hellooo"}
)
_SENTENCE_END: Final = frozenset(".!?")
THANKS_WORDS: Final = frozenset({"thanks", "thx", "ty", "cheers", "appreciated"})
# Faces say how the writer feels, not what went wrong: they move the sentiment only.
SAD_FACES: Final = (
    ":(",
    ":-(",
    ":'(",
    "):",
    "😡",
    "😠",
    "😤",
    "😒",
    "😞",
    "😢",
    "😭",
    "👎",
    "🙄",
    "😩",
    "😫",
    "😣",
    "😖",
    "😔",
    "😟",
    "😕",
    "😓",
    "😑",
    "🤬",
    "💔",
)
HAPPY_FACES: Final = (
    ":)",
    ":-)",
    ":D",
    "(:",
    "😊",
    "😀",
    "😁",
    "😃",
    "😍",
    "❤",
    "👍",
    "🙌",
    "🙏",
    "🎉",
    "<3",
    ";)",
    ";-)",
    ":-P",
    "😂",
    "😉",
    "😄",
    "😆",
    "🙂",
    "☺",
    "🥰",
    "😘",
    "🤗",
    "😎",
    "👌",
    "💯",
    "💕",
    "💖",
)
FACE_WEIGHT: Final = CLEAR


class Feeling:
    """What ``read_feeling`` found (the five Reading fields of the same names)."""

    def __init__(
        self,
        sentiment: Sentiment,
        score: float,
        complaint: bool,
        complaint_score: float,
        spans: tuple[ComplaintSpan, ...],
        settled: bool = False,
        adjusted: _Adjusted | None = None,
    ) -> None:
        self.sentiment = sentiment
        self.score = score
        self.complaint = complaint
        self.complaint_score = complaint_score
        self.spans = spans
        # Negative because of the complaint, whatever the score (the bench's rule too).
        self.settled = settled
        self._adjusted = adjusted

    @property
    def sentiment_spans(self) -> tuple[ComplaintSpan, ...]:
        """What moved the model's voice (unknown words, "!") or took a cue away (a negated
        problem word), each with its reason; made when asked, not on every reading."""
        a = self._adjusted
        if a is None:
            return ()
        out: list[ComplaintSpan] = []
        for w in a.unknown[:MAX_UNKNOWN_SPANS]:
            out.append(ComplaintSpan(w.start, w.end, a.text[w.start : w.end], "unknown word"))
        at = a.text.find("!") if a.marks else -1
        for _ in range(a.marks):
            out.append(ComplaintSpan(at, at + 1, "!", "exclamation"))
            at = a.text.find("!", at + 1)
        for i, j in a.negated:
            s, e = a.ws[i].start, a.ws[j - 1].end
            out.append(ComplaintSpan(s, e, a.text[s:e], "negated problem"))
        return tuple(out)


class _Adjusted:
    """The inputs of ``Feeling.sentiment_spans``: the words the vocabulary lacks, the "!"
    marks counted and the negated problems (word spans)."""

    def __init__(
        self,
        text: str,
        ws: list[Word],
        unknown: list[Word],
        marks: int,
        negated: list[tuple[int, int]],
    ) -> None:
        self.text = text
        self.ws = ws
        self.unknown = unknown
        self.marks = marks
        self.negated = negated


class _Evidence:
    """Complaint cues in the order found: word spans, weights and reasons."""

    def __init__(self) -> None:
        self.first: list[int] = []
        self.last: list[int] = []
        self.weights: list[float] = []
        self.reasons: list[str] = []
        self.negated: list[tuple[int, int]] = []  # word spans of negated problem words

    def add(self, i: int, j: int, weight: float, reason: str) -> None:
        for k in range(len(self.first)):
            if self.first[k] < j and i < self.last[k]:  # overlaps one already found
                if weight > self.weights[k]:
                    self.first[k], self.last[k] = min(i, self.first[k]), max(j, self.last[k])
                    self.weights[k] = weight
                    self.reasons[k] = reason
                return
        self.first.append(i)
        self.last.append(j)
        self.weights.append(weight)
        self.reasons.append(reason)


_lock = threading.Lock()
_heads: dict[str, model.FlatHead | None] = {}


def load_head(name: str = SHIPPED_HEAD) -> model.FlatHead | None:
    """The sentiment head ``name`` as plain floats (see ``model.FlatHead``), loaded once;
    None when the file is absent or was trained on another tone vocabulary."""
    head = _heads.get(name, False)
    if head is not False:
        return head  # type: ignore[return-value]
    with _lock:
        if name not in _heads:
            _heads[name] = _load(name)
        return _heads[name]


def _load(name: str) -> model.FlatHead | None:
    tone = model.load_tone()
    if tone is None or not SENTIMENT_FILE.exists():
        return None
    with np.load(SENTIMENT_FILE, allow_pickle=False) as z:
        recorded = z["vocab_sha256"].tobytes().decode("utf-8")
        if recorded != hashlib.sha256("\n".join(tone.vocab).encode("utf-8")).hexdigest():
            return None  # rows of another vocabulary would weigh the wrong terms
        classes = tuple(z["classes"].tobytes().decode("utf-8").split("\n"))
        return _flat(classes, z[f"w_{name}"].astype(np.float32), z[f"b_{name}"])


def _flat(classes: tuple[str, ...], w: npt.NDArray[Any], b: npt.NDArray[Any]) -> model.FlatHead:
    b32 = b.astype(np.float32)
    head = model.Head(
        classes=classes,
        w=w.astype(np.float32),
        b=b32,
        threshold=0.5,
        softmax=True,
        b_list=tuple(float(v) for v in b32),
    )
    return model.FlatHead(head)


def install_head(name: str, w: npt.NDArray[Any], b: npt.NDArray[Any]) -> None:
    """Make a head trained in this process readable as ``name`` (the bench's heads that
    are never shipped); ``w`` is rounded to float16, as a shipped file stores it."""
    classes = ("negative", "neutral", "positive")
    with _lock:
        _heads[name] = _flat(classes, w.astype(np.float16), b)


def read_feeling(
    text: str,
    ws: list[Word],
    lows: list[str],
    hits: list[tuple[cues.Cue, int, int]],
    keys: list[int],
    raw: list[float],
    norm: float,
    vocab: list[str],
    head: model.FlatHead | None,
    negative_at: float = NEGATIVE_AT,
    logits: list[float] | None = None,
    unknown: list[Word] | None = None,
) -> Feeling:
    """Sentiment and complaint from what ``read_message`` already has: the words, the cue
    hits of ``cues.MESSAGE_INDEX`` and the tone model's TF-IDF terms (``keys``, ``raw``,
    ``norm`` as ``LinearTextModel.raw_vector`` gives them, ``vocab`` their names).
    A complaint reads negative unless the positive evidence outweighs it
    (``POSITIVE_OUTWEIGHS``). ``logits``: ``head``'s logits of those terms, when the
    caller has them already; ``unknown``: the words the tone vocabulary lacks."""
    marks = _marks(text)
    if head is not None:
        z = logits if logits is not None else head.logits_of(keys, raw, norm)
        gain = _gain(norm, len(unknown) if unknown else 0, marks)
        if gain != 1.0:
            b = head.bias
            z = [
                b[0] + (z[0] - b[0]) * gain,
                b[1] + (z[1] - b[1]) * gain,
                b[2] + (z[2] - b[2]) * gain,
            ]
        probs = model.activate_flat(head, z)
        p_neg, p_pos = probs[NEGATIVE], probs[POSITIVE]
    else:
        p_neg = p_pos = NO_MODEL_PRIOR
    ev = _cue_evidence(text, ws, lows, hits)
    cue = 0.0
    for w in ev.weights:
        cue = 1 - (1 - cue) * (1 - w)
    complaint_score = 1 - (1 - cue) * (1 - MODEL_SHARE * p_neg)
    complaint = complaint_score >= COMPLAINT_AT
    sad, happy = _faces(text)
    negative = 1 - (1 - p_neg) * (1 - cue) * (1 - sad)
    positive = 1 - (1 - p_pos * (1 - cue)) * (1 - happy * (1 - cue))
    score = max(-1.0, min(1.0, positive - negative))
    settled = complaint and (
        1 - (1 - p_pos) * (1 - happy) < POSITIVE_OUTWEIGHS
        or not DISGUISED.isdisjoint(ev.reasons)
        or _after_contrast(lows, ev)
    )
    sentiment: Sentiment
    if score <= negative_at or settled:
        sentiment = "negative"
    elif score >= POSITIVE_FROM:
        sentiment = "positive"
    else:
        sentiment = "neutral"
    spans: list[ComplaintSpan] = []
    for k in range(len(ev.first)):
        if ev.weights[k] >= HINT and len(spans) < MAX_COMPLAINT_SPANS:
            s, e = ws[ev.first[k]].start, ws[ev.last[k] - 1].end
            spans.append(ComplaintSpan(s, e, text[s:e], ev.reasons[k]))
    if complaint and not spans and head is not None:
        spans = _model_spans(text, ws, keys, raw, norm, vocab, head)
    adjusted = None
    if head is None:  # nothing of the model's to dilute or raise
        unknown, marks = None, 0
    if unknown or marks or ev.negated:
        adjusted = _Adjusted(text, ws, unknown or [], marks, ev.negated)
    return Feeling(
        sentiment,
        round4(score),
        complaint,
        round4(complaint_score),
        tuple(spans),
        settled,
        adjusted,
    )


def _after_contrast(lows: list[str], ev: _Evidence) -> bool:
    """True when a problem is told after the last "but" or "however": the praise before
    it does not outweigh it ("Great speaker, but the app keeps crashing"), as VADER
    weighs the clause after "but" over the one before."""
    at = -1
    for k in range(len(lows) - 1, -1, -1):
        if lows[k] in CONTRAST:
            at = k
            break
    told = False
    if at >= 0:
        for k in range(len(ev.first)):
            if ev.first[k] > at and ev.weights[k] >= LIKELY:
                told = True
                break
    return told


def _marks(text: str) -> int:
    """The "!" marks that raise the model's voice (at most ``MAX_EXCLAMATIONS``)."""
    if "!" not in text:
        return 0
    return min(text.count("!"), MAX_EXCLAMATIONS)


def _gain(norm: float, unknown: int, marks: int) -> float:
    """What the model's logits (less the bias) are multiplied by: the dilution by
    ``unknown`` words the vocabulary lacks, times the raise of ``marks`` "!"."""
    gain = 1.0
    if unknown:
        weight = UNKNOWN_WORD_WEIGHT * UNKNOWN_WORD_WEIGHT
        gain = norm / math.sqrt(norm * norm + unknown * weight)
    if marks:
        gain *= 1.0 + EXCLAMATION_GAIN * marks
    return gain


def _cue_evidence(
    text: str, ws: list[Word], lows: list[str], hits: list[tuple[cues.Cue, int, int]]
) -> _Evidence:
    ev = _Evidence()
    resolved_at = -1  # the last word of the last "works now", "sorted"…
    negated = _negated(text, ws, lows, hits)
    for cue, i, j in hits:
        if negated and (i in negated and (j - i == 1 or negated[i] == j)):
            continue  # a negated problem word, or the lone negator before it
        if cue.family == "complaint":
            if cue.label == "problem":
                ev.add(i, j, cue.weight, cue.reason)
            elif cue.label == "resolved":
                resolved_at = j
        elif cue.family == "tone":
            reason = TONE_REASONS.get(cue.reason, "")
            if reason:
                ev.add(i, j, cue.weight, reason)
            elif cue.label == "positive" and cues.praise_after_failure(lows, i):
                ev.add(i, j, STRONG, "sarcasm")
    for i in terse_pressure(text, ws, lows):
        ev.add(i, i + 1, CLEAR, "terse pressure")
    for i, j in negated.items():
        if j == i + 1 and lows[i] in NEGATABLE:  # shown from the negator to the word
            ev.negated.append((max(_negator_before(text, ws, lows, i), 0), j))
    if resolved_at >= 0:
        for k in range(len(ev.first)):
            if ev.last[k] <= resolved_at:
                ev.weights[k] *= RESOLVED_DAMPING
    return ev


def _negator(low: str) -> bool:
    return low in NEGATING or low.endswith("n't")


def _negated(
    text: str, ws: list[Word], lows: list[str], hits: list[tuple[cues.Cue, int, int]]
) -> dict[int, int]:
    """First word → end of each one-word problem cue with a negator within
    ``NEGATION_SCOPE`` words before it in its clause ("never had any problems"), and of
    each one-word negator cue that negates a problem word, a cue or not ("haven't" in "I
    haven't had any issues", "won't" in "It won't disappoint")."""
    out: dict[int, int] = {}
    for _cue, i, j in hits:
        if j - i != 1:
            continue
        if lows[i] in NEGATABLE:
            k = _negator_before(text, ws, lows, i)
            if k >= 0:
                out[i] = j
                out[k] = k + 1
        elif _negator(lows[i]):
            k = i + 1  # a negator cue: the problem word it negates, cue or not
            while k < len(ws) and k - i <= NEGATION_SCOPE:
                if not _CLAUSE_END.isdisjoint(text[ws[k - 1].end : ws[k].start]):
                    break
                if lows[k] in NEGATABLE:
                    out[i] = j
                    out[k] = k + 1
                    break
                k += 1
    return out


def _negator_before(text: str, ws: list[Word], lows: list[str], i: int) -> int:
    """The nearest negator within ``NEGATION_SCOPE`` words before word ``i`` in its
    clause, or -1."""
    k = i - 1
    while k >= 0 and i - k <= NEGATION_SCOPE:
        if not _CLAUSE_END.isdisjoint(text[ws[k].end : ws[k + 1].start]):
            return -1  # "No, the error is back": another clause
        if _negator(lows[k]):
            return k
        k -= 1
    return -1


def terse_pressure(text: str, ws: list[Word], lows: list[str]) -> list[int]:
    """The words that are a sentence of their own and press ("It's 11:20pm. Please.",
    "Again.", "Hello??"): complaint evidence here, frustration for the tone."""
    out: list[int] = []
    for i in range(len(ws)):
        if lows[i] in TERSE_WORDS and _alone(text, ws, i) and not _after_thanks(lows, i):
            out.append(i)
    return out


def _after_thanks(lows: list[str], i: int) -> bool:
    """ "Thank you! Really." / "Thanks. Again.": after thanks the word is emphasis."""
    if i >= 1 and lows[i - 1] in THANKS_WORDS:
        return True
    return i >= 2 and lows[i - 2] == "thank" and lows[i - 1] == "you"


def _faces(text: str) -> tuple[float, float]:
    """``FACE_WEIGHT`` for a sad face and for a happy one in ``text`` (else 0)."""
    if ":" not in text and ")" not in text and "<3" not in text and text.isascii():
        return 0.0, 0.0  # no face can be there ("http://" is none: ":/" is left out)
    sad = happy = 0.0
    for face in SAD_FACES:
        if face in text:
            sad = FACE_WEIGHT
            break
    for face in HAPPY_FACES:
        if face in text:
            happy = FACE_WEIGHT
            break
    return sad, happy


def _alone(text: str, ws: list[Word], i: int) -> bool:
    """True when word ``i`` is a sentence of its own ("Please.", "Again.", "Hello??")
    that follows another sentence or ends with "?"."""
    after_end = ws[i + 1].start if i + 1 < len(ws) else len(text)
    after = text[ws[i].end : after_end]
    if _SENTENCE_END.isdisjoint(after) and i + 1 < len(ws):
        return False  # the sentence goes on
    if i == 0:
        return "?" in after  # "Hello??" opening a message
    before = text[ws[i - 1].end : ws[i].start]
    return not _SENTENCE_END.isdisjoint(before) or "\n" in before


def _model_spans(
    text: str,
    ws: list[Word],
    keys: list[int],
    raw: list[float],
    norm: float,
    vocab: list[str],
    head: model.FlatHead,
) -> list[ComplaintSpan]:
    """The words that pushed the model most towards negative, when no cue did."""
    n = model.MAX_EXPLAINED_TERMS
    column = head.column(keys[:n], NEGATIVE)
    vals = [v / norm for v in raw[:n]]
    out: list[ComplaintSpan] = []
    for c, term_id in model.top_contributions(column, keys[:n], vals, MODEL_COMPLAINT_SPANS):
        if c < MIN_TERM_CONTRIBUTION:
            break
        k = _first_word(ws, vocab[term_id].split(" ")[0])
        if k >= 0:
            s, e = ws[k].start, ws[k].end
            out.append(ComplaintSpan(s, e, text[s:e], "model"))
    return out


def _first_word(ws: list[Word], term: str) -> int:
    if term.endswith("~"):
        stem = term[:-1]
        for k in range(len(ws)):
            if len(ws[k].low) > PREFIX + 1 and ws[k].low.startswith(stem):
                return k
        return -1
    for k in range(len(ws)):
        if ws[k].low == term:
            return k
    return -1


def read_text(
    text: str, head_name: str = SHIPPED_HEAD, negative_at: float = NEGATIVE_AT
) -> Feeling:
    """``read_feeling`` of a text on its own, with any head of the file (the bench reads
    the UCI sentences with the head trained without them). Equal to what
    ``read_message`` reports with the shipped head."""
    toks = token_words(text)
    ws = [w for w in toks if w.low[0].isalnum()]
    lows = [w.low for w in ws]
    hits = cues.MESSAGE_INDEX.find(ws, lows)
    tone = model.load_tone()
    keys: list[int] = []
    raw: list[float] = []
    norm = 1.0
    vocab: list[str] = []
    unknown: list[Word] = []
    if tone is not None:
        uni, bi, pre = tone.positional_ids([w.low for w in toks[:MAX_TERMS]])
        ids = [i for i in uni if i >= 0]
        ids += [i for i in bi if i >= 0]
        ids += [i for i in pre if i >= 0]
        keys, raw, norm = tone.raw_vector(ids)
        vocab = tone.vocab
        unknown = unknown_words(toks, uni)
    head = load_head(head_name)
    return read_feeling(
        text, ws, lows, hits, keys, raw, norm, vocab, head, negative_at, None, unknown
    )


def unknown_words(toks: list[Word], uni: list[int]) -> list[Word]:
    """The words (not marks) among ``toks`` whose unigram id in ``uni`` is -1."""
    out: list[Word] = []
    for k in range(len(uni)):
        if uni[k] < 0 and toks[k].low[0].isalnum():
            out.append(toks[k])
    return out


def read_terms(
    text: str,
    ws: list[Word],
    lows: list[str],
    hits: list[tuple[cues.Cue, int, int]],
    tone: model.LinearTextModel | None,
    vector: tuple[list[int], list[float], float],
    logits: list[float] | None = None,
    unknown: list[Word] | None = None,
) -> Feeling:
    """``read_feeling`` from the tone model's TF-IDF vector of the message (what
    ``read_message`` already computed for its tone), with the shipped head; ``logits``:
    that head's logits of the vector, when ``read_message`` summed them with the tone's;
    ``unknown``: the words the vocabulary lacks (``unknown_words``)."""
    if tone is None:
        return read_feeling(text, ws, lows, hits, [], [], 1.0, [], None)
    keys, raw, norm = vector
    head = load_head()
    return read_feeling(
        text, ws, lows, hits, keys, raw, norm, tone.vocab, head, NEGATIVE_AT, logits, unknown
    )
