"""``calmdesk bench engine [--json] [--data DIR]``: the engine's quality and speed, each
figure beside its anchor (published in ../shared/data/README.md, or measured in this
same run, like VADER's speed on the same texts).

Quality figures come from the shipped weights and cues; nothing is trained here. Without
the shared data the bench says what it skipped and still measures speed."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# The support sets of ../shared/data/support with sentiment labels (support_data.SETS).
SUPPORT_SETS = (
    "apple_twitter_sentiment",
    "brands_product_emotions",
    "sanders_twitter",
    "twitter_entity_sentiment_companies",
    "uci_sentiment_sentences",
    "amazon_alexa_reviews",
    "uber_app_reviews",
)
# Each support set's figure must beat VADER's on the same texts by this much (issue 10).
VADER_MARGIN = 0.08
# VADER's own line for negative (its README: compound <= -0.05).
VADER_NEGATIVE_AT = -0.05
# Candidate thresholds on the sentiment score (-1…1) for negative-vs-not.
NEGATIVE_GRID = tuple(round(-0.95 + 0.05 * i, 2) for i in range(30))

# Published anchors (../shared/data/README.md) and this targets.
ANCHORS: dict[str, tuple[str, float | None]] = {
    "goemotions_ekman_macro_f1": ("BERT-base 0.64, TF-IDF+LR 0.57", 0.58),
    "goemotions_sentiment_macro_f1": ("BERT-base 0.69, TF-IDF+LR 0.63", None),
    "goemotions_all_macro_f1": ("BERT-base 0.46, TF-IDF+LR 0.46", None),
    "calmdesk_tones_macro_f1": ("(our 8 tones; no published anchor)", None),
    "subj_accuracy": ("NB-SVM 0.93, TF-IDF+linear 0.91 (supervised)", 0.80),
    "subj_heldout_accuracy": ("the 8,000 lines no rule was checked on", 0.80),
    "subj_dev_accuracy": ("every fifth line: where the rules were checked", None),
    "dailydialog_question_f1": ("'contains ?' 0.878", 0.90),
    "politeness_wikipedia_accuracy": ("BoW 0.80, linguistic 0.84, humans 0.87 (in-domain)", 0.80),
    **{
        f"{name}_negative_macro_f1": (
            "negative vs not, threshold chosen without this set; target VADER + 0.08",
            None,
        )
        for name in SUPPORT_SETS
    },
    **{
        f"{name}_not_shipped_macro_f1": (
            "NOT SHIPPED: a head trained on the other support sets too (--not-shipped)",
            None,
        )
        for name in SUPPORT_SETS
    },
    "twcs_complaint_f1": (
        "300 hand-labelled tweets, complaint F1; VADER compound as complaint",
        None,
    ),
    "twcs_negative_macro_f1": ("the same tweets, negative vs not (shipped threshold)", None),
    "read_per_s": ("≥ half of vader_per_s", None),
    "vader_per_s": ("vaderSentiment 3.3.2, same texts, same run", None),
    "read_median_us": ("typical 120-word message; well under 1,000 µs", 1000),
    "check_median_us": ("typical draft, re-checked against its thread (as while typing)", 2000),
    "check_cold_median_us": ("the same, first check of a new thread (reads it too)", None),
    "peak_rss_mb": ("a child process that loads only the engine and its weights", 150),
    "read_us_per_kb_1kb": ("µs per KB at 1 KB", None),
    "read_us_per_kb_1mb": ("µs per KB at 1 MB (linear: close to the 1 KB figure)", None),
    "pure_read_per_s": ("the engine as pure Python (no compiled build), same texts", None),
    "pure_vader_per_s": ("VADER beside it, in that process", None),
    "pure_read_vs_vader": ("the pure engine's share of VADER's speed", None),
    "pure_read_median_us": ("typical 120-word message, pure Python", None),
    "pure_check_median_us": ("draft re-checked, pure Python", None),
}
LOWER_IS_BETTER = {"read_median_us", "check_median_us", "peak_rss_mb"}

# A typical customer message (~120 words) and a draft reply, for the per-message figures.
TYPICAL_MESSAGE = (
    "Hi, this is the third time I'm writing about this and I'm honestly getting fed up. "
    "Since your update on Monday our checkout page shows a blank screen for about half "
    "of our customers, and we're losing sales every hour it stays like this. I already "
    "cleared the cache, disabled the other plugins and reinstalled version 4.2.1, but it "
    'still shows "Error: payment gateway timeout" in the log. I expected the old '
    "behaviour to come back after the rollback. Nothing changed. Our biggest client is "
    "launching a sale on Friday and I can't tell them the shop is broken. How do I get "
    "back to 4.1 safely, and will I lose the orders placed since Monday? Please call me "
    "at 555-0142 if that is quicker. Thanks, Maria"
)
TYPICAL_DRAFT = (
    "Hi Maria, I'm sorry the checkout has been failing since Monday, and right before "
    "your client's sale. I reproduced the blank screen on 4.2.1 with a payment gateway "
    "timeout, and 4.1.3 fixes it here. You won't lose the orders placed since Monday: "
    "they are stored before the payment step. To go back to 4.1.3, open Plugins, choose "
    "Versions and pick 4.1.3. I'll call you at 555-0142 in ten minutes to go through it "
    "together."
)
SUPPORT_SAMPLES = (
    TYPICAL_MESSAGE,
    "Still waiting since Monday. Where is my refund?",
    "Thank you so much, it works now!",
    "How do I export my contacts to CSV?",
    "I've been on hold for 2 hours. This is ridiculous.",
    "Our site is down and customers can't check out. Please help ASAP.",
)


def _progress(items: Iterable[T], desc: str) -> Iterable[T]:
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="text", leave=False, file=sys.stderr, mininterval=0.5)


# Speeds are CPU time of this process (all its threads), not wall time: on a shared
# machine other processes stretch wall time, for calmdesk and VADER alike but not equally.
_clock_ns = time.process_time_ns


# Texts read by one reader before the other takes its turn: the load of a shared machine
# drifts over seconds, so taking turns every few milliseconds lets both meet the same load.
TURN = 100


def _rates(readers: dict[str, Callable[[str], object]], texts: list[str]) -> dict[str, float]:
    """Texts per second of CPU time for each reader, taking turns on the same texts."""
    spent = dict.fromkeys(readers, 0)
    for i in _progress(range(0, len(texts), TURN), "calmdesk and VADER"):
        part = texts[i : i + TURN]
        for name, fn in readers.items():
            start = _clock_ns()
            for t in part:
                fn(t)
            spent[name] += _clock_ns() - start
    return {name: len(texts) / (ns / 1e9) for name, ns in spent.items()}


def _median_us(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = _clock_ns()
        fn()
        times.append((_clock_ns() - start) / 1000)
    return statistics.median(times)


def measure(
    data_dir: Path, repeat: int, limit: int = 0, sample: int = 0
) -> tuple[dict[str, Any], list[str]]:
    from calmdesk.engine import evaluate, read_message

    out: dict[str, Any] = {}
    skipped: list[str] = []
    read_message("warm up: loads the weights once")
    have_data = data_dir.is_dir()

    # --- quality ------------------------------------------------------------------
    if have_data and (data_dir / "goemotions").is_dir():
        out.update(evaluate.goemotions(data_dir, _progress))
    else:
        skipped.append(f"GoEmotions (not found under {data_dir})")
    if have_data and (data_dir / "subj").is_dir():
        out.update(evaluate.subj_accuracies(data_dir, _progress))
    else:
        skipped.append("SUBJ")
    if have_data and (data_dir / "dailydialog").is_dir():
        out.update(evaluate.dailydialog_questions(data_dir, _progress))
    else:
        skipped.append("DailyDialog")
    if have_data and (data_dir / "stanford_politeness").is_dir():
        # The anchors are in-domain: 10-fold CV with the shipped file's recipe. The
        # shipped file itself (trained on both communities) is not scored on its own data.
        out["politeness_wikipedia_accuracy"] = evaluate.politeness_cv(
            data_dir, "wikipedia", _progress
        )
    else:
        skipped.append("Stanford Politeness")
    if have_data and (data_dir / "support").is_dir():
        out.update(support_figures(data_dir, sample))
    else:
        skipped.append("support sets (sentiment and complaint)")

    out.update(measure_speed(data_dir, repeat, limit, skipped))
    if out.get("engine_build") == "compiled":
        out.update(_pure_speed(data_dir, repeat, limit))
    out["peak_rss_mb"] = weights_rss_mb()
    out["bench_process_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    return out, skipped


# The child that measures the engine's memory: it loads every weight file (tone,
# sentiment, politeness) and reads and checks one message, nothing else.
_RSS_CHILD = """
import resource
from calmdesk.engine import Thread, check_reply, model, read_message
read_message("It stopped working again. Thanks a lot.")
check_reply("Sorry, I'll look at it now.", Thread(messages=(("customer", "It broke."),)))
model.load(model.POLITENESS_FILE)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # ru_maxrss can carry the forking parent's peak over; VmHWM is this process's own
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(peak)
"""


def weights_rss_mb() -> float:
    """Peak RSS of a child process that loads only the engine and its weights (the
    bench process itself also holds the data sets and VADER)."""
    done = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD], capture_output=True, text=True, check=True
    )
    return round(int(done.stdout.strip().splitlines()[-1]) / 1024, 1)


def _macro_f1(truth: list[bool], pred: list[bool]) -> float:
    """Mean of the F1 of "negative" and of "not negative"."""
    f1s = []
    for cls in (True, False):
        tp = sum(1 for t, p in zip(truth, pred, strict=True) if t == cls and p == cls)
        fp = sum(1 for t, p in zip(truth, pred, strict=True) if t != cls and p == cls)
        fn = sum(1 for t, p in zip(truth, pred, strict=True) if t == cls and p != cls)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / 2


def _f1(truth: list[bool], pred: list[bool]) -> float:
    tp = sum(1 for t, p in zip(truth, pred, strict=True) if t and p)
    wrong = sum(1 for t, p in zip(truth, pred, strict=True) if t != p)
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


class _Scored:
    """One set read by the engine and by VADER: truth, scores, complaints, VADER's call."""

    def __init__(self, texts: list[str], truth: list[bool], head: str) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        from calmdesk.engine import sentiment

        vader = SentimentIntensityAnalyzer()
        self.truth = truth
        feelings = [sentiment.read_text(t, head) for t in _progress(texts, "sentiment")]
        self.scores = [f.score for f in feelings]
        self.complaints = [f.complaint for f in feelings]
        # A complaint the positive evidence does not outweigh reads negative at any line.
        self.settled = [f.settled for f in feelings]
        self.vader = [vader.polarity_scores(t)["compound"] <= VADER_NEGATIVE_AT for t in texts]

    def predicted(self, negative_at: float) -> list[bool]:
        """What the engine calls negative with this threshold (``sentiment.read_feeling``'s
        rule: the score at most the line, or a complaint not outweighed)."""
        return [s <= negative_at or c for s, c in zip(self.scores, self.settled, strict=True)]

    def f1_at(self, negative_at: float) -> float:
        return _macro_f1(self.truth, self.predicted(negative_at))


def _best_threshold(scored: list[_Scored]) -> float:
    """The grid threshold with the best mean negative-vs-not macro-F1 over ``scored``."""
    best, best_f1 = NEGATIVE_GRID[0], -1.0
    for t in NEGATIVE_GRID:
        f1 = sum(s.f1_at(t) for s in scored) / len(scored)
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def support_figures(data_dir: Path, sample: int = 0, rest: bool = False) -> dict[str, Any]:
    """Per support set, negative-vs-not macro-F1 of the shipped engine with a threshold
    chosen on GoEmotions dev and the other sets (leave-one-source-out), and VADER's on
    the same texts; the UCI sentences are read by the head trained without them. Then
    complaint F1 on the 300 hand-labelled tweets. ``sample``: at most this many texts a
    set (a seeded sample), to keep the run short. ``rest``: the rows the sample leaves
    out instead (where choices are tried, so the sample's figures stay unlooked-at), and
    no complaint figures (the labelled tweets are one set)."""
    from calmdesk.engine import sentiment, support_data
    from calmdesk.engine.datasets import load_goemotions
    from calmdesk.engine.train import goemotions_sentiment

    def cap(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return sample_rows(rows, sample, rest)

    out: dict[str, Any] = {}
    scored: dict[str, _Scored] = {}
    if (data_dir / "goemotions").is_dir():
        ge = load_goemotions(data_dir)
        dev = cap(
            list(zip(ge.dev.texts, [str(c) for c in goemotions_sentiment(ge, ge.dev)], strict=True))
        )
        scored["goemotions_dev"] = _Scored(
            [t for t, _ in dev], [c == "0" for _, c in dev], sentiment.SHIPPED_HEAD
        )
    for s in support_data.SETS:
        rows = cap(support_data.load_set(data_dir, s))
        if not rows:
            continue  # --rest of a set the sample takes whole
        head = (
            sentiment.WITHOUT_UCI if s.name == "uci_sentiment_sentences" else sentiment.SHIPPED_HEAD
        )
        scored[s.name] = _Scored(
            [t for t, _ in rows], [label == "negative" for _, label in rows], head
        )
    for name in SUPPORT_SETS:
        if name not in scored:
            continue
        others = [v for k, v in scored.items() if k != name]
        t = _best_threshold(others)
        f1 = scored[name].f1_at(t)
        vader = _macro_f1(scored[name].truth, scored[name].vader)
        out[f"{name}_negative_macro_f1"] = round(f1, 4)
        out[f"{name}_vader_macro_f1"] = round(vader, 4)
        out[f"{name}_margin_over_vader"] = round(f1 - vader, 4)
        out[f"{name}_negative_at"] = t
        out[f"{name}_texts"] = len(scored[name].truth)
    out["sentiment_negative_at_all_sets"] = _best_threshold(list(scored.values()))
    out["sentiment_negative_at_shipped"] = sentiment.NEGATIVE_AT

    labelled = [] if rest else support_data.load_complaints(data_dir)
    if labelled:
        tw = _Scored(
            [t for t, _, _ in labelled], [c for _, c, _ in labelled], sentiment.SHIPPED_HEAD
        )
        out["twcs_complaint_f1"] = round(_f1(tw.truth, tw.complaints), 4)
        out["twcs_complaint_vader_f1"] = round(_f1(tw.truth, tw.vader), 4)
        negative = [label == "negative" for _, _, label in labelled]
        out["twcs_negative_macro_f1"] = round(
            _macro_f1(negative, tw.predicted(sentiment.NEGATIVE_AT)), 4
        )
        out["twcs_negative_vader_macro_f1"] = round(_macro_f1(negative, tw.vader), 4)
    return out


SAMPLE_SEED = 20261129  # the seeded sample of each set under --sample


def sample_rows(rows: list[T], sample: int, rest: bool = False) -> list[T]:
    """The seeded sample of ``sample`` rows (all rows when there are no more), or with
    ``rest`` the other rows, in file order (empty when the sample takes them all)."""
    import random

    if not sample or len(rows) <= sample:
        return [] if rest else rows
    if not rest:
        return random.Random(SAMPLE_SEED).sample(rows, sample)
    taken = set(random.Random(SAMPLE_SEED).sample(range(len(rows)), sample))
    return [r for i, r in enumerate(rows) if i not in taken]


def measure_speed(data_dir: Path, repeat: int, limit: int, skipped: list[str]) -> dict[str, Any]:
    """Speed figures of the engine as this process imported it (compiled or pure)."""
    from calmdesk.engine import BUILD, Thread, check_reply, read_message

    out: dict[str, Any] = {"engine_build": BUILD}
    read_message("warm up: loads the weights once")
    # And the language identifier, which the first text the cheap check is unsure of
    # loads (~0.5 s): a one-off cost like the weights', not a reading's.
    read_message(LANGUAGE_WARM_UP)
    # --- speed: calmdesk and VADER on the same texts, in this run ------------------
    if data_dir.is_dir() and (data_dir / "goemotions").is_dir():
        from calmdesk.engine.datasets import load_goemotions

        texts = load_goemotions(data_dir).test.texts
        out["speed_corpus"] = f"GoEmotions test, {len(texts)} texts"
    else:
        texts = list(SUPPORT_SAMPLES) * 500
        out["speed_corpus"] = f"built-in support samples, {len(texts)} texts"
    if limit:
        texts = texts[:limit]
    readers: dict[str, Callable[[str], object]] = {"read_per_s": read_message}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        vader.polarity_scores("warm up")
        readers["vader_per_s"] = vader.polarity_scores
    except ImportError:
        skipped.append("VADER (vaderSentiment not installed: pip install -r requirements.lock)")
    for key, rate in _rates(readers, texts).items():
        out[key] = round(rate)
    if "vader_per_s" in out:
        out["read_vs_vader"] = round(out["read_per_s"] / out["vader_per_s"], 3)

    out["read_median_us"] = round(_median_us(lambda: read_message(TYPICAL_MESSAGE), repeat), 1)
    thread = Thread(customer_name="Maria", messages=(("customer", TYPICAL_MESSAGE),))
    out["check_median_us"] = round(
        _median_us(lambda: check_reply(TYPICAL_DRAFT, thread), repeat), 1
    )
    from calmdesk.engine.coach import _read_thread_message

    def cold_check() -> None:
        _read_thread_message.cache_clear()
        check_reply(TYPICAL_DRAFT, thread)

    out["check_cold_median_us"] = round(_median_us(cold_check, repeat), 1)

    kb = (TYPICAL_MESSAGE + "\n\n") * 3
    one_kb = kb[:1024]
    one_mb = (kb * (1024 * 1024 // len(kb) + 1))[: 1024 * 1024]
    out["read_us_per_kb_1kb"] = round(_median_us(lambda: read_message(one_kb), repeat), 1)
    out["read_us_per_kb_1mb"] = round(
        _median_us(lambda: read_message(one_mb), min(3, repeat)) / 1024, 1
    )
    return out


LANGUAGE_WARM_UP = "Bonjour, je ne peux pas me connecter depuis hier soir."
# The figures the pure-Python engine is measured on too, when the compiled one is in use.
PURE_FIGURES = ("read_per_s", "vader_per_s", "read_vs_vader", "read_median_us", "check_median_us")


def _pure_speed(data_dir: Path, repeat: int, limit: int) -> dict[str, Any]:
    """The same speed figures from the pure-Python engine, in a child process that
    ignores the compiled build (with VADER again beside it, at the same moment)."""
    from calmdesk.engine.native import PURE_ENV

    cmd = [sys.executable, "-m", "calmdesk.bench.engine", "--speed-only", "--data", str(data_dir)]
    cmd += ["--repeat", str(repeat), "--texts", str(limit)]
    done = subprocess.run(
        cmd, env={**os.environ, PURE_ENV: "1"}, capture_output=True, text=True, check=True
    )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    return {f"pure_{k}": child[k] for k in PURE_FIGURES if k in child}


def _verdict(key: str, value: Any, out: dict[str, Any]) -> str:
    if key == "read_per_s" and "vader_per_s" in out:
        return "met" if value >= out["vader_per_s"] / 2 else "MISSED"
    vader = _vader_key(key)
    if vader in out:
        return "met" if value >= out[vader] + VADER_MARGIN else "MISSED"
    target = ANCHORS.get(key, ("", None))[1]
    if target is None or not isinstance(value, int | float):
        return ""
    ok = value < target if key in LOWER_IS_BETTER else value >= target
    return "met" if ok else "MISSED"


def _vader_key(key: str) -> str:
    """The VADER figure a support set's figure is held against ("" for other figures)."""
    if (
        key.endswith("_negative_macro_f1")
        and key.removesuffix("_negative_macro_f1") in SUPPORT_SETS
    ):
        return key.replace("_negative_macro_f1", "_vader_macro_f1")
    return ""


def _target_text(key: str, target: float | None, out: dict[str, Any]) -> str:
    if key == "read_per_s" and "vader_per_s" in out:
        return f"≥ {out['vader_per_s'] / 2:.0f}"
    vader = _vader_key(key)
    if vader in out:
        return f"≥ {out[vader] + VADER_MARGIN:.3f}"
    if target is None:
        return ""
    return f"< {target:g}" if key in LOWER_IS_BETTER else f"≥ {target:g}"


def render(out: dict[str, Any], skipped: list[str], argv_text: str) -> str:
    version = out.get("engine_version", "?")
    build = out.get("engine_build", "?")
    lines = [f"calmdesk bench engine{argv_text}  (engine {version}, {build} build)", ""]
    lines.append(f"{'figure':<32} {'calmdesk':>10}  {'target':>8}  {'':6} anchor")
    for key, (anchor, target) in ANCHORS.items():
        if key not in out:
            continue
        value = out[key]
        target_text = _target_text(key, target, out)
        lines.append(
            f"{key:<32} {value:>10}  {target_text:>8}  {_verdict(key, value, out):6} {anchor}"
        )
    extra = [k for k in out if k not in ANCHORS and k not in {"engine_version", "engine_build"}]
    for key in extra:
        lines.append(f"{key:<32} {out[key]!s:>10}")
    for s in skipped:
        lines.append(f"skipped: {s}")
    return "\n".join(lines)


def render_markdown(out: dict[str, Any]) -> str:
    """The same table as Markdown, for the README."""
    lines = ["| figure | calmdesk | target | | anchor |", "|---|---:|---:|---|---|"]
    for key, (anchor, target) in ANCHORS.items():
        if key not in out:
            continue
        value = out[key]
        target_text = _target_text(key, target, out)
        verdict = _verdict(key, value, out)
        lines.append(f"| `{key}` | {value} | {target_text} | {verdict} | {anchor} |")
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    from calmdesk.engine import ENGINE_VERSION
    from calmdesk.engine.datasets import DEFAULT_DATA_DIR, default_data_dir

    p = argparse.ArgumentParser(prog="calmdesk bench engine", description=__doc__)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--data", type=Path, default=None, help=f"default: {DEFAULT_DATA_DIR}")
    p.add_argument("--repeat", type=int, default=200, help="runs per median (default 200)")
    p.add_argument("--texts", type=int, default=0, help="cap the speed corpus (default: all)")
    p.add_argument(
        "--sample",
        type=int,
        default=0,
        help="read at most this many texts of each support set (a seeded sample; default all)",
    )
    p.add_argument(
        "--support-only",
        action="store_true",
        help="only the support sets' sentiment and complaint figures",
    )
    p.add_argument(
        "--not-shipped",
        action="store_true",
        help="with --support-only --sample N: also a head trained on the other support sets "
        "(leave-one-source-out; never shipped, their licences do not allow it; minutes)",
    )
    p.add_argument(
        "--rest",
        action="store_true",
        help="with --support-only --sample N: read the rows the sample leaves out instead "
        "(the development rows, where choices are tried)",
    )
    p.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    data_dir = args.data or default_data_dir()
    if args.speed_only:  # the child that measures the pure build (see _pure_speed)
        print(json.dumps(measure_speed(data_dir, args.repeat, args.texts, [])))
        return 0
    if args.not_shipped and not (args.support_only and args.sample):
        p.error("--not-shipped needs --support-only and --sample N (the rows it never trains on)")
    if args.rest and not (args.support_only and args.sample and not args.not_shipped):
        p.error("--rest needs --support-only and --sample N (and no --not-shipped)")
    if args.support_only:
        out, skipped = support_figures(data_dir, args.sample, args.rest), list[str]()
        if args.not_shipped:
            from calmdesk.bench.engine_loso import not_shipped_figures

            out.update(not_shipped_figures(data_dir, args.sample))
    else:
        out, skipped = measure(data_dir, args.repeat, args.texts, args.sample)
    out["engine_version"] = ENGINE_VERSION
    if args.json:
        print(json.dumps({**out, "skipped": skipped}, ensure_ascii=False))
    elif args.markdown:
        print(render_markdown(out))
    else:
        print(render(out, skipped, (" " + " ".join(argv)) if argv else ""))
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
