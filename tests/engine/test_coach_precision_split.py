"""The coach-precision bench's split and labels: written down, deterministic, ids only."""

from __future__ import annotations

import csv

from calmdesk.bench.coach_precision import (
    LABELS_FILE,
    SAMPLE_SIZE,
    TUNING_LABELS_FILE,
    Pair,
    draft_of,
    split_of,
)
from calmdesk.engine.rules import RULES_BY_CODE


def _pair(company: str, n: int) -> Pair:
    return Pair(str(n), str(1000 + n), company, "customer", "agent")


def test_brands_alternate_by_size_and_each_is_whole_in_one_half() -> None:
    pairs = [_pair("Big", i) for i in range(5)]
    pairs += [_pair("Mid", i) for i in range(5, 8)]
    pairs += [_pair("Small", 8), _pair("Tiny", 9)]
    assert split_of(pairs) == {
        "Big": "tuning",
        "Mid": "reporting",
        "Small": "tuning",  # ties by name: Small before Tiny
        "Tiny": "reporting",
    }


def test_the_labels_are_ids_and_a_verdict_only() -> None:
    with LABELS_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == SAMPLE_SIZE
    assert set(rows[0]) == {"customer_tweet_id", "agent_tweet_id", "label"}
    for row in rows:
        assert row["agent_tweet_id"].isdigit() and row["customer_tweet_id"].isdigit()
        assert row["label"] == "fine" or row["label"] in RULES_BY_CODE


def test_a_tweet_becomes_a_draft_without_handles_or_sign_off() -> None:
    assert (
        draft_of("@115854 We're on it &amp; we'll DM you. ^SC 1/2") == "We're on it & we'll DM you."
    )


def test_the_tuning_labels_are_ids_and_a_verdict_only_each_pair_once() -> None:
    with TUNING_LABELS_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(rows[0]) == {"customer_tweet_id", "agent_tweet_id", "label"}
    ids = [row["agent_tweet_id"] for row in rows]
    assert len(ids) == len(set(ids))
    with LABELS_FILE.open(encoding="utf-8", newline="") as f:
        reporting = {row["agent_tweet_id"] for row in csv.DictReader(f)}
    assert not reporting & set(ids)
    for row in rows:
        assert row["agent_tweet_id"].isdigit() and row["customer_tweet_id"].isdigit()
        assert row["label"] == "fine" or row["label"] in RULES_BY_CODE
