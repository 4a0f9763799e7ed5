"""``calmdesk bench coach-precision [--data DIR] [--json] [--firings CODE]``: how far an
agent can trust the reply coach, measured on real brand-agent replies on Twitter
(``support/twcs_agent_replies/twcs_pairs.csv``: a customer tweet and the agent's answer).

The brands are split in two (``split_of``): the coach is tuned on the tuning half only;
the figures come from the reporting half, where 300 pairs were labelled by hand before
the coach was run on them (``calmdesk/engine/data/labels/twcs_coach_labels.csv``: ids and
labels only, never the text). A label is ``fine`` (a professional reply a lead would not
correct) or the code of the rule the reply breaks.

- false alarms: the share of ``fine`` replies with a finding at warning or above;
- caught: the share of faulty replies with a finding at warning or above;
- the rules that fire most on the whole reporting half.

``--firings CODE`` prints up to 30 warning-or-above firings of one rule on the reporting
half (draft span and customer tweet) for checking by hand; docs/rules.md keeps the tally."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmdesk.engine import Finding, Thread, check_reply
from calmdesk.engine.types import SEVERITY_RANK

PAIRS_FILE = Path("support/twcs_agent_replies/twcs_pairs.csv")
LABELS_FILE = Path(__file__).resolve().parents[1] / "engine/data/labels/twcs_coach_labels.csv"
# The tuning half's first 300 pairs by the same key, labelled the same way and blind to the
# coach too, so the rules can be tuned on faulty replies without looking at the figures'.
TUNING_LABELS_FILE = LABELS_FILE.with_name("twcs_coach_tuning_labels.csv")
LABELS_OF_HALF = {"reporting": LABELS_FILE, "tuning": TUNING_LABELS_FILE}
# How many pairs of the reporting half were labelled, and how they were picked.
SAMPLE_SIZE = 300
FALSE_ALARM_TARGET = 0.10
CAUGHT_TARGET = 0.70
FIRINGS_SHOWN = 30
_HANDLE = re.compile(r"(?<!\w)@\w+")


@dataclass(frozen=True)
class Pair:
    customer_id: str
    agent_id: str
    company: str
    customer_text: str
    agent_text: str


def split_of(pairs: list[Pair]) -> dict[str, str]:
    """Brand → "tuning" or "reporting": brands ranked by their number of pairs (most
    first, ties by name); even ranks tune, odd ranks report. Every brand is wholly in
    one half, and both halves hold large and small brands."""
    counts = Counter(p.company for p in pairs)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    return {c: ("tuning" if i % 2 == 0 else "reporting") for i, c in enumerate(ranked)}


def sample_key(p: Pair) -> str:
    """The labelled pairs are the reporting half's first SAMPLE_SIZE by this key (a hash
    of the agent tweet's id: an order unrelated to brand, time or text)."""
    return hashlib.sha256(p.agent_id.encode()).hexdigest()


def load_pairs(data_dir: Path) -> list[Pair]:
    with (data_dir / PAIRS_FILE).open(encoding="utf-8", newline="") as f:
        return [
            Pair(
                r["customer_tweet_id"],
                r["agent_tweet_id"],
                r["company"],
                r["customer_text"],
                r["agent_text"],
            )
            for r in csv.DictReader(f)
        ]


def half(pairs: list[Pair], name: str) -> list[Pair]:
    split = split_of(pairs)
    return [p for p in pairs if split[p.company] == name]


def labelled_sample(pairs: list[Pair]) -> list[Pair]:
    return sorted(half(pairs, "reporting"), key=sample_key)[:SAMPLE_SIZE]


def clean(text: str) -> str:
    """A tweet as an agent would have written it in a desk: no @handles, no entities."""
    text = text.replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")
    return " ".join(_HANDLE.sub("", text).split())


# A tweet's sign-off ("-Becky", "^SC", "*TMT", "~AT") and part counter ("1/2"): a desk
# keeps those out of the draft.
_SIGN_OFF = re.compile(r"(?:\s*(?:[-–~^*]\s?[A-Za-z]{1,12}|\d/\d|\.{3}\d/\d))+\s*$")


def draft_of(agent_text: str) -> str:
    return _SIGN_OFF.sub("", clean(agent_text))


def thread_of(p: Pair) -> Thread:
    return Thread(messages=(("customer", clean(p.customer_text)),))


def load_labels(path: Path = LABELS_FILE) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["agent_tweet_id"]: r["label"] for r in csv.DictReader(f)}


def loud(findings: list[Finding]) -> list[Finding]:
    """Findings at warning or above: what an agent sees as a warning, and what can start
    the cool-down."""
    return [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK["warning"]]


def measure(pairs: list[Pair], labels: dict[str, str]) -> dict[str, Any]:
    """The figures on ``pairs`` (one half); the labelled pairs among them give the shares."""
    fired: Counter[str] = Counter()
    fired_info: Counter[str] = Counter()
    with_warning = fine = fine_alarm = faulty = caught = caught_any = 0
    same_rule: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    for p in pairs:
        findings = check_reply(draft_of(p.agent_text), thread_of(p))
        warn = loud(findings)
        with_warning += bool(warn)
        fired.update({f.code for f in warn})
        fired_info.update({f.code for f in findings if f not in warn})
        label = labels.get(p.agent_id)
        if label == "fine":
            fine += 1
            fine_alarm += bool(warn)
        elif label is not None:
            faulty += 1
            caught += bool(warn)
            caught_any += bool(findings)
            labelled[label] += 1
            same_rule[label] += any(f.code == label for f in warn)
    return {
        "pairs": len(pairs),
        "with_warning_share": with_warning / max(1, len(pairs)),
        "fine": fine,
        "false_alarms": fine_alarm,
        "false_alarm_share": fine_alarm / fine if fine else None,
        "faulty": faulty,
        "caught": caught,
        "caught_share": caught / faulty if faulty else None,
        "caught_any_severity_share": caught_any / faulty if faulty else None,
        "faulty_by_rule": {k: [n, same_rule[k]] for k, n in sorted(labelled.items())},
        "fires_most": fired.most_common(8),
        "info_most": fired_info.most_common(8),
    }


def firings(pairs: list[Pair], code: str, limit: int = FIRINGS_SHOWN) -> list[dict[str, str]]:
    """The first ``limit`` warning-or-above firings of ``code``, in the labelled order."""
    out = []
    for p in sorted(pairs, key=sample_key):
        draft = draft_of(p.agent_text)
        for f in loud(check_reply(draft, thread_of(p))):
            if f.code == code:
                out.append(
                    {
                        "agent_tweet_id": p.agent_id,
                        "customer": clean(p.customer_text),
                        "draft": draft,
                        "span": draft[f.start : f.end],
                        "message": f.message,
                    }
                )
                break
        if len(out) >= limit:
            break
    return out


def run(argv: list[str]) -> int:
    from calmdesk.engine.datasets import DEFAULT_DATA_DIR, default_data_dir

    p = argparse.ArgumentParser(prog="calmdesk bench coach-precision", description=__doc__)
    p.add_argument("--data", type=Path, default=None, help=f"default: {DEFAULT_DATA_DIR}")
    p.add_argument("--half", choices=["reporting", "tuning"], default="reporting")
    p.add_argument("--firings", metavar="CODE", help="print firings of one rule to check")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    path = (args.data or default_data_dir()) / PAIRS_FILE
    if not path.exists():
        print(f"calmdesk bench coach-precision: {path} not found; skipped", file=sys.stderr)
        return 0
    pairs = half(load_pairs(args.data or default_data_dir()), args.half)
    if args.firings:
        for i, f in enumerate(firings(pairs, args.firings.upper()), 1):
            print(f"{i:>2}. [{f['agent_tweet_id']}] customer: {f['customer'][:200]}")
            print(f"    draft: {f['draft'][:300]}")
            print(f"    span: {f['span']!r} — {f['message']}")
        return 0
    out = measure(pairs, load_labels(LABELS_OF_HALF[args.half]))
    if args.json:
        print(json.dumps(out))
        return 0
    print(
        f"{args.half} half: {out['pairs']:,} pairs, {out['with_warning_share']:.1%} with a warning"
    )
    if out["fine"]:
        print(
            f"false alarms: {out['false_alarms']} of {out['fine']} fine replies "
            f"({out['false_alarm_share']:.1%}, target <= {FALSE_ALARM_TARGET:.0%})"
        )
        print(
            f"caught: {out['caught']} of {out['faulty']} faulty replies "
            f"({out['caught_share']:.1%}, target >= {CAUGHT_TARGET:.0%}; "
            f"{out['caught_any_severity_share']:.1%} counting info)"
        )
        print(
            "faulty by rule (labelled, caught by that rule): "
            + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in out["faulty_by_rule"].items())
        )
    print("fires most (warning+): " + ", ".join(f"{c} {n}" for c, n in out["fires_most"]))
    print("info most: " + ", ".join(f"{c} {n}" for c, n in out["info_most"]))
    return 0
