"""The eight calmdesk tones and how the GoEmotions labels map onto them.

GoEmotions (Demszky et al. 2020) has 27 emotions + neutral from Reddit comments. A help
desk needs fewer, support-shaped classes, so the 28 labels are grouped; a comment carrying
several labels carries each of their tones. The groups follow the paper's Ekman grouping
where it fits (anger, fear, sadness) and split its "joy" into thanks and other positive
feelings, and its anger into heat (angry) and let-down (frustrated), the distinction an
agent acts on."""

from __future__ import annotations

from typing import Final

TONES: Final[tuple[str, ...]] = (
    "angry",
    "frustrated",
    "anxious",
    "sad",
    "confused",
    "grateful",
    "positive",
    "neutral",
)
NEGATIVE_TONES: Final = frozenset({"angry", "frustrated", "anxious", "sad", "confused"})
DISTRESSED_TONES: Final = frozenset({"angry", "frustrated", "anxious", "sad"})

GOEMOTIONS_TO_TONE: Final[dict[str, str]] = {
    "anger": "angry",
    "disgust": "angry",
    "annoyance": "frustrated",
    "disapproval": "frustrated",
    "disappointment": "frustrated",
    "fear": "anxious",
    "nervousness": "anxious",
    "sadness": "sad",
    "grief": "sad",
    "remorse": "sad",
    "embarrassment": "sad",
    "confusion": "confused",
    "gratitude": "grateful",
    "relief": "grateful",
    "admiration": "positive",
    "amusement": "positive",
    "approval": "positive",
    "caring": "positive",
    "desire": "positive",
    "excitement": "positive",
    "joy": "positive",
    "love": "positive",
    "optimism": "positive",
    "pride": "positive",
    # A question or a realisation is not an emotion a support agent must answer to.
    "curiosity": "neutral",
    "realization": "neutral",
    "surprise": "neutral",
    "neutral": "neutral",
}
