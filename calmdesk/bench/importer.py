"""``calmdesk bench import``: how fast history is imported, with the engine's readings,
and how much memory it takes. A generated mbox export (N conversations of four
messages: the customer, a reply, the customer again, a reply; written to disk first, as
an export would be) is imported through ``calmdesk import``'s path (parsing, threading
from the headers, the bulk import action, readings in batches) into a scratch database:
SQLite, and PostgreSQL too when ``DATABASE_URL`` (or ``--postgres``) names one.

Messages per second are wall time over the whole import, the count report included;
messages per CPU-second count the import process's own CPU time (user and system), which
other work on a shared machine moves less than the wall. RSS is the child process's
peak (Django and the engine's weights included), with its peak before the import began.
The import streams, so memory should not grow with the export: ``--size`` lets you check
that on a larger one. ``--time-order`` writes the export as a mailbox's archive holds it
(every thread's messages in the order they were sent), so threads span batches."""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from calmdesk.bench.ingest import PROBLEMS, ROOT, _databases

if TYPE_CHECKING:
    from calmdesk.importer.records import FailureSink, Stream
    from calmdesk.importer.run import Item
    from calmdesk.importer.sources.mail import MailArchive

DEFAULT_CONVERSATIONS = 1000
REPLIES = (
    "Sorry about this, and thank you for the details. I have fixed it on our side; "
    "could you try again and tell me if it works now?",
    "Thanks for your patience. The charge is refunded and you will see it in 3-5 days.",
)
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
# A conversation opens every minute and each turn comes 90 minutes after the one before,
# so in time order about 90 threads are open at once and each spans several batches.
OPENS_EVERY = timedelta(minutes=1)
TURN_GAP = timedelta(minutes=90)
TURNS = 4


def _messages(conversations: int, time_order: bool) -> Iterator[tuple[int, int]]:
    """(conversation, turn) of every message: thread after thread, or all threads in
    the order their messages were sent (as a mailbox's archive holds them)."""
    if not time_order:
        yield from ((n, turn) for n in range(conversations) for turn in range(TURNS))
        return
    # Each turn's messages come in conversation order; merging them is time order.
    by_turn = [_turn(conversations, turn) for turn in range(TURNS)]
    for _when, n, turn in heapq.merge(*by_turn):
        yield n, turn


def _turn(conversations: int, turn: int) -> Iterator[tuple[timedelta, int, int]]:
    return ((n * OPENS_EVERY + turn * TURN_GAP, n, turn) for n in range(conversations))


def write_export(path: Path, conversations: int, *, time_order: bool = False) -> int:
    """An mbox of ``conversations`` threads of four messages (the customer, a reply, the
    customer again, a reply), written as it is generated; returns the message count."""
    count = 0
    customers = conversations // 3 + 1  # most customers write more than once
    with path.open("wb") as out:
        for n, turn in _messages(conversations, time_order):
            customer = f"customer{n * 7919 % customers}@example.com"
            root = f"<c{n}@example.com>"
            ours = turn % 2 == 1
            sender = "support@bench.example" if ours else customer
            message_id = root if turn == 0 else f"<c{n}.{turn}@example.com>"
            parent = root if turn <= 1 else f"<c{n}.{turn - 1}@example.com>"
            pick = n * 31 + turn
            body = (
                REPLIES[pick % len(REPLIES)]
                if ours
                else f"Hi,\n\n{PROBLEMS[pick % len(PROBLEMS)]}.\n"
            )
            when = START + n * OPENS_EVERY + turn * TURN_GAP
            headers = [
                f"From: {sender}",
                f"To: {customer if ours else 'support@bench.example'}",
                f"Subject: {'Re: ' if turn else ''}Problem {n}",
                f"Date: {format_datetime(when)}",
                f"Message-ID: {message_id}",
            ]
            if turn:
                headers += [f"In-Reply-To: {parent}", f"References: {root} {parent}"]
            text = "\n".join(headers) + "\n\n" + body
            envelope = when.strftime("%a %b %d %H:%M:%S %Y")
            out.write(f"From {sender} {envelope}\n{text}\n".encode())
            count += 1
    return count


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Marked:
    """A source whose reading is watched: when the import has read the first ``marks``
    messages (each a step of the export's size), the peak RSS, wall and CPU seconds so
    far are noted, so one run shows how memory grows with the export."""

    def __init__(self, source: MailArchive, marks: list[int]) -> None:
        self.name = source.name
        self.source = source
        self.marks = set(marks)
        self.noted: list[dict[str, float]] = []
        self.start, self.cpu = time.perf_counter(), _cpu()

    def streams(self, fail: FailureSink) -> list[Stream]:
        from calmdesk.importer.records import Stream

        return [Stream(s.name, self._watch(s.items), s.total) for s in self.source.streams(fail)]

    def _watch(self, items: Iterator[Item]) -> Iterator[Item]:
        for read, item in enumerate(items, 1):
            if read in self.marks:
                self.noted.append(self._note(read))
                # Said as it happens too: a run stopped before its end keeps its marks.
                print(f"read {read // TURNS}: {_rates(self.noted[-1])}", file=sys.stderr)
            yield item

    def _note(self, messages: int) -> dict[str, float]:
        seconds, cpu = time.perf_counter() - self.start, _cpu() - self.cpu
        return {"messages": messages, "seconds": seconds, "cpu": cpu, "rss_mb": _rss_mb()}


def child(conversations: int, time_order: bool, marks: list[int]) -> dict[str, object]:
    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    ensure_migrated()
    from calmdesk.desk.models import Mailbox, Message
    from calmdesk.importer.run import run_import
    from calmdesk.importer.sources.mail import MailArchive

    mailbox = Mailbox.objects.create(name="Bench", slug="bench", email="support@bench.example")
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.mbox"
        messages = write_export(export, conversations, time_order=time_order)
        rss_before = _rss_mb()
        source = Marked(MailArchive("mbox", export, {mailbox.email}), [m * TURNS for m in marks])
        report = run_import(source, mailbox, progress=sys.stderr.isatty(), out=sys.stderr)
        end = source._note(messages)
    return {
        "messages": messages,
        "imported": Message.objects.count(),
        "complete": report.complete,
        "seconds": end["seconds"],
        "cpu": end["cpu"],
        "rss_before_mb": rss_before,
        "rss_mb": end["rss_mb"],
        "marks": source.noted,
        "remembered": report.remembered,
    }


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench import", description=__doc__)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--size",
        "--conversations",
        dest="conversations",
        type=int,
        default=DEFAULT_CONVERSATIONS,
        help="conversations in the generated export (four messages each)",
    )
    parser.add_argument(
        "--time-order",
        action="store_true",
        help="messages of all threads in the order they were sent, as a mailbox's archive "
        "holds them (threads then span batches), instead of thread after thread",
    )
    parser.add_argument(
        "--at",
        type=int,
        nargs="*",
        default=None,
        help="conversations read at which peak RSS and rates are shown as well as at the "
        "end (default: a quarter and half of --size)",
    )
    parser.add_argument(
        "--postgres", default="", help="PostgreSQL URL (default: DATABASE_URL if PostgreSQL)"
    )
    parser.add_argument(
        "--only", choices=["SQLite", "PostgreSQL"], help="run on this database alone"
    )
    args = parser.parse_args(argv)
    marks = args.at if args.at is not None else [args.conversations // 4, args.conversations // 2]
    size = args.conversations if args.child is None else args.child
    marks = sorted({m for m in marks if 0 < m < size})
    if args.child is not None:
        print(json.dumps(child(args.child, args.time_order, marks)))
        return 0

    from calmdesk.mail.scratch import scratch_env

    failed = False
    order = "in time order" if args.time_order else "thread by thread"
    for label, url in _databases(args):
        if args.only and label != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp, scratch_env(Path(tmp), url) as env:
            env["CALMDESK_LOG_LEVEL"] = "WARNING"
            command = [sys.executable, "-m", "calmdesk.bench.importer"]
            command += ["--child", str(args.conversations)]
            command += ["--time-order"] if args.time_order else []
            command += ["--at", *map(str, marks)]
            result = subprocess.run(
                command, env=env, cwd=ROOT, stdout=subprocess.PIPE, timeout=6 * 3600
            )
            if result.returncode != 0:
                print(f"{label}: the import failed ({result.returncode})", file=sys.stderr)
                failed = True
                continue
            row = json.loads(result.stdout.decode().strip().splitlines()[-1])
            failed |= not row["complete"]
            for mark in row["marks"]:
                print(f"{label:<10} {_rates(mark)} when {mark['messages'] // TURNS} were read")
            print(
                f"{label:<10} import {args.conversations} conversations {order}, "
                f"{row['messages']} messages: {row['messages'] / row['seconds']:.0f} msg/s "
                f"with readings ({row['seconds']:.1f} s); "
                f"{row['messages'] / row['cpu']:.0f} msg per CPU-second ({row['cpu']:.1f} s); "
                f"peak RSS {row['rss_mb']:.0f} MB ({row['rss_before_mb']:.0f} MB before)"
                + f"; {row['remembered']} keys kept at most"
                + ("" if row["complete"] else "  INCOMPLETE"),
                flush=True,
            )
    return 1 if failed else 0


def _rates(mark: dict[str, float]) -> str:
    messages = mark["messages"]
    return (
        f"{messages / mark['seconds']:.0f} msg/s, {messages / mark['cpu']:.0f} msg per "
        f"CPU-second, peak RSS {mark['rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
