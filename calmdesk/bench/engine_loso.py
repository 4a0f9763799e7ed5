"""``calmdesk bench engine --support-only --not-shipped``: what a sentiment head trained on
the support sets themselves would read, leave-one-source-out. NOT SHIPPED: most of those
sets are of unknown or non-commercial licence (../shared/data/support/README.md), so this
head exists only inside the bench run, to say how much in-domain data would be worth.

For each support set S: a head over the tone model's terms (as the shipped one, the same
training code) is trained on GoEmotions' train split, the UCI sentences and every other
support set, leaving out S whole and the rows each other set shows the bench; the
negative-vs-not threshold is chosen on GoEmotions dev and those other sets' bench rows
(never trained on), then S's bench rows are read. Seven heads: several minutes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from calmdesk.bench.engine import (
    SAMPLE_SEED,
    SUPPORT_SETS,
    _best_threshold,
    _Scored,
)


def not_shipped_figures(data_dir: Path, sample: int) -> dict[str, Any]:
    """``{set}_not_shipped_macro_f1`` and its threshold for each support set."""
    from calmdesk.engine import model, sentiment, support_data, train
    from calmdesk.engine.datasets import load_goemotions

    ge = load_goemotions(data_dir)
    base_texts = list(ge.train.texts)
    base_classes = train.goemotions_sentiment(ge, ge.train)
    rows = {s.name: support_data.load_set(data_dir, s) for s in support_data.SETS}
    shown: dict[str, list[tuple[str, str]]] = {}
    held: dict[str, list[tuple[str, str]]] = {}
    for name, all_rows in rows.items():
        if sample and len(all_rows) > sample:
            pick = set(random.Random(SAMPLE_SEED).sample(range(len(all_rows)), sample))
        else:
            pick = set(range(len(all_rows)))
        shown[name] = [all_rows[i] for i in sorted(pick)]
        held[name] = [r for i, r in enumerate(all_rows) if i not in pick]
    dev = list(zip(ge.dev.texts, train.goemotions_sentiment(ge, ge.dev), strict=True))
    if sample and len(dev) > sample:
        dev = random.Random(SAMPLE_SEED).sample(dev, sample)
    tone = model.load_tone()
    if tone is None:
        return {}
    idf = np.array(tone.idf, dtype=np.float32)
    out: dict[str, Any] = {}
    for name in SUPPORT_SETS:
        texts, classes = list(base_texts), list(base_classes)
        for other, other_rows in held.items():
            if other != name:
                texts += [t for t, _ in other_rows]
                classes += [train.SENTIMENT_CLASSES.index(label) for _, label in other_rows]
        w, b = train.fit_sentiment(texts, classes, tone.vocab, idf)
        head_name = f"not_shipped_without_{name}"
        sentiment.install_head(head_name, w, b)
        scored = [_Scored([t for t, _ in dev], [c == 0 for _, c in dev], head_name)]
        for other in SUPPORT_SETS:
            if other != name:
                scored.append(_scored(shown[other], head_name))
        t = _best_threshold(scored)
        out[f"{name}_not_shipped_macro_f1"] = round(_scored(shown[name], head_name).f1_at(t), 4)
        out[f"{name}_not_shipped_negative_at"] = t
    return out


def _scored(rows: list[tuple[str, str]], head_name: str) -> _Scored:
    return _Scored([t for t, _ in rows], [label == "negative" for _, label in rows], head_name)
