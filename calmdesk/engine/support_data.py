"""Readers for the support-domain sets in ``../shared/data/support`` (see its README):
texts with a negative / neutral / positive label, and the hand-labelled complaint sample.
Used by ``calmdesk engine train`` and the bench only; the texts never enter the repo.

Label mapping (issue 10): sentiment labels as given; star ratings 1–2 negative, 3 neutral,
4–5 positive; rows labelled irrelevant, "I can't tell" or not_relevant are dropped."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from calmdesk.engine.native import ENGINE_DIR

SUPPORT_DIR = "support"
COMPLAINT_LABELS = ENGINE_DIR / "data" / "labels" / "twcs_complaints.csv"
TWCS_TWEETS = ("twcs_agent_replies", "twcs_customer_tweets.csv")


@dataclass(frozen=True)
class SentimentSet:
    name: str
    licence: str
    permissive: bool  # may shipped weights be trained on it
    folder: str
    file: str
    column: str
    mapping: dict[str, str]  # label as written → negative / neutral / positive


_STARS = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}
_LOWER = {"negative": "negative", "neutral": "neutral", "positive": "positive"}

SETS: tuple[SentimentSet, ...] = (
    SentimentSet(
        "apple_twitter_sentiment",
        "unknown",
        False,
        "apple_twitter_sentiment",
        "apple_twitter_sentiment.csv",
        "label",
        _LOWER,
    ),
    SentimentSet(
        "brands_product_emotions",
        "unknown",
        False,
        "brands_product_emotions",
        "brands_product_emotions.csv",
        "label",
        {
            "Negative emotion": "negative",
            "No emotion toward brand or product": "neutral",
            "Positive emotion": "positive",
        },
    ),
    SentimentSet(
        "sanders_twitter",
        "unknown",
        False,
        "sanders_twitter",
        "sanders_twitter_sentiment.csv",
        "label",
        _LOWER,
    ),
    SentimentSet(
        "twitter_entity_sentiment_companies",
        "unknown",
        False,
        "twitter_entity_sentiment_companies",
        "twitter_entity_sentiment_companies.csv",
        "label",
        {"Negative": "negative", "Neutral": "neutral", "Positive": "positive"},
    ),
    SentimentSet(
        "uci_sentiment_sentences",
        "CC BY 4.0",
        True,
        "uci_sentiment_sentences",
        "sentiment_labelled_sentences.csv",
        "label",
        {"0": "negative", "1": "positive"},
    ),
    SentimentSet(
        "amazon_alexa_reviews",
        "unknown",
        False,
        "amazon_alexa_reviews",
        "amazon_alexa_reviews.csv",
        "rating",
        _STARS,
    ),
    SentimentSet(
        "uber_app_reviews",
        "unknown",
        False,
        "uber_app_reviews",
        "uber_app_reviews.csv",
        "score",
        _STARS,
    ),
)
SET_NAMES = tuple(s.name for s in SETS)


def load_set(data_dir: Path, s: SentimentSet) -> list[tuple[str, str]]:
    """(text, sentiment) rows of one set; rows whose label is not mapped are dropped."""
    path = data_dir / SUPPORT_DIR / s.folder / s.file
    out: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = s.mapping.get((row.get(s.column) or "").strip())
            text = (row.get("text") or "").strip()
            if label and text:
                out.append((text, label))
    return out


def load_complaints(data_dir: Path) -> list[tuple[str, bool, str]]:
    """(text, complaint, sentiment) for the hand-labelled tweets (ids in the repo, text in
    the shared data)."""
    with COMPLAINT_LABELS.open(encoding="utf-8", newline="") as f:
        labels = {r["tweet_id"]: (r["complaint"] == "1", r["sentiment"]) for r in csv.DictReader(f)}
    path = data_dir / SUPPORT_DIR / TWCS_TWEETS[0] / TWCS_TWEETS[1]
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["tweet_id"] in labels:
                texts[row["tweet_id"]] = row["text"]
    return [(texts[i], c, s) for i, (c, s) in labels.items() if i in texts]


SET_BY_NAME = {s.name: s for s in SETS}
