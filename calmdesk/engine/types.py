"""The engine's values: frozen dataclasses in, frozen dataclasses out.

The values made for every message write their ``__init__`` out (``init=False``): the one
``dataclass`` generates is Python that mypyc cannot compile, and costs ~2 µs a value even
compiled; a written one compiles to C (~0.1 µs). ``object.__setattr__`` is how a frozen
dataclass sets its own fields, as the generated one does."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Final, Literal

SentenceKind = Literal["emotional", "informational"]
Reproduced = Literal["not_tried", "reproduced", "not_reproduced"]
Severity = Literal["info", "warning", "error"]
Role = Literal["customer", "agent"]
SEVERITY_RANK: Final[dict[str, int]] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, init=False)
class ToneSpan:
    """Characters ``[start, end)`` that carry a tone, and why (a cue name or "model")."""

    start: int
    end: int
    tone: str
    reason: str
    text: str

    def __init__(self, start: int, end: int, tone: str, reason: str, text: str) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "tone", tone)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "text", text)


@dataclass(frozen=True, init=False)
class Sentence:
    start: int
    end: int
    kind: SentenceKind
    is_question: bool
    emotional_score: float

    def __init__(
        self, start: int, end: int, kind: SentenceKind, is_question: bool, emotional_score: float
    ) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "is_question", is_question)
        object.__setattr__(self, "emotional_score", emotional_score)


@dataclass(frozen=True, init=False)
class Fact:
    """Something the agent must act on: an error, a version, a URL, a step, a question…"""

    kind: str
    start: int
    end: int
    text: str
    value: str = ""  # a normalised form when there is one (an ISO date for "yesterday")

    def __init__(self, kind: str, start: int, end: int, text: str, value: str = "") -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "value", value)


@dataclass(frozen=True, init=False)
class Stake:
    """What is at risk for the customer (F3): revenue, clients, a deadline, data…, and
    why it was read so ("payroll", "money per hour", "records gone"…)."""

    kind: str
    start: int
    end: int
    text: str
    reason: str = ""

    def __init__(self, kind: str, start: int, end: int, text: str, reason: str = "") -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True, init=False)
class ComplaintSpan:
    """Characters ``[start, end)`` that show something failed or was not done, and why
    ("failure", "still broken", "sarcasm", "repeated contact"…, or "model")."""

    start: int
    end: int
    text: str
    reason: str

    def __init__(self, start: int, end: int, text: str, reason: str) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "reason", reason)


Sentiment = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True, init=False)
class Reading:
    """What the engine read in one customer message. Spans index ``text``."""

    text: str
    tone: str
    intensity: float
    scores: dict[str, float]
    tone_spans: tuple[ToneSpan, ...]
    sentences: tuple[Sentence, ...]
    facts: tuple[Fact, ...]
    stakes: tuple[Stake, ...]
    priority: str  # "low" | "normal" | "high" | "urgent"
    language: str  # ISO 639-1 code, or "und" when the engine cannot tell
    language_supported: bool
    confidence: float
    is_novice: bool
    notes: tuple[str, ...] = field(default=())
    engine_version: str = ""
    # How the customer feels about what happened, apart from the emotion (tone): a calm
    # "the export stops at row 1,204" is negative, a complaint, and neutral in tone.
    sentiment: Sentiment = "neutral"
    sentiment_score: float = 0.0  # -1 (negative) … 1 (positive)
    complaint: bool = False  # the customer reports something failed, went wrong, not done
    complaint_score: float = 0.0  # 0–1
    complaint_spans: tuple[ComplaintSpan, ...] = field(default=())

    def __init__(
        self,
        text: str,
        tone: str,
        intensity: float,
        scores: dict[str, float],
        tone_spans: tuple[ToneSpan, ...],
        sentences: tuple[Sentence, ...],
        facts: tuple[Fact, ...],
        stakes: tuple[Stake, ...],
        priority: str,
        language: str,
        language_supported: bool,
        confidence: float,
        is_novice: bool,
        notes: tuple[str, ...] = (),
        engine_version: str = "",
        sentiment: Sentiment = "neutral",
        sentiment_score: float = 0.0,
        complaint: bool = False,
        complaint_score: float = 0.0,
        complaint_spans: tuple[ComplaintSpan, ...] = (),
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "tone", tone)
        object.__setattr__(self, "intensity", intensity)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "tone_spans", tone_spans)
        object.__setattr__(self, "sentences", sentences)
        object.__setattr__(self, "facts", facts)
        object.__setattr__(self, "stakes", stakes)
        object.__setattr__(self, "priority", priority)
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "language_supported", language_supported)
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "is_novice", is_novice)
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "engine_version", engine_version)
        object.__setattr__(self, "sentiment", sentiment)
        object.__setattr__(self, "sentiment_score", sentiment_score)
        object.__setattr__(self, "complaint", complaint)
        object.__setattr__(self, "complaint_score", complaint_score)
        object.__setattr__(self, "complaint_spans", complaint_spans)

    @property
    def is_unsure(self) -> bool:
        """True when the engine says so rather than guessing (F4)."""
        return not self.language_supported or self.confidence < UNSURE_BELOW

    def to_dict(self, *, include_text: bool = False) -> dict[str, Any]:
        """A JSON-ready dict (the text itself only when asked: the desk already has it).

        Equal to ``dataclasses.asdict`` plus ``is_unsure``, built by hand: ``asdict``
        deep-copies recursively and cost a third of a reading on the ingest path."""
        out: dict[str, Any] = {name: getattr(self, name) for name in _READING_FIELDS}
        if not include_text:
            del out["text"]
        out["scores"] = dict(self.scores)
        for name in _SPAN_FIELDS:
            out[name] = tuple(_flat(item) for item in out[name])
        out["is_unsure"] = self.is_unsure
        return out


_READING_FIELDS: Final = tuple(f.name for f in fields(Reading))
_SPAN_FIELDS: Final = ("tone_spans", "sentences", "facts", "stakes", "complaint_spans")
_FIELD_NAMES: Final[dict[type, tuple[str, ...]]] = {}


def _flat(item: Any) -> dict[str, Any]:
    """A dataclass whose fields are all plain values (a span, a sentence, a fact)."""
    names = _FIELD_NAMES.get(type(item))
    if names is None:
        names = _FIELD_NAMES[type(item)] = tuple(f.name for f in fields(item))
    return {name: getattr(item, name) for name in names}


# Below this confidence the reading says "not sure" (F4). Chosen so that a message whose
# best tone wins by less than a fifth of the score range is reported as unsure.
UNSURE_BELOW: Final = 0.35


@dataclass(frozen=True)
class Thread:
    """The conversation a draft answers. ``messages`` are (role, text), oldest first."""

    customer_name: str = ""
    messages: tuple[tuple[Role, str], ...] = ()
    reproduced: Reproduced = "not_tried"
    product: str = ""
    known_details: tuple[str, ...] = ()

    @property
    def customer_texts(self) -> list[str]:
        return [t for role, t in self.messages if role == "customer"]


@dataclass(frozen=True, init=False)
class Finding:
    code: str
    name: str
    severity: Severity
    start: int
    end: int
    message: str
    suggestion: str

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        start: int,
        end: int,
        message: str,
        suggestion: str,
    ) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "suggestion", suggestion)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Stripped:
    """Text with quoted replies and the signature removed, and how to map back.

    ``segments`` are ``(kept_start, original_start, length)``: ``text[kept_start:
    kept_start + length]`` is ``original[original_start: original_start + length]``.
    Kept pieces are joined by one newline that belongs to no segment."""

    original: str
    text: str
    segments: tuple[tuple[int, int, int], ...]
    removed: tuple[str, ...] = ()  # what went: "quote", "signature", "attribution"

    def original_index(self, i: int) -> int:
        """The index in ``original`` of ``text[i]`` (a joining newline maps to the end of
        the piece before it)."""
        last_end = 0
        for kept, orig, length in self.segments:
            if i < kept:
                return last_end
            if i < kept + length:
                return orig + (i - kept)
            last_end = orig + length
        return len(self.original) if not self.segments else last_end

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Maps a ``[start, end)`` span of ``text`` to ``original``."""
        if end <= start:
            s = self.original_index(start)
            return (s, s)
        return (self.original_index(start), self.original_index(end - 1) + 1)
