"""``read_message``: tone, sentences, facts and stakes of one customer message (F1–F4)."""

from __future__ import annotations

import bisect
import operator
import re
from datetime import datetime
from typing import Final

from calmdesk.engine import cues, facts, model, questions, sentiment, subjectivity
from calmdesk.engine import language as language_id
from calmdesk.engine.features import MAX_TERMS, PREFIX, round4, token_words
from calmdesk.engine.strip import sign_off_start
from calmdesk.engine.text import Language, Word, detect_language, sentence_spans, wordset
from calmdesk.engine.tones import DISTRESSED_TONES, TONES
from calmdesk.engine.types import Fact, Reading, Sentence, SentenceKind, Stake, ToneSpan
from calmdesk.engine.version import ENGINE_VERSION

# Caps on what one reading lists, so a 1 MB paste stays linear and the result readable.
MAX_SPANS: Final = 50
MAX_FACTS: Final = 200
# Capitalised words in a row that read as shouting (not an acronym like "API").
SHOUT_MIN_LETTERS: Final = 4
# Intensity boosts, in the spirit of VADER (Hutto & Gilbert 2014), which found capitals and
# exclamation marks raise perceived intensity by about 0.73 and 0.29 on a 4-point scale;
# rescaled here to our 0–1 intensity: 0.733/4 ≈ 0.18 and 0.292/4 ≈ 0.07 per mark (max 3).
CAPS_BOOST: Final = 0.18
EXCLAMATION_BOOST: Final = 0.07
MAX_EXCLAMATIONS: Final = 3
INTENSIFIERS: Final = wordset("so very really extremely absolutely totally completely utterly")
# Half an exclamation mark: VADER's booster increment is 0.293/4 · ½.
INTENSIFIER_BOOST: Final = 0.05
CUE_COUNT_BOOST: Final = 0.05  # each further distinct cue reason adds a little heat
# A sentence is emotional when its emotional score reaches this (the midpoint of 0–1).
EMOTIONAL_AT: Final = 0.5
# "Hello??" is impatience, not information: a clear sign (cues.CLEAR) of feeling.
PHATIC_SCORE: Final = cues.CLEAR
PHATIC_MAX_WORDS: Final = 4
# Weight of a sentence's informational markers (a URL, an error, a version) against it.
FACT_DAMPING: Final = 0.5
# Where the model is silent (no weights shipped), its score is this uninformative prior.
NO_MODEL_PRIOR: Final = 0.1
# Only model terms pushing a tone by at least this logit share are shown as its spans.
MIN_TERM_CONTRIBUTION: Final = 0.15
MODEL_SPANS: Final = 3  # at most this many model terms are shown per reading
URGENT_STAKES: Final = frozenset({"outage", "data_loss", "legal"})
HIGH_STAKES: Final = frozenset({"revenue", "clients", "deadline", "churn", "personal"})
HIGH_INTENSITY: Final = 0.7
# A terse "Please." / "Again." / "Hello??" as tone evidence of frustration (a hint).
TERSE_WEIGHT: Final = cues.HINT


def read_message(text: str | bytes, *, received_at: datetime | None = None) -> Reading:
    """Read one customer message: tone, intensity and the spans that carry them; each
    sentence as emotional or informational; facts; stakes and a priority; language and
    confidence. Never raises on odd text: empty or binary text gives a neutral reading
    with zero confidence. Bytes are read as UTF-8 (undecodable bytes replaced); anything
    else but text is a TypeError, in the compiled build and the pure one alike."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        raise TypeError(f"read_message reads str or bytes, not {type(text).__name__}")
    toks = token_words(text)
    ws = [w for w in toks if w.low[0].isalnum()]
    lows = [w.low for w in ws]
    lowset = set(lows)
    language = detect_language(text, lows, lowset)
    if language.confidence < 1.0:  # not plainly English: ask the language identifier
        language = language_id.refine(language, text)
    supported = language.code == "en"
    if not ws:
        return _empty_reading(text, language.code, supported)

    terms = _ModelTerms(toks)
    # English cues read English only: "correct" in a French message is no praise.
    all_hits = cues.MESSAGE_INDEX.find(ws, lows) if supported else []
    cue_hits = [h for h in all_hits if h[0].family == "tone"]
    felt = _Felt(text, toks, ws, lows, lowset, terms, all_hits)
    tone = _read_tone(
        text, felt.toks, felt.ws, felt.lows, felt.lowset, felt.cue_hits, felt.terms, supported
    )
    confidence = _confidence(tone.scores, terms.model is not None, language, supported)

    sent_spans = sentence_spans(text)
    has_digit = _DIGIT.search(text) is not None  # else no sentence or pattern needs one
    sentences, sentence_facts = _sentences(
        text,
        has_digit,
        toks,
        ws,
        sent_spans,
        terms,
        tone.model_scores["neutral"],
        cue_hits,
        (lows, lowset),
    )
    fact_list = _facts(text, ws, sent_spans, sentence_facts, has_digit, received_at, lowset)
    thankful = tone.tone == "grateful" or tone.evidence["grateful"] > 0
    stakes = _stakes(text, ws, lows, all_hits, thankful, has_digit)
    priority = _priority(tone.tone, tone.intensity, stakes)
    is_novice = False
    for h in all_hits:
        if h[0].family == "novice":
            is_novice = True
            break

    notes = []
    if not supported:
        notes.append(f"language {language.code!r} is not supported: tone is a guess")
    if terms.model is None:
        notes.append("no tone weights shipped: cues only")
    feeling = sentiment.read_terms(
        text,
        felt.ws,
        felt.lows,
        felt.all_hits,
        felt.terms.model,
        tone.vector,
        tone.sentiment_logits,
        sentiment.unknown_words(felt.toks, felt.terms.uni),
    )
    return Reading(
        text=text,
        tone=tone.tone,
        intensity=round4(tone.intensity),
        scores=tone.scores,
        tone_spans=tuple(tone.spans[:MAX_SPANS]),
        sentences=tuple(sentences),
        facts=tuple(fact_list[: MAX_FACTS * 2]),
        stakes=tuple(stakes),
        priority=priority,
        language=language.code,
        language_supported=supported,
        confidence=round4(confidence),
        is_novice=is_novice,
        notes=tuple(notes),
        engine_version=ENGINE_VERSION,
        sentiment=feeling.sentiment,
        sentiment_score=feeling.score,
        complaint=feeling.complaint,
        complaint_score=feeling.complaint_score,
        complaint_spans=feeling.spans,
    )


class _ModelTerms:
    """The message's terms as the tone model knows them: per-position unigram, bigram and
    prefix ids (-1 where unknown), and the known ones in one list. Empty without weights."""

    def __init__(self, toks: list[Word]) -> None:
        self.model = model.load_tone()
        self.lows = [w.low for w in toks[:MAX_TERMS]]
        self.uni: list[int] = []
        self.bi: list[int] = []
        self.pre: list[int] = []
        self.ids: list[int] = []
        if self.model is not None:
            self.uni, self.bi, self.pre = self.model.positional_ids(self.lows)
            ids = [i for i in self.uni if i >= 0]
            ids += [i for i in self.bi if i >= 0]
            ids += [i for i in self.pre if i >= 0]
            self.ids = ids


class _Felt:
    """The words tone and sentiment are read from: the message without its closing
    ("Best,\nFelix", "Thanks, Emma"), a formula that says nothing of how the writer feels.
    The closing is at the end, so these are prefixes of the message's words and the cue
    hits' word indexes stay valid; facts, sentences and stakes still read every word."""

    def __init__(
        self,
        text: str,
        toks: list[Word],
        ws: list[Word],
        lows: list[str],
        lowset: set[str],
        terms: _ModelTerms,
        all_hits: list[tuple[cues.Cue, int, int]],
    ) -> None:
        cut = sign_off_start(text)
        n = len(ws)
        if cut < len(text):
            n = 0
            while n < len(ws) and ws[n].start < cut:
                n += 1
        if n == 0 or n == len(ws):  # no closing, or nothing but one: read every word
            self.toks, self.ws, self.lows, self.lowset, self.terms = toks, ws, lows, lowset, terms
            self.all_hits = all_hits
        else:
            k = 0
            while k < len(toks) and toks[k].start < cut:
                k += 1
            self.toks = toks[:k]
            self.ws = ws[:n]
            self.lows = lows[:n]
            self.lowset = set(self.lows)
            self.terms = _ModelTerms(self.toks)
            self.all_hits = [h for h in all_hits if h[2] <= n]
        self.cue_hits = [h for h in self.all_hits if h[0].family == "tone"]


class _Tone:
    """What the tone section found: the tone and its scores, the cue evidence, the spans
    shown, the intensity, and the model's own (calibrated) scores."""

    def __init__(
        self,
        tone: str,
        top: float,
        scores: dict[str, float],
        evidence: dict[str, float],
        model_scores: dict[str, float],
        spans: list[ToneSpan],
        intensity: float,
        vector: tuple[list[int], list[float], float],
        sentiment_logits: list[float] | None,
    ) -> None:
        self.tone = tone
        self.top = top
        self.scores = scores
        self.evidence = evidence
        self.model_scores = model_scores
        self.spans = spans
        self.intensity = intensity
        self.vector = vector  # the model's (terms, raw TF-IDF values, norm), reused
        self.sentiment_logits = sentiment_logits  # the shipped sentiment head's, if any


def _read_tone(
    text: str,
    toks: list[Word],
    ws: list[Word],
    lows: list[str],
    lowset: set[str],
    cue_hits: list[tuple[cues.Cue, int, int]],
    terms: _ModelTerms,
    english: bool,
) -> _Tone:
    """The tone: support cues and the model combined, then its spans and intensity."""
    evidence, spans, reasons, sarcastic = _cue_evidence(text, ws, lows, cue_hits)
    if english:
        _terse_evidence(text, ws, lows, evidence, spans, reasons)
    m = terms.model
    keys: list[int] = []
    raw: list[float] = []
    norm = 1.0
    sentiment_logits: list[float] | None = None
    sent_head: model.FlatHead | None = None
    if m is not None:
        keys, raw, norm = m.raw_vector(terms.ids)
        sent_head = sentiment.load_head()
    if m is not None and sent_head is not None:
        # The sentiment head reads the same terms: its logits come in the same pass.
        logits, sentiment_logits = m.flat_heads[model.READ_HEAD].logits_with(
            sent_head, keys, raw, norm
        )
        model_scores = _calibrated(m, logits)
    else:
        model_scores = _model_scores(m, keys, raw, norm)
    # The model learned "confusion" from Reddit questions, so it reads any question as
    # confused; on a help desk "how do I export?" is a plain request. Without a cue of
    # confusion, or several questions in a row, its confusion stays below the tone line.
    if (
        "?" in text
        and (terms.lows if len(toks) <= MAX_TERMS else [w.low for w in toks]).count("?")
        >= REPEATED_QUESTIONS
    ):
        evidence["confused"] = 1 - (1 - evidence["confused"]) * (1 - cues.LIKELY)
        reasons.add("questions")
    if evidence["confused"] == 0:
        model_scores["confused"] = min(model_scores["confused"], UNCUED_CONFUSION_CAP)
    scores = _tone_scores(evidence, model_scores, sarcastic)
    best, top = "", -1.0  # the first tone with the highest score, as max() picks
    for t, v in scores.items():
        if v > top:
            best, top = t, v
    scores["neutral"] = round4(1 - top)
    tone = best if top >= 0.5 else "neutral"
    scores = {t: round4(scores[t]) for t in TONES}

    explained = False
    for sp in spans:
        if sp.tone == tone:
            explained = True
            break
    if m is not None and english and tone != "neutral" and not explained:
        spans.extend(_model_spans(m, keys, raw, norm, tone, text, ws, spans))
    shout = _shouting(text, ws)
    if shout and tone in DISTRESSED_TONES:
        for s, e in shout[:3]:
            spans.append(ToneSpan(s, e, tone, "capitals", text[s:e]))
    if len(spans) > 1:
        spans.sort(key=_BY_SPAN)
    intensity = 0.0
    if tone != "neutral":
        intensity = _intensity(text, top, bool(shout), lowset, len(reasons))
    return _Tone(
        tone,
        top,
        scores,
        evidence,
        model_scores,
        spans,
        intensity,
        (keys, raw, norm),
        sentiment_logits,
    )


def _model_scores(
    m: model.LinearTextModel | None, keys: list[int], raw: list[float], norm: float
) -> dict[str, float]:
    """The model's score of each tone, calibrated so its threshold lands on 0.5."""
    if m is None:
        return dict.fromkeys(TONES, NO_MODEL_PRIOR)
    head = m.flat_heads[model.READ_HEAD]
    return _calibrated(m, head.logits_of(keys, raw, norm))


def _calibrated(m: model.LinearTextModel, logits: list[float]) -> dict[str, float]:
    """The tone head's probabilities from its ``logits``, calibrated (``_calibrate``)."""
    head = m.flat_heads[model.READ_HEAD]
    probs = model.activate_flat(head, logits)
    thr = head.threshold
    return {
        c: 0.5 * p / thr if p < thr else 0.5 + 0.5 * (p - thr) / (1 - thr)  # _calibrate
        for c, p in zip(head.classes, probs)  # noqa: B905 (same length: the head's)
    }


def _cue_evidence(
    text: str, ws: list[Word], lows: list[str], cue_hits: list[tuple[cues.Cue, int, int]]
) -> tuple[dict[str, float], list[ToneSpan], set[str], bool]:
    """Each tone's evidence from the support cues (combined as independent signals), the
    cues' spans, their distinct reasons, and whether one of them is sarcasm."""
    evidence: dict[str, float] = dict.fromkeys(TONES, 0.0)
    spans: list[ToneSpan] = []
    reasons: set[str] = set()
    sarcastic = False
    for cue, i, j in cue_hits:
        tone, weight = cue.tone_for(lows, i)
        if (lows[i], *lows[i + 1 : i + 3]) in cues.COURTESY:
            continue
        evidence[tone] = 1 - (1 - evidence[tone]) * (1 - weight)
        reasons.add(cue.reason)
        sarcastic = sarcastic or cue.reason == "sarcasm"
        if len(spans) < MAX_SPANS:
            s, e = ws[i].start, ws[j - 1].end
            spans.append(ToneSpan(s, e, tone, cue.reason, text[s:e]))
    return evidence, spans, reasons, sarcastic


def _terse_evidence(
    text: str,
    ws: list[Word],
    lows: list[str],
    evidence: dict[str, float],
    spans: list[ToneSpan],
    reasons: set[str],
) -> None:
    """ "It's 11:20pm. Please.": a one-word sentence that presses is a hint of frustration,
    enough to keep the model's reading of "please" as positive from deciding the tone."""
    for i in sentiment.terse_pressure(text, ws, lows):
        w = ws[i]
        covered = False  # "Again." is a cue of repetition already: counted once
        for sp in spans:
            if sp.start <= w.start and w.end <= sp.end:
                covered = True
        if covered:
            continue
        evidence["frustrated"] = 1 - (1 - evidence["frustrated"]) * (1 - TERSE_WEIGHT)
        reasons.add("terse pressure")
        if len(spans) < MAX_SPANS:
            word = text[w.start : w.end]
            spans.append(ToneSpan(w.start, w.end, "frustrated", "terse pressure", word))


def _tone_scores(
    evidence: dict[str, float], model_scores: dict[str, float], sarcastic: bool
) -> dict[str, float]:
    """Each tone but neutral: the model's score and the cues' evidence combined."""
    scores: dict[str, float] = {}
    for t in TONES:
        if t == "neutral":
            continue
        scores[t] = 1 - (1 - model_scores.get(t, 0.0)) * (1 - evidence[t])
    # A support cue of distress outweighs the model's reading of "want"/"please" as
    # positive, or of a question mark as confusion: the model learned from Reddit, the cues
    # from support mail.
    distress = max([evidence[t] for t in _DISTRESSED_IN_ORDER])
    if distress > 0:
        for t in ("positive", "grateful", "confused"):
            if evidence[t] == 0:
                scores[t] *= 1 - distress
    # "Sorry, I'm lost again": the model learned the apology as sadness; a cue of
    # confusion, with none of sadness, outweighs it as distress outweighs its cheer.
    if evidence["confused"] > 0 and evidence["sad"] == 0:
        scores["sad"] *= 1 - evidence["confused"]
    if sarcastic:  # "thanks for nothing" is not gratitude
        scores["grateful"] *= SARCASM_DAMPING
        scores["positive"] *= SARCASM_DAMPING
    return scores


def _intensity(text: str, top: float, shout: bool, lowset: set[str], n_reasons: int) -> float:
    """How strongly the tone is felt: its score, raised by capitals, exclamation marks,
    intensifiers and several kinds of cue at once."""
    exclamations = min(text.count("!"), MAX_EXCLAMATIONS)
    boost = (
        (CAPS_BOOST if shout else 0.0)
        + EXCLAMATION_BOOST * exclamations
        + INTENSIFIER_BOOST * min(3, len(INTENSIFIERS & lowset))
        + CUE_COUNT_BOOST * max(0, n_reasons - 1)
    )
    return min(1.0, top * SCORE_SHARE_OF_INTENSITY + boost)


def _confidence(
    scores: dict[str, float], has_model: bool, language: Language, supported: bool
) -> float:
    """Half the confidence is earned by the margin between the two best tones (a margin
    of half the scale or more earns it all), scaled by how sure the language is."""
    first = second = -1.0  # the two highest scores (equal when two tones tie)
    for v in scores.values():
        if v > first:
            first, second = v, first
        elif v > second:
            second = v
    margin = first - second
    confidence = (0.5 + 0.5 * min(1.0, margin * 2)) * (
        language.confidence if supported else UNSUPPORTED_LANGUAGE_CONFIDENCE
    )
    if not has_model:
        confidence *= CUES_ONLY_CONFIDENCE
    return confidence


def _facts(
    text: str,
    ws: list[Word],
    sent_spans: list[tuple[int, int]],
    sentence_facts: list[Fact],
    has_digit: bool,
    received_at: datetime | None,
    lowset: set[str],
) -> list[Fact]:
    """The sentence facts (questions, requests, steps…), the pattern facts (errors,
    versions, amounts…), dates and names, in text order."""
    fact_list: list[Fact] = sentence_facts
    for kind, s, e in facts.find_pattern_facts(text, has_digit)[:MAX_FACTS]:
        fact_list.append(Fact(kind, s, e, text[s:e]))
    for s, e, value in facts.find_relative_dates(text, ws, received_at, lowset)[:MAX_FACTS]:
        fact_list.append(Fact("date", s, e, text[s:e], value))
    starts = {s for s, _ in sent_spans}
    covered = [(f.start, f.end) for f in fact_list if f.kind not in SENTENCE_FACTS]
    for s, e in facts.find_names(
        text, ws if len(ws) <= MAX_NAME_WORDS else ws[:MAX_NAME_WORDS], starts
    )[:MAX_FACTS]:
        if not any(a <= s < b for a, b in covered):
            fact_list.append(Fact("name", s, e, text[s:e]))
    if len(fact_list) > 1:
        fact_list.sort(key=_BY_SPAN)
    return fact_list


def _stakes(
    text: str,
    ws: list[Word],
    lows: list[str],
    all_hits: list[tuple[cues.Cue, int, int]],
    thankful: bool,
    has_digit: bool,
) -> list[Stake]:
    """What the customer stands to lose, each with its span and the reason it was read."""
    stakes: list[Stake] = []
    for cue, i, j in [h for h in all_hits if h[0].family == "stake"][:MAX_FACTS]:
        if thankful and _averted(text, ws, lows, i, j):
            continue  # "thanks, I was going to drop the class": no longer at stake
        if cue.reason in cues.SCOPE_REASONS and not _scope_fails(text, ws, lows, i, j):
            continue  # "every page loads fine": a scope, nothing lost in it
        s, e = ws[i].start, ws[j - 1].end
        stakes.append(Stake(cue.label, s, e, text[s:e], cue.reason))
    if has_digit and "revenue" not in {st.kind for st in stakes}:
        for s, e in _money_per_time(text):
            stakes.append(Stake("revenue", s, e, text[s:e], "money per hour"))
            stakes.sort(key=_BY_SPAN)
            break
    return stakes


# An amount per unit of time ("$2,000 an hour", "500 euros a day"): money running out
# while the problem lasts, when its sentence says it is lost ("losing", "costing us").
# Every repetition is bounded, so a run of digits and dots is never rescanned.
_MONEY_PER_TIME: Final = re.compile(
    r"(?:[$£€¥] ?\d[\d,.]{0,15} ?[kKmM]?"
    r"|\b\d[\d,.]{0,15} ?[kK]? ?(?:dollars|euros|pounds|bucks|usd|eur|gbp)\b)"
    r"\s{0,3}(?:an?|per|/|every|each)\s{0,3}(?:hour|hr|minute|min|day|week)s?\b",
    re.IGNORECASE,
)
_LOSING: Final = re.compile(
    r"\b(?:los(?:e|es|ing|t)|costing|burning|bleeding|missing out|down)\b", re.IGNORECASE
)
MONEY_CONTEXT: Final = 200  # characters either side looked at for "losing", in the sentence


def _money_per_time(text: str) -> list[tuple[int, int]]:
    """Spans of amounts per unit of time said to be lost in their sentence."""
    out: list[tuple[int, int]] = []
    for m in _MONEY_PER_TIME.finditer(text):
        s, e = m.span()
        before = text[max(0, s - MONEY_CONTEXT) : s]
        for mark in ".!?\n":
            k = before.rfind(mark + " ")
            if k >= 0:
                before = before[k + 1 :]
        after = text[e : e + MONEY_CONTEXT]
        for mark in ".!?\n":
            k = after.find(mark)
            if k >= 0:
                after = after[:k]
        if _LOSING.search(before) is not None or _LOSING.search(after) is not None:
            out.append((s, e))
            break  # one is enough to name the stake
    return out


def _scope_fails(text: str, ws: list[Word], lows: list[str], i: int, j: int) -> bool:
    """True when a word of failure is near the scope at words ``i:j`` ("every page"), in
    its sentence: "every page shows a 502", not "every page loads fine"."""
    first = _sentence_start(text, ws, i, cues.SCOPE_WINDOW)
    last = j
    while last < len(ws) and last - j < cues.SCOPE_WINDOW:
        between = text[ws[last - 1].end : ws[last].start]
        if "." in between or "!" in between or "?" in between:
            break
        last += 1
    return not cues.FAILING_WORDS.isdisjoint(lows[first:last])


def _sentence_start(text: str, ws: list[Word], i: int, width: int) -> int:
    """The first of the ``width`` words before word ``i`` in its sentence."""
    first = i
    while first > 0 and i - first < width:
        between = text[ws[first - 1].end : ws[first].start]
        if "." in between or "!" in between or "?" in between:
            break
        first -= 1
    return first


# Orders spans, facts and sentences by where they are (no lambda: compiled, a lambda
# makes its function keep its variables in a heap object).
_BY_SPAN: Final = operator.attrgetter("start", "end")
_DISTRESSED_IN_ORDER: Final = tuple(t for t in TONES if t in DISTRESSED_TONES)
MAX_NAME_WORDS: Final = 5000  # names are looked for in the first 5,000 words

# The tone's score makes 80 % of the intensity; capitals, "!" and intensifiers the rest.
SCORE_SHARE_OF_INTENSITY: Final = 0.8
# Outside English the tone is a guess: its confidence is capped below the unsure line.
UNSUPPORTED_LANGUAGE_CONFIDENCE: Final = 0.3
CUES_ONLY_CONFIDENCE: Final = 0.5  # without the model, half the evidence is missing
SENTENCE_FACTS: Final = frozenset({"question", "request", "step", "expected", "actual"})
SARCASM_DAMPING: Final = 0.3  # sarcasm leaves a third of the thanks it mocks


# Three questions in one message read as someone lost, not as one how-to question.
REPEATED_QUESTIONS: Final = 3
# Below the 0.5 tone line: the model's confusion alone can colour, not name, the tone.
UNCUED_CONFUSION_CAP: Final = 0.4


def _averted(text: str, ws: list[Word], lows: list[str], i: int, j: int) -> bool:
    """True when the stake at words ``i:j`` follows (or opens with the end of) "was going
    to", "almost", "thought about"… in the same sentence: a stake in the past, or one
    called off."""
    window = lows[_sentence_start(text, ws, i, cues.AVERTED_WINDOW) : j]
    if _AVERTING_FIRST.isdisjoint(window):
        return False  # no marker can start here
    for marker in cues.AVERTING:
        k = len(marker)
        for a in range(len(window) - k + 1):
            if window[a] == marker[0] and tuple(window[a : a + k]) == marker:
                return True
    return False


_AVERTING_FIRST: Final = frozenset(m[0] for m in cues.AVERTING)


def _calibrate(p: float, threshold: float) -> float:
    """Maps a model probability so that its dev-chosen threshold lands on 0.5: the
    threshold does not transfer, so every tone is compared on the same footing."""
    if p < threshold:
        return 0.5 * p / threshold
    return 0.5 + 0.5 * (p - threshold) / (1 - threshold)


def _shouting(text: str, ws: list[Word]) -> list[tuple[int, int]]:
    """Spans of all-capital words (4+ letters), when at least two are in a row or the
    message is mostly capitals."""
    if _CAPS_RUN.search(text) is None:
        return []
    caps = [
        w
        for w in ws[:5000]
        if w.end - w.start >= SHOUT_MIN_LETTERS and text[w.start : w.end].isupper()
    ]
    if len(caps) < 2:
        return []
    return [(w.start, w.end) for w in caps]


def _model_spans(
    m: model.LinearTextModel,
    keys: list[int],
    raw: list[float],
    norm: float,
    tone: str,
    text: str,
    ws: list[Word],
    taken: list[ToneSpan],
) -> list[ToneSpan]:
    """The terms that pushed the model most towards ``tone``, not already shown by a cue."""
    if not keys:
        return []
    n = model.MAX_EXPLAINED_TERMS
    head = m.flat_heads[model.READ_HEAD]
    column = head.column(keys[:n], head.classes.index(tone))
    vals = [v / norm for v in raw[:n]]  # the message's TF-IDF values (``vector``)
    top = model.top_contributions(column, keys[:n], vals, MODEL_SPANS)
    out: list[ToneSpan] = []
    for c, term_id in top:
        if c < MIN_TERM_CONTRIBUTION:
            break
        parts = m.vocab[term_id].split(" ")
        k = _first_word(ws, parts[0])
        if k < 0 or (len(parts) == 2 and (k + 1 >= len(ws) or ws[k + 1].low != parts[1])):
            continue  # "!" and "?" terms, or a bigram whose first word comes earlier alone
        s, e = ws[k].start, ws[k + len(parts) - 1].end
        if "\n" in text[s:e]:
            continue  # a bigram across lines is no phrase of theirs
        if not any(o.start < e and s < o.end for o in (*taken, *out)):
            out.append(ToneSpan(s, e, tone, "model", text[s:e]))
    return out


def _first_word(ws: list[Word], term: str) -> int:
    """Index of the first word that is ``term``, or whose prefix term it is ("annoy~"
    for "annoyed"); -1 if none. At most three terms are looked up per reading, so a scan
    costs less than indexing every word."""
    if term.endswith("~"):
        stem = term[:-1]
        for k, w in enumerate(ws):
            if len(w.low) > PREFIX + 1 and w.low.startswith(stem):
                return k
        return -1
    for k, w in enumerate(ws):
        if w.low == term:
            return k
    return -1


STEP_VERBS: Final = subjectivity.STEP_VERBS
EXPECTED: Final = wordset("expected expect expecting should supposed instead")
ACTUAL: Final = (
    ("it", "says"),
    ("it", "shows"),
    ("i", "get"),
    ("i", "got"),
    ("nothing", "happens"),
    ("but", "it"),
    ("it", "just"),
    ("keeps", "showing"),
    ("it", "returns"),
)


_ACTUAL_RE: Final = re.compile("|".join(re.escape(" " + " ".join(a) + " ") for a in ACTUAL))
_ACTUAL_FIRST: Final = frozenset(a[0] for a in ACTUAL)  # no such word, no search
_DIGIT: Final = re.compile(r"\d")
_CAPS_RUN: Final = re.compile(r"[A-Z]{4}")


def _sentences(
    text: str,
    has_digit: bool,
    toks: list[Word],
    ws: list[Word],
    sent_spans: list[tuple[int, int]],
    terms: _ModelTerms,
    model_neutral: float,
    cue_hits: list[tuple[cues.Cue, int, int]],
    whole_words: tuple[list[str], set[str]],
) -> tuple[list[Sentence], list[Fact]]:
    """Each sentence as emotional or informational (and a question or not), and the
    facts a sentence is as a whole: a question, a request, a step, expected or actual."""
    groups = _sentence_words(ws, sent_spans)
    emotional_model = _sentence_priors(toks, sent_spans, terms, model_neutral)
    cue_by_sentence = _sentence_cues(ws, sent_spans, cue_hits)
    out: list[Sentence] = []
    found: list[Fact] = []
    for n in range(len(sent_spans)):
        s, e = sent_spans[n]
        g = groups[n]
        chunk = text[s:e]
        if g is ws:  # the one sentence: its words are the message's, already listed
            lows, lowset = whole_words
        else:
            lows = [w.low for w in g]
            lowset = set(lows)
        joined = " " + " ".join(lows) + " "
        informational = (
            (has_digit and _DIGIT.search(chunk) is not None)
            or "/" in chunk
            or "_" in chunk
            or subjectivity.reports_support_fact(lows, lowset, joined)
        )
        evaluative = subjectivity.evaluative_evidence(lowset, joined, chunk)
        score = 1 - (1 - emotional_model[n]) * (1 - cue_by_sentence[n]) * (1 - evaluative)
        if informational:
            score *= FACT_DAMPING
        else:
            score *= subjectivity.narration_damping(lowset)
        if len(lows) <= PHATIC_MAX_WORDS and subjectivity.is_phatic_call(lowset, chunk):
            score = max(score, PHATIC_SCORE)
        is_q, is_request = questions.classify(chunk, lows[:12], joined)
        kind: SentenceKind = "emotional" if score >= EMOTIONAL_AT else "informational"
        out.append(Sentence(s, e, kind, is_q, round4(score)))
        if len(found) < MAX_FACTS:
            _sentence_facts(found, chunk, s, e, lows, lowset, joined, is_q, is_request)
    return out, found


def _sentence_words(ws: list[Word], sent_spans: list[tuple[int, int]]) -> list[list[Word]]:
    """The words of each sentence, in one walk."""
    if len(sent_spans) == 1:
        return [ws]  # the one sentence holds every word (it is the trimmed text)
    groups: list[list[Word]] = []
    starts = [w.start for w in ws]
    ends = [w.end for w in ws]
    k = 0
    for s, e in sent_spans:
        # The words from the first starting at ``s`` while they end by ``e`` (both lists
        # ascend, so two bisections replace a walk word by word).
        k = bisect.bisect_left(starts, s, k)
        j = max(k, bisect.bisect_right(ends, e, k))
        groups.append(ws[k:j])
        k = j
    return groups


def _sentence_priors(
    toks: list[Word],
    sent_spans: list[tuple[int, int]],
    terms: _ModelTerms,
    model_neutral: float,
) -> list[float]:
    """The model's emotional score of each sentence (the prior where it is silent)."""
    m = terms.model
    if m is None:
        return [NO_MODEL_PRIOR] * len(sent_spans)
    if len(sent_spans) == 1:
        return [1 - model_neutral]  # one sentence: the whole-text reading is it
    flat = m.flat_heads[model.READ_HEAD]
    sentence_ids = _sentence_term_ids(toks, sent_spans, terms.uni, terms.bi, terms.pre)
    neutral = model.class_probs(flat, sentence_ids, m.idf_list, "neutral")
    thr = flat.threshold
    return [1 - _calibrate(p, thr) for p in neutral]


def _sentence_cues(
    ws: list[Word], sent_spans: list[tuple[int, int]], cue_hits: list[tuple[cues.Cue, int, int]]
) -> list[float]:
    """The tone cues' evidence within each sentence (independent signals combined)."""
    cue_by_sentence = [0.0] * len(sent_spans)
    si = 0
    for cue, i, _ in cue_hits:
        while si < len(sent_spans) and sent_spans[si][1] <= ws[i].start:
            si += 1
        if si < len(sent_spans):
            cue_by_sentence[si] = 1 - (1 - cue_by_sentence[si]) * (1 - cue.weight)
    return cue_by_sentence


def _sentence_facts(
    found: list[Fact],
    chunk: str,
    s: int,
    e: int,
    lows: list[str],
    lowset: set[str],
    joined: str,
    is_q: bool,
    is_request: bool,
) -> None:
    """Adds to ``found`` what the sentence ``chunk`` (at ``s:e``) is as a fact."""
    if is_q:
        found.append(Fact("question", s, e, chunk))
    elif is_request:
        found.append(Fact("request", s, e, chunk))
    head = lows[:4]
    if (("i" in head[:2] or "i've" in head[:2]) and not STEP_VERBS.isdisjoint(head)) or (
        chunk[:3].rstrip(".) ").isdigit() and len(lows) > 1
    ):
        found.append(Fact("step", s, e, chunk))
    if not EXPECTED.isdisjoint(lowset):
        found.append(Fact("expected", s, e, chunk))
    elif not _ACTUAL_FIRST.isdisjoint(lowset) and _ACTUAL_RE.search(joined):
        found.append(Fact("actual", s, e, chunk))


def _sentence_term_ids(
    toks: list[Word],
    sent_spans: list[tuple[int, int]],
    uni: list[int],
    bi: list[int],
    pre: list[int],
) -> list[list[int]]:
    """Each sentence's model terms: its tokens' unigram ids and the bigrams inside it."""
    out: list[list[int]] = []
    k = 0
    n = len(uni)
    for s, e in sent_spans:
        while k < n and toks[k].start < s:
            k += 1
        first = k
        while k < n and toks[k].end <= e:
            k += 1
        ids = [i for i in uni[first:k] if i >= 0]
        ids += [i for i in bi[first : k - 1] if i >= 0]
        ids += [i for i in pre[first:k] if i >= 0]
        out.append(ids)
    return out


def _priority(tone: str, intensity: float, stakes: list[Stake]) -> str:
    kinds = {st.kind for st in stakes}
    if kinds & URGENT_STAKES or (len(kinds) >= 2 and intensity >= HIGH_INTENSITY):
        return "urgent"
    if kinds & HIGH_STAKES or (tone in DISTRESSED_TONES and intensity >= HIGH_INTENSITY):
        return "high"
    if tone in {"grateful", "positive"} and not kinds:
        return "low"
    return "normal"


def _empty_reading(text: str, language: str, supported: bool) -> Reading:
    return Reading(
        text=text,
        tone="neutral",
        intensity=0.0,
        scores={t: (1.0 if t == "neutral" else 0.0) for t in TONES},
        tone_spans=(),
        sentences=(),
        facts=(),
        stakes=(),
        priority="normal",
        language=language,
        language_supported=supported,
        confidence=0.0,
        is_novice=False,
        notes=("no words to read",),
        engine_version=ENGINE_VERSION,
    )
