"""``calmdesk bench problems [--data DIR] [--conversations N] [--json]``: how well and how
fast the problem suggester (``calmdesk/engine/problem_match.py``) names the problem a
customer's message is about.

Quality: 200 customer tweets to Spotify's care account (``support/twcs_agent_replies/
twcs_pairs.csv``), sampled by ``sample_ids`` and labelled by hand into the problems
they name before the suggester was ever run on them
(``calmdesk/engine/data/labels/twcs_problem_labels.csv``: ids and labels only, never
the text, whose licence is non-commercial). Each tweet was read alone, as the first
message of a conversation would be, and given the problem it names (``win-start``:
the Windows app does not start; ``csrf-reset``: the password reset fails; …) or
``none`` when it names none (a thank-you, a device model, "still not working").
Leave-one-out: each labelled tweet is scored against an index built from all the other
labelled tweets, as if every other one were a conversation linked to its problem.

- precision: of the tweets given a suggestion, the share whose top suggestion is their
  problem;
- recall: of the tweets whose problem has at least one other example, the share whose
  top suggestion is their problem.

Two halves, fixed by ``split_of`` (the SHA-256 of the tweet id: even is *tuning*, odd is
*report*; 92 and 108 of the 200). Changes to the suggester are tried on the tuning half
only (``--tuning``: its tweets scored against an index of the tuning half alone, so no
report tweet is seen while tuning), and the figures to quote are the report half's: each
report tweet scored, leave-one-out, against an index of all the other labelled tweets, as
a desk would hold every other linked conversation. The table over all 200 is printed too,
for comparison with earlier runs.

Speed: an index over ``--conversations`` customer messages (the Spotify tweets cycled),
one linked conversation in ten, spread over 200 problems, each problem's profile built
from its latest ``PROFILE_MESSAGES`` messages as the desk does; then the cold build, the
rebuild after one link (that problem's stats again and the merge, as a web process does)
and the time of one suggestion (p50, p95 over 1,000 messages)."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import time
from collections import defaultdict
from pathlib import Path

from calmdesk.engine.datasets import default_data_dir
from calmdesk.engine.problem_match import (
    MIN_SCORE,
    build_index,
    merge_index,
    problem_stats,
    suggest,
)

PAIRS_FILE = Path("support/twcs_agent_replies/twcs_pairs.csv")
LABELS_FILE = Path(__file__).resolve().parents[1] / "engine/data/labels/twcs_problem_labels.csv"
SAMPLE_SEED = 15
MIN_LETTERS = 30  # shorter tweets (a handle and "ok") were left out of the sample
PROFILE_MESSAGES = 100  # as calmdesk.problems.suggest.PROFILE_MESSAGES
PROBLEMS_AT_SCALE = 200
THRESHOLDS = (0.10, 0.14, MIN_SCORE, 0.25, 0.30)
_URL = re.compile(r"https?://\S+")
_HANDLE = re.compile(r"@\w+")


def spotify_tweets(data_dir: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    with (data_dir / PAIRS_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["company"] != "SpotifyCares":
                continue
            text = _URL.sub("", row["customer_text"]).replace("\n", " ").strip()
            if len(_HANDLE.sub("", text).strip()) >= MIN_LETTERS:
                texts.setdefault(row["customer_tweet_id"], text)
    return texts


def sample_ids(texts: dict[str, str]) -> list[str]:
    """The order the labeller read them in: every long-enough tweet, shuffled by a seed."""
    ids = list(texts)
    random.Random(SAMPLE_SEED).shuffle(ids)
    return ids


def load_labels(path: Path = LABELS_FILE) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["customer_tweet_id"]: row["problem"] for row in csv.DictReader(handle)}


def split_of(tweet_id: str) -> str:
    """``tuning`` or ``report``: the parity of the SHA-256 of the id, fixed for good."""
    return "tuning" if int(hashlib.sha256(tweet_id.encode()).hexdigest(), 16) % 2 == 0 else "report"


def quality(
    texts: dict[str, str],
    labels: dict[str, str],
    threshold: float,
    queries: set[str] | None = None,
) -> dict:
    """Leave-one-out over ``labels`` (the index: every other labelled tweet), scoring
    the tweets in ``queries`` (all of them when None)."""
    ids_of = {name: i for i, name in enumerate(sorted(set(labels.values()) - {"none"}))}
    by_problem: dict[int, list[str]] = defaultdict(list)
    for tweet, label in labels.items():
        if label != "none":
            by_problem[ids_of[label]].append(tweet)
    suggested = correct = findable = found = 0
    for tweet, label in labels.items():
        if queries is not None and tweet not in queries:
            continue
        others = {
            pid: [texts[t] for t in tweets if t != tweet] for pid, tweets in by_problem.items()
        }
        index = build_index({pid: docs for pid, docs in others.items() if docs})
        top = suggest(index, _HANDLE.sub(" ", texts[tweet]), limit=1, min_score=threshold)
        truth = ids_of.get(label)
        if truth is not None and others.get(truth):
            findable += 1
            found += bool(top and top[0].problem_id == truth)
        if top:
            suggested += 1
            correct += top[0].problem_id == truth
    return {
        "threshold": threshold,
        "labelled": len(labels) if queries is None else len(queries),
        "with_problem": sum(
            label != "none" for t, label in labels.items() if queries is None or t in queries
        ),
        "findable": findable,
        "suggested": suggested,
        "precision": round(correct / suggested, 3) if suggested else None,
        "recall": round(found / findable, 3) if findable else None,
    }


def speed(texts: list[str], conversations: int) -> dict:
    rng = random.Random(SAMPLE_SEED)
    problems: dict[int, list[str]] = defaultdict(list)
    for n in range(conversations // 10):
        pid = rng.randrange(PROBLEMS_AT_SCALE)
        if len(problems[pid]) < PROFILE_MESSAGES:
            problems[pid].append(texts[n % len(texts)])
    started = time.perf_counter()
    stats = {pid: problem_stats(docs) for pid, docs in problems.items()}
    index = merge_index(stats)
    cold = time.perf_counter() - started
    # What a web process does after one link: that problem's stats again, then the merge.
    started = time.perf_counter()
    stats[0] = problem_stats(problems[0])
    index = merge_index(stats)
    warm = time.perf_counter() - started
    timings = []
    for n in range(1000):
        started = time.perf_counter()
        suggest(index, texts[(n * 7) % len(texts)])
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {
        "conversations": conversations,
        "linked": conversations // 10,
        "problems": len(problems),
        "profile_messages": sum(len(v) for v in problems.values()),
        "cold_build_s": round(cold, 2),
        "rebuild_after_a_link_s": round(warm, 2),
        "suggest_p50_ms": round(timings[len(timings) // 2] * 1000, 2),
        "suggest_p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 2),
    }


def _print_table(name: str, rows: list[dict]) -> None:
    first = rows[0]
    what = {
        "report": "the report half",
        "tuning": "the tuning half, against the tuning half alone",
        "all": "all",
    }[name]
    print(
        f"{what}: {first['labelled']} Spotify customer tweets, {first['with_problem']} name "
        f"a problem, {first['findable']} of them one with another example (leave-one-out)"
    )
    print("threshold  suggested  precision  recall")
    for row in rows:
        mark = "  <- the desk's" if row["threshold"] == MIN_SCORE else ""
        print(
            f"{row['threshold']:9.2f}  {row['suggested']:9d}  {row['precision']!s:>9}  "
            f"{row['recall']!s:>6}{mark}"
        )


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench problems")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--tuning",
        action="store_true",
        help="the tuning half only, against an index of the tuning half (to try changes on)",
    )
    args = parser.parse_args(argv)
    data_dir = args.data or default_data_dir()
    texts = spotify_tweets(data_dir)
    labels = load_labels()
    missing = [t for t in labels if t not in texts]
    if missing:
        print(f"calmdesk bench problems: {len(missing)} labelled tweets not in {data_dir}")
        return 2
    halves = {name: {t for t in labels if split_of(t) == name} for name in ("tuning", "report")}
    if args.tuning:
        tuning = {t: label for t, label in labels.items() if t in halves["tuning"]}
        tables = {"tuning": [quality(texts, tuning, th) for th in THRESHOLDS]}
    else:
        tables = {
            "report": [quality(texts, labels, th, halves["report"]) for th in THRESHOLDS],
            "all": [quality(texts, labels, th) for th in THRESHOLDS],
        }
    fast = speed([_HANDLE.sub(" ", t) for t in texts.values()], args.conversations)
    if args.json:
        print(json.dumps({"quality": tables, "speed": fast}, indent=2))
        return 0
    for name, rows in tables.items():
        _print_table(name, rows)
    print(
        f"at {fast['conversations']:,} conversations ({fast['linked']:,} linked to "
        f"{fast['problems']} problems, {fast['profile_messages']:,} messages in profiles): "
        f"index built cold in {fast['cold_build_s']} s, rebuilt after a link in "
        f"{fast['rebuild_after_a_link_s']} s; one suggestion p50 {fast['suggest_p50_ms']} ms, "
        f"p95 {fast['suggest_p95_ms']} ms"
    )
    return 0
