"""Readers for the public labelled data in ``../shared/data`` (see its README) and the
metrics the paper protocols use. Used by ``calmdesk engine train`` and the bench only."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from calmdesk.engine.tones import GOEMOTIONS_TO_TONE, TONES

DEFAULT_DATA_DIR = "../shared/data"  # relative to the repository root (documented default)


def default_data_dir() -> Path:
    """``../shared/data`` next to the repository that holds this package."""
    repo_root = Path(__file__).resolve().parents[2]
    return (repo_root / DEFAULT_DATA_DIR).resolve()


@dataclass(frozen=True)
class GoEmotionsSplit:
    texts: list[str]
    labels: list[list[int]]  # ids into GoEmotions.label_names


@dataclass(frozen=True)
class GoEmotions:
    label_names: list[str]
    ekman: dict[str, list[str]]
    sentiment: dict[str, list[str]]
    train: GoEmotionsSplit
    dev: GoEmotionsSplit
    test: GoEmotionsSplit

    def grouping(self, name: str) -> list[str]:
        """Class names of a grouping: "all", "ekman", "sentiment" or "tones" (+ neutral)."""
        if name == "all":
            return list(self.label_names)
        if name == "tones":
            return list(TONES)
        groups = self.ekman if name == "ekman" else self.sentiment
        return [*groups, "neutral"]

    def label_map(self, name: str) -> npt.NDArray[np.float32]:
        """(28, classes) 0/1 matrix: which class of grouping ``name`` each label joins."""
        one = GoEmotionsSplit(
            texts=[""] * len(self.label_names), labels=[[i] for i in range(len(self.label_names))]
        )
        return self.targets(one, name)

    def targets(self, split: GoEmotionsSplit, name: str) -> npt.NDArray[np.float32]:
        """Multi-hot targets of a split under a grouping."""
        classes = self.grouping(name)
        index = {c: i for i, c in enumerate(classes)}
        label_to_class: dict[str, str] = {}
        if name == "all":
            label_to_class = {c: c for c in classes}
        elif name == "tones":
            label_to_class = dict(GOEMOTIONS_TO_TONE)
        else:
            groups = self.ekman if name == "ekman" else self.sentiment
            label_to_class = {lab: g for g, labs in groups.items() for lab in labs}
            label_to_class["neutral"] = "neutral"
        y = np.zeros((len(split.texts), len(classes)), dtype=np.float32)
        for row, ids in enumerate(split.labels):
            for i in ids:
                y[row, index[label_to_class[self.label_names[i]]]] = 1.0
        return y


def _read_goemotions_split(path: Path) -> GoEmotionsSplit:
    texts, labels = [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            texts.append(parts[0])
            labels.append([int(x) for x in parts[1].split(",") if x])
    return GoEmotionsSplit(texts, labels)


def load_goemotions(data_dir: Path) -> GoEmotions:
    root = data_dir / "goemotions"
    names = (root / "labels.txt").read_text(encoding="utf-8").split()
    return GoEmotions(
        label_names=names,
        ekman=json.loads((root / "ekman_mapping.json").read_text(encoding="utf-8")),
        sentiment=json.loads((root / "sentiment_dict.json").read_text(encoding="utf-8")),
        train=_read_goemotions_split(root / "train.tsv"),
        dev=_read_goemotions_split(root / "dev.tsv"),
        test=_read_goemotions_split(root / "test.tsv"),
    )


def load_subj(data_dir: Path) -> list[tuple[str, bool]]:
    """(sentence, is_subjective) pairs; first token 0 = subjective, 1 = objective."""
    out = []
    with (data_dir / "subj" / "subj.all").open(encoding="latin-1") as f:
        for line in f:
            label, _, text = line.strip().partition(" ")
            if text:
                out.append((text, label == "0"))
    return out


def load_politeness(data_dir: Path, community: str) -> list[tuple[str, float]]:
    """(request, normalized politeness z-score) for "wikipedia" or "stack-exchange"."""
    path = data_dir / "stanford_politeness" / f"{community}.annotated.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["Request"], float(r["Normalized Score"])) for r in csv.DictReader(f)]


def quartile_extremes(rows: list[tuple[str, float]]) -> list[tuple[str, bool]]:
    """The paper's binary task: top quartile (polite) vs bottom quartile (impolite)."""
    scores = np.array([s for _, s in rows])
    low, high = np.quantile(scores, 0.25), np.quantile(scores, 0.75)
    return [(t, s >= high) for t, s in rows if s >= high or s <= low]


def iter_dailydialog(data_dir: Path, split: str = "test") -> Iterator[tuple[str, int, int]]:
    """(utterance, act, emotion) for every utterance of a DailyDialog split."""
    root = data_dir / "dailydialog" / split
    with (
        (root / f"dialogues_{split}.txt").open(encoding="utf-8") as texts,
        (root / f"dialogues_act_{split}.txt").open(encoding="utf-8") as acts,
        (root / f"dialogues_emotion_{split}.txt").open(encoding="utf-8") as emos,
    ):
        for t_line, a_line, e_line in zip(texts, acts, emos, strict=False):
            utts = [u.strip() for u in t_line.split("__eou__")]
            utts = [u for u in utts if u]
            for u, a, e in zip(utts, a_line.split(), e_line.split(), strict=False):
                yield u, int(a), int(e)


def macro_f1(y_true: npt.NDArray[np.float32], y_pred: npt.NDArray[np.bool_]) -> float:
    """Unweighted mean of per-class F1 (a class with no true and no predicted rows scores 0)."""
    t = y_true > 0
    tp = (t & y_pred).sum(axis=0).astype(np.float64)
    fp = (~t & y_pred).sum(axis=0)
    fn = (t & ~y_pred).sum(axis=0)
    denom = 2 * tp + fp + fn
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    return float(f1.mean())


# Candidate thresholds scanned on the dev split (one threshold per model, as in the paper).
THRESHOLD_GRID = tuple(round(0.01 * i, 2) for i in range(1, 100))


def best_threshold(y_true: npt.NDArray[np.float32], probs: npt.NDArray[np.float32]) -> float:
    scores = [(macro_f1(y_true, probs >= th), th) for th in THRESHOLD_GRID]
    return max(scores)[1]
