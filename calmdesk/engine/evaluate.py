"""The quality figures of ``calmdesk bench engine``, computed from the shipped engine.

GoEmotions follows the paper's protocol: multi-label, one threshold per model (chosen on
the dev split when the weights were trained, and stored with them), macro-F1 over the
classes including neutral. SUBJ and DailyDialog measure the shipped sentence splitter
and question detector as they are: nothing is trained or tuned on those sets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from calmdesk.engine import datasets, model
from calmdesk.engine.features import tokens
from calmdesk.engine.reading import read_message

T = TypeVar("T")
Progress = Callable[[Iterable[T], str], Iterable[T]]


def _plain(items: Iterable[T], desc: str) -> Iterable[T]:
    return items


def goemotions(data_dir: Path, progress: Progress[str] = _plain) -> dict[str, float]:
    """Macro-F1 on the GoEmotions test split for each head of the shipped tone model."""
    m = model.load()
    if m is None:
        return {}
    ge = datasets.load_goemotions(data_dir)
    ids = [m.term_ids(tokens(t)) for t in progress(ge.test.texts, "GoEmotions test")]
    out: dict[str, float] = {}
    for head, key in (
        ("ekman", "goemotions_ekman_macro_f1"),
        ("sentiment", "goemotions_sentiment_macro_f1"),
        ("all", "goemotions_all_macro_f1"),
        ("tones", "calmdesk_tones_macro_f1"),
    ):
        h = m.heads[head]
        probs = np.stack([m.probs(head, i) for i in ids])
        out[key] = round(datasets.macro_f1(ge.targets(ge.test, head), probs >= h.threshold), 4)
    return out


# SUBJ's lines are sorted (5,000 subjective, then 5,000 objective), so its first lines are
# no fair development set: every fifth line is (1,000 of each class). The splitter's
# hand-written rules were checked on it only; the other 8,000 lines are held out.
SUBJ_DEV_EVERY = 5


def subj_accuracy(data_dir: Path, progress: Progress[tuple[str, bool]] = _plain) -> float:
    """Share of SUBJ sentences the splitter classes right (subjective = emotional)."""
    return subj_accuracies(data_dir, progress)["subj_accuracy"]


def subj_accuracies(
    data_dir: Path, progress: Progress[tuple[str, bool]] = _plain
) -> dict[str, float]:
    """SUBJ accuracy on all 10,000 lines, on the development lines (every fifth) and on
    the 8,000 held-out lines."""
    rows = datasets.load_subj(data_dir)
    right = [0, 0]  # held out, development
    count = [0, 0]
    for n, (text, subjective) in enumerate(progress(rows, "SUBJ"), start=1):
        r = read_message(text)
        emotional = any(s.kind == "emotional" for s in r.sentences)
        dev = int(n % SUBJ_DEV_EVERY == 0)
        right[dev] += emotional == subjective
        count[dev] += 1
    return {
        "subj_accuracy": round(sum(right) / len(rows), 4),
        "subj_dev_accuracy": round(right[1] / max(1, count[1]), 4),
        "subj_heldout_accuracy": round(right[0] / max(1, count[0]), 4),
    }


def dailydialog_questions(
    data_dir: Path, progress: Progress[tuple[str, int, int]] = _plain
) -> dict[str, float]:
    """Question detection (act 2) on DailyDialog test: F1 and accuracy, ours and the
    "contains ?" rule's on the same utterances."""
    tp = fp = fn = tn = 0
    btp = bfp = bfn = btn = 0
    for text, act, _ in progress(list(datasets.iter_dailydialog(data_dir, "test")), "DailyDialog"):
        truth = act == 2
        ours = any(s.is_question for s in read_message(text).sentences)
        base = "?" in text
        tp, fp, fn, tn = (
            tp + (ours and truth),
            fp + (ours and not truth),
            fn + (truth and not ours),
            tn + (not ours and not truth),
        )
        btp, bfp, bfn, btn = (
            btp + (base and truth),
            bfp + (base and not truth),
            bfn + (truth and not base),
            btn + (not base and not truth),
        )
    n = tp + fp + fn + tn
    return {
        "dailydialog_question_f1": round(2 * tp / max(1, 2 * tp + fp + fn), 4),
        "dailydialog_question_accuracy": round((tp + tn) / max(1, n), 4),
        "dailydialog_contains_q_f1": round(2 * btp / max(1, 2 * btp + bfp + bfn), 4),
        "dailydialog_contains_q_accuracy": round((btp + btn) / max(1, n), 4),
    }


POLITE_AT = 0.5
POLITENESS_FOLDS = 10  # the paper's in-domain protocol
POLITENESS_SEED = 0  # fixed fold assignment: the figure is reproducible


def politeness_cv(
    data_dir: Path, community: str = "wikipedia", progress: Progress[Any] = _plain
) -> float:
    """In-domain accuracy as the paper measures it: 10-fold cross-validation on one
    community's quartiles, with the recipe (``train.fit_politeness``) of the shipped file.
    Trains small models here: about a second a fold."""
    from calmdesk.engine.train import fit_politeness

    rows = datasets.quartile_extremes(datasets.load_politeness(data_dir, community))
    order = np.random.default_rng(POLITENESS_SEED).permutation(len(rows))
    right = 0
    for fold in progress(list(np.array_split(order, POLITENESS_FOLDS)), "politeness CV"):
        held = set(fold.tolist())
        train_rows = [r for i, r in enumerate(rows) if i not in held]
        m = fit_politeness(train_rows)
        test_rows = [rows[i] for i in fold]
        probs = m.predict([t for t, _ in test_rows])
        right += sum(
            (p >= POLITE_AT) == polite for p, (_, polite) in zip(probs, test_rows, strict=True)
        )
    return round(
        right / len(rows), 4
    )  # the model is trained on balanced quartiles, so 0.5 is its midpoint
