"""``calmdesk read | check | rules | engine``: the engine from a terminal, CI or an editor.

Each command is ``(argv) -> exit status``; 2 is a usage error, as with argparse."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from calmdesk.engine.coach import check_reply
from calmdesk.engine.reading import read_message
from calmdesk.engine.rules import RULES, rules_markdown
from calmdesk.engine.strip import strip_quotes_and_signature
from calmdesk.engine.types import SEVERITY_RANK, Reading, Thread

_COLOURS = {
    "angry": "31",
    "frustrated": "33",
    "anxious": "35",
    "sad": "34",
    "confused": "36",
    "grateful": "32",
    "positive": "32",
    "neutral": "0",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error raises instead of exiting, so commands return 2."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _run(fn: Any, argv: list[str]) -> int:
    try:
        return int(fn(argv))
    except _UsageError as e:
        print(e, file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # the reader went away: ``calmdesk``'s main stops quietly
    except OSError as e:
        print(f"calmdesk: {e}", file=sys.stderr)
        return 2


def cmd_read(argv: list[str]) -> int:
    return _run(_read, argv)


def cmd_check(argv: list[str]) -> int:
    return _run(_check, argv)


def cmd_rules(argv: list[str]) -> int:
    return _run(_rules, argv)


ENGINE_USAGE = """usage: calmdesk engine train [--data DIR] [--out DIR]
       calmdesk engine build [--if-possible]   compile the engine with mypyc (needs a C compiler)
       calmdesk engine status                  which build the engine runs: compiled or pure
       calmdesk engine clean                   remove the compiled build
       calmdesk engine build-jargon [--foldoc PATH]   the coach's jargon list, from FOLDOC"""


def cmd_engine(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(ENGINE_USAGE)
        return 0 if argv else 2
    if argv[0] == "train":
        from calmdesk.engine.train import main

        return main(argv[1:])
    if argv[0] == "build-jargon":
        from calmdesk.engine.jargon_build import main as build_jargon

        return build_jargon(argv[1:])
    if argv[0] in {"build", "status", "clean"}:
        return _native_task(argv[0], argv[1:])
    print(f"calmdesk engine: unknown task {argv[0]!r}", file=sys.stderr)
    return 2


def _native_task(task: str, args: list[str]) -> int:
    from calmdesk.engine import native

    if task == "status":
        print(native.build_status())
        return 0
    if task == "clean":
        native.clean()
        return 0
    if args not in ([], ["--if-possible"]):
        print(ENGINE_USAGE, file=sys.stderr)
        return 2
    why = native.compiler_missing()
    if why:
        # Without a compiler the engine runs as pure Python: slower, the same readings.
        print(f"calmdesk engine build: skipped, {why}; the engine runs as pure Python")
        return 0 if args else 1
    if native.build_status() == "compiled":
        print("calmdesk engine build: up to date")
        return 0
    print("calmdesk engine build: compiling the engine with mypyc (a minute or two)…")
    try:
        where = native.build()
    except RuntimeError as e:
        print(f"calmdesk engine build: failed: {e}", file=sys.stderr)
        return 1
    print(f"calmdesk engine build: done ({where})")
    return 0


def _read(argv: list[str]) -> int:
    p = _Parser(prog="calmdesk read", description="Read a customer message: tone, facts, stakes.")
    p.add_argument("file", nargs="?", help="a text file (- or none: stdin)")
    p.add_argument(
        "--jsonl",
        action="store_true",
        help="one message per stdin line (a line starting with { is a JSON object "
        "with a text field); one JSON object per line out",
    )
    p.add_argument("--json", action="store_true", help="print the reading as JSON")
    p.add_argument("--email", action="store_true", help="strip quotes and signature first")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    args = p.parse_args(argv)
    if args.jsonl:
        for line in sys.stdin:
            line = line.rstrip("\n")
            text = line
            if line.startswith("{"):
                try:
                    text = str(json.loads(line).get("text", ""))
                except (ValueError, AttributeError):
                    text = line
            print(json.dumps(read_message(text).to_dict(), ensure_ascii=False), flush=False)
        return 0
    if args.file is None and sys.stdin.isatty():
        # Typed by hand: say what the silence is waiting for.
        print("calmdesk read: type or paste the message, then Ctrl-D", file=sys.stderr)
    raw = (
        sys.stdin.read()
        if args.file in {None, "-"}
        else Path(args.file).read_bytes().decode("utf-8", "replace")
    )
    text = strip_quotes_and_signature(raw).text if args.email else raw
    reading = read_message(text)
    if args.json:
        print(json.dumps(reading.to_dict(), ensure_ascii=False, indent=2))
        return 0
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(_render(reading, colour))
    return 0


def _render(r: Reading, colour: bool) -> str:
    text = r.text
    out = [
        f"tone: {r.tone}  intensity {r.intensity:.2f}  confidence {r.confidence:.2f}  "
        f"language {r.language}{'' if r.language_supported else ' (not supported)'}  "
        f"priority {r.priority}{'  novice' if r.is_novice else ''}"
    ]
    out.append(
        f"sentiment: {r.sentiment} ({r.sentiment_score:+.2f})  "
        f"complaint: {'yes' if r.complaint else 'no'} ({r.complaint_score:.2f})"
    )
    if r.is_unsure:
        out.append("(not sure: read it yourself)")
    out.append(
        "scores: "
        + ", ".join(f"{t} {s:.2f}" for t, s in sorted(r.scores.items(), key=lambda kv: -kv[1])[:4])
    )
    if colour:
        marked, pos = [], 0
        for sp in r.tone_spans:
            if sp.start < pos:
                continue
            marked += [
                text[pos : sp.start],
                f"\x1b[1;{_COLOURS.get(sp.tone, '0')}m",
                text[sp.start : sp.end],
                "\x1b[0m",
            ]
            pos = sp.end
        marked.append(text[pos:])
        out += ["", "".join(marked)[:5000], ""]
    out.append("tone spans:")
    out += [f"  [{s.start},{s.end}) {s.tone:<10} {s.reason:<15} {s.text!r}" for s in r.tone_spans]
    out.append("complaint spans:")
    out += [f"  [{s.start},{s.end}) {s.reason:<18} {s.text!r}" for s in r.complaint_spans]
    out.append("sentences:")
    out += [
        f"  [{s.start},{s.end}) {s.kind:<13}{' ?' if s.is_question else '  '} "
        f"{text[s.start : s.end][:70]!r}"
        for s in r.sentences[:40]
    ]
    out.append("facts:")
    out += [
        f"  [{f.start},{f.end}) {f.kind:<10} {f.text[:70]!r}{' = ' + f.value if f.value else ''}"
        for f in r.facts[:60]
    ]
    out.append("stakes:")
    out += [f"  [{s.start},{s.end}) {s.kind:<10} {s.text!r}" for s in r.stakes]
    out += [f"note: {n}" for n in r.notes]
    return "\n".join(out)


def _load_thread(path: str) -> Thread:
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    if not path.endswith(".json"):
        return Thread(messages=(("customer", raw),))
    try:
        data = json.loads(raw)
        messages = tuple(
            ("agent" if m.get("role") == "agent" else "customer", str(m.get("text", "")))
            for m in data.get("messages", [])
        )
        reproduced = data.get("reproduced", "not_tried")
        if reproduced not in {"not_tried", "reproduced", "not_reproduced"}:
            raise _UsageError(
                f"calmdesk check: {path}: reproduced must be "
                "not_tried, reproduced or not_reproduced"
            )
        return Thread(
            customer_name=str(data.get("customer_name", "")),
            messages=messages,  # type: ignore[arg-type]
            reproduced=reproduced,
            product=str(data.get("product", "")),
        )
    except (ValueError, AttributeError) as e:
        raise _UsageError(f"calmdesk check: {path} is not a thread JSON object: {e}") from e


THREAD_JSON_HELP = """a thread .json file holds one object (every key optional):

  {
    "customer_name": "Maya Okafor",
    "product": "Fernhill Shop",
    "reproduced": "not_tried",       (or "reproduced", "not_reproduced")
    "messages": [                    (oldest first)
      {"role": "customer", "text": "My checkout is broken..."},
      {"role": "agent", "text": "Hi Maya, ..."}
    ]
  }

any other file is read as one customer message."""


def _check(argv: list[str]) -> int:
    p = _Parser(
        prog="calmdesk check",
        description="Lint a reply draft against its thread.",
        epilog=THREAD_JSON_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("draft", help="the draft, a text file (- for stdin)")
    p.add_argument(
        "--thread",
        required=True,
        help="the customer's message (a text file) or the thread (a .json file, below)",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--fail-on", choices=["info", "warning", "error"], default="error")
    p.add_argument(
        "--disable", action="append", default=[], help="a rule code or name (repeatable)"
    )
    args = p.parse_args(argv)
    draft = (
        sys.stdin.read()
        if args.draft == "-"
        else Path(args.draft).read_text(encoding="utf-8", errors="replace")
    )
    thread = _load_thread(args.thread)
    findings = check_reply(draft, thread, disabled=args.disable)
    if args.format == "json":
        print(
            json.dumps({"findings": [f.to_dict() for f in findings]}, ensure_ascii=False, indent=2)
        )
    else:
        for f in findings:
            line = draft.count("\n", 0, f.start) + 1
            col = f.start - (draft.rfind("\n", 0, f.start) + 1) + 1
            print(f"{args.draft}:{line}:{col}: {f.code} {f.name} [{f.severity}] {f.message}")
            print(f"    {draft[f.start : f.end][:100]!r} → {f.suggestion}")
        if not findings:
            print("no findings")
    limit = SEVERITY_RANK[args.fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= limit for f in findings) else 0


def _rules(argv: list[str]) -> int:
    p = _Parser(prog="calmdesk rules", description="The reply coach's rules.")
    p.add_argument("--markdown", action="store_true", help="print docs/rules.md")
    args = p.parse_args(argv)
    if args.markdown:
        sys.stdout.write(rules_markdown())
        return 0
    for r in RULES:
        print(f"{r.code} {r.name:<20} {r.severities:<28} {r.description}")
        print(f"      bad:  {r.bad}")
        print(f"      good: {r.good}")
    return 0
