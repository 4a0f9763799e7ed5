"""``calmdesk bench ingest``: how fast mail is stored, and whether the outbox keeps its
promises under load.

1. Ingest: messages per second through parse + thread + store (raw file, message,
   attachments) in one process, on the shared email corpus and on typical short
   plain-text support mail. The engine's reading, the folder counts and the search
   index are on this path: they happen in every message's transaction.
2. Hostile mail (calmdesk.bench.hostile_mail): 100,000 nested <div>s, a 10 MB body,
   a 30 MB message and 100,000 nested multiparts, each in a child of its own: time,
   peak RSS, and the size of the conversation page it makes.
3. Outbox: N replies due over a short window, two ``calmdesk worker`` processes
   sending them to a local aiosmtpd, and random undos racing the claims. Counts
   replies sent under two Message-IDs, flagged resends, losses, and undos that
   "won" although the reply left (the first, the last and the fourth must be 0).

Each database run uses a scratch database (calmdesk.mail.scratch), never the one the
desk runs on. The parent process only orchestrates; children do the work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "email"

PROBLEMS = [
    "the CSV export fails with error 500 since this morning",
    "I was charged twice for the March invoice",
    "the login page keeps saying my password is wrong, I reset it twice",
    "our webhook stopped firing after your update yesterday",
    "the mobile app crashes when I open a shared report",
    "how do I add a second admin to our account?",
]


def typical_mail(n: int, rng: random.Random, known: list[str]) -> bytes:
    """A short plain-text support mail; a third answer an earlier one by In-Reply-To."""
    sender = f"customer{rng.randrange(max(1, n // 3 + 1))}@example.com"
    extra = ""
    if known and rng.random() < 0.33:
        extra = f"In-Reply-To: {rng.choice(known)}\r\n"
    body = (
        f"Hi,\r\n\r\n{rng.choice(PROBLEMS)}. Could you have a look? It is blocking our "
        f"team today.\r\n\r\nThanks,\r\nCustomer {n}\r\n"
    )
    return (
        f"From: Customer {n} <{sender}>\r\nTo: support@calmdesk.localhost\r\n"
        f"Subject: Problem {n % 97}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
        f"Message-ID: <bench{n}@example.com>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n{extra}\r\n{body}"
    ).encode()


# -- children (run inside a scratch database) -----------------------------------------


def _django() -> None:
    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    ensure_migrated()


def child_ingest(corpus: str, typical: int) -> dict[str, object]:
    from tqdm import tqdm

    from calmdesk.mail.ingest import Tally, default_mailbox, ingest_groups
    from calmdesk.mail.ingest_cli import iter_messages

    mailbox = default_mailbox()
    results: dict[str, object] = {}
    if corpus and Path(corpus).exists():
        raws = [raw for _, raw in iter_messages([Path(corpus)])]
        tally = Tally()
        start, cpu = time.perf_counter(), time.process_time()
        with tqdm(total=len(raws), desc="corpus", unit="msg", file=sys.stderr) as bar:
            for outcomes in ingest_groups(raws, mailbox, source="file"):
                for outcome in outcomes:
                    tally.add(outcome)
                bar.update(len(outcomes))
        results["corpus"] = {
            "messages": len(raws),
            "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu,
            "summary": tally.line(),
        }
    rng = random.Random(7)
    known: list[str] = []
    mails = []
    for n in range(typical):
        mails.append(typical_mail(n, rng, known))
        known.append(f"<bench{n}@example.com>")
    start, cpu = time.perf_counter(), time.process_time()
    # As ``calmdesk ingest`` stores a folder: in groups, one commit each.
    with tqdm(total=typical, desc="typical", unit="msg", file=sys.stderr) as bar:
        for outcomes in ingest_groups(mails, mailbox, source="file"):
            bar.update(len(outcomes))
    results["typical"] = {
        "messages": typical,
        "seconds": time.perf_counter() - start,
        # On a shared machine wall time measures the neighbours too; CPU time is what
        # one worker on a free core would take (all of SQLite's work is in-process).
        "cpu": time.process_time() - cpu,
    }
    return results


def child_setup_sends(count: int, window: float) -> dict[str, object]:
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from calmdesk.mail.actions import do_send_reply
    from calmdesk.mail.ingest import default_mailbox, ingest_raw
    from calmdesk.mail.models import Outbox

    mailbox = default_mailbox()
    user = User.objects.create_user("bench-agent")
    # Ten replies per conversation: under the per-conversation hourly cap
    # (calmdesk.mail.outbox.SENDS_PER_CONVERSATION_PER_HOUR), which is not what is measured.
    conversations = []
    for n in range(max(1, count // 10)):
        stored = ingest_raw(typical_mail(n, random.Random(n), []), mailbox).message
        assert stored is not None  # a typical mail is always stored
        conversations.append(stored.conversation)
    rng = random.Random(11)
    # Parked an hour ahead; the undo child pulls them in once it is ready to race.
    start = timezone.now() + timedelta(hours=1)
    ids = []
    with transaction.atomic():
        for n in range(count):
            reply = do_send_reply(conversations[n % len(conversations)], user, f"bench-reply-{n}")
            send_at = start + timedelta(seconds=rng.uniform(0, window))
            Outbox.objects.filter(message=reply).update(send_at=send_at)
            ids.append(reply.pk)
    return {"replies": len(ids), "first_due": start.timestamp()}


def child_undo(fraction: float) -> dict[str, object]:
    """Undo a random share of the replies at the moment they fall due, to race the
    workers' claims as hard as possible."""
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db.models import F
    from django.utils import timezone

    from calmdesk.desk.models import Message
    from calmdesk.mail.actions import do_undo_send
    from calmdesk.mail.models import Outbox

    user = User.objects.get(username="bench-agent")
    rng = random.Random(13)
    rows = list(Outbox.objects.order_by("send_at").values_list("message_id", "send_at"))
    chosen = sorted(rng.sample(rows, int(len(rows) * fraction)), key=lambda r: r[1])
    messages = Message.objects.select_related("conversation").in_bulk([pk for pk, _ in chosen])
    # Everything loaded: bring the window to now, so the workers and the undos meet.
    shift = rows[0][1] - (timezone.now() + timedelta(seconds=0.5))
    Outbox.objects.update(send_at=F("send_at") - shift)
    chosen = [(pk, send_at - shift) for pk, send_at in chosen]
    won = []
    for message_pk, send_at in chosen:
        # A few milliseconds either side of the deadline: some win, some lose.
        target = send_at.timestamp() + rng.uniform(-0.05, 0.01)
        delay = target - timezone.now().timestamp()
        if delay > 0:
            time.sleep(delay)
        if do_undo_send(messages[message_pk], user):
            won.append(message_pk)
    return {"attempted": len(chosen), "won": won}


def child_report() -> dict[str, object]:
    from calmdesk.mail.models import Outbox, SendLog

    rows = Outbox.objects.select_related("message")
    return {
        "rows": {
            str(row.message_id): [row.state, row.message.message_id, row.message.body_text]
            for row in rows
        },
        "flagged_resends": SendLog.objects.filter(possible_resend=True).count(),
    }


# -- parent -----------------------------------------------------------------------------


def _child(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "calmdesk.bench.ingest", "--child", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench child {args[0]} failed ({result.returncode})")
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Capture:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, str]] = []  # (Message-ID, body marker)

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        mail = message_from_bytes(envelope.content, policy=policy.default)
        body = mail.get_content().strip() if not mail.is_multipart() else ""
        with self.lock:
            self.received.append((str(mail["Message-ID"]), body))
        return "250 OK"


def outbox_race(
    env: dict[str, str], sends: int, undo_share: float, window: float, worker_count: int = 2
) -> dict:
    from aiosmtpd.controller import Controller
    from tqdm import tqdm

    capture = _Capture()
    port = _free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **env,
        "CALMDESK_SMTP_HOST": "127.0.0.1",
        "CALMDESK_SMTP_PORT": str(port),
        "CALMDESK_SMTP_SECURITY": "none",
        "CALMDESK_LOG_LEVEL": "WARNING",
    }
    try:
        _child(env, "setup-sends", str(sends), str(window))
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "calmdesk",
                    "worker",
                    "--no-imap",
                    "--no-tasks",
                    "--until-idle",
                    "--interval",
                    "0.05",
                ],
                env=env,
                cwd=ROOT,
            )
            for _ in range(worker_count)
        ]
        started = time.perf_counter()
        undo = _child(env, "undo", str(undo_share))
        with tqdm(total=sends, desc="outbox", unit="send", file=sys.stderr) as bar:
            while any(w.poll() is None for w in workers):
                bar.n = len(capture.received) + len(undo["won"])
                bar.refresh()
                time.sleep(0.2)
            bar.n = len(capture.received) + len(undo["won"])
            bar.refresh()
        elapsed = time.perf_counter() - started
        report = _child(env, "report")
    finally:
        controller.stop()
    by_body: dict[str, set[str]] = {}
    for message_id, body in capture.received:
        by_body.setdefault(body, set()).add(message_id)
    copies = Counter(mid for mid, _ in capture.received)
    won = {str(pk) for pk in undo["won"]}
    lost = undone_but_sent = 0
    for pk, (state, message_id, _body) in report["rows"].items():
        arrived = message_id in copies
        if pk in won or state == "undone":
            undone_but_sent += arrived
        elif not arrived:
            lost += 1
    return {
        "sends": sends,
        "undos_won": len(won),
        "undo_attempts": undo["attempted"],
        "delivered": len(copies),
        "two_message_ids": sum(1 for ids in by_body.values() if len(ids) > 1),
        "duplicates_same_id": sum(n - 1 for n in copies.values() if n > 1),
        "flagged_resends": report["flagged_resends"],
        "lost": lost,
        "undone_but_sent": undone_but_sent,
        "seconds": elapsed,
    }


def _hostile_lines(label: str, env: dict[str, str]) -> list[str]:
    from calmdesk.bench.hostile_mail import CASES

    lines = []
    for case in CASES:
        row = _child(env, "hostile", case)
        page = f", page {row['page_bytes'] / 1e6:.2f} MB" if "page_bytes" in row else ""
        kept = " (headers only)" if row.get("raw_only") else ""
        lines.append(
            f"{label:<10} hostile {case:<17} {row['bytes'] / 1e6:>5.1f} MB -> {row['status']}"
            f"{kept}: {row['seconds']:.2f} s wall, {row['cpu']:.2f} CPU-s, "
            f"peak +{row['peak_mb']:.0f} MB RSS{page}"
        )
    return lines


def _databases(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    runs: list[tuple[str, str | None]] = [("SQLite", None)]
    postgres = args.postgres or os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgres"):
        runs.append(("PostgreSQL", postgres))
    return runs


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench ingest", description=__doc__)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="a folder of raw mail")
    parser.add_argument("--typical", type=int, default=3000, help="typical mails to ingest")
    parser.add_argument("--sends", type=int, default=10_000, help="replies for the outbox run")
    parser.add_argument("--undo-share", type=float, default=0.2)
    parser.add_argument(
        "--window", type=float, default=20.0, help="seconds the sends fall due over"
    )
    parser.add_argument(
        "--postgres", default="", help="PostgreSQL URL (default: DATABASE_URL if PostgreSQL)"
    )
    parser.add_argument("--skip-outbox", action="store_true")
    parser.add_argument(
        "--hostile-only", action="store_true", help="only the mail built to take the desk down"
    )
    args = parser.parse_args(argv)
    if args.child:
        _django()
        name, rest = args.child[0], args.child[1:]
        if name == "ingest":
            result: object = child_ingest(rest[0], int(rest[1]))
        elif name == "setup-sends":
            result = child_setup_sends(int(rest[0]), float(rest[1]))
        elif name == "hostile":
            from calmdesk.bench.hostile_mail import child_case

            result = child_case(rest[0])
        elif name == "undo":
            result = child_undo(float(rest[0]))
        else:
            result = child_report()
        print(json.dumps(result))
        return 0

    from calmdesk.mail.scratch import scratch_env

    failed = False
    lines = []
    for label, url in _databases(args):
        with tempfile.TemporaryDirectory() as tmp, scratch_env(Path(tmp), url) as env:
            env["CALMDESK_LOG_LEVEL"] = "WARNING"
            lines.extend(_hostile_lines(label, env))
            if args.hostile_only:
                continue
            ingest = _child(env, "ingest", args.corpus, str(args.typical))
            for kind in ("corpus", "typical"):
                if kind in ingest:
                    row = ingest[kind]
                    rate = row["messages"] / row["seconds"]
                    cpu_rate = row["messages"] / row["cpu"]
                    extra = f"  ({row['summary']})" if "summary" in row else ""
                    lines.append(
                        f"{label:<10} ingest {kind:<8} {row['messages']:>6} msgs "
                        f"{rate:>5.0f} msg/s wall, {cpu_rate:>5.0f} msg/CPU-s{extra}"
                    )
        if args.skip_outbox or args.hostile_only:
            continue
        with tempfile.TemporaryDirectory() as tmp, scratch_env(Path(tmp), url) as env:
            race = outbox_race(env, args.sends, args.undo_share, args.window)
            lines.append(
                f"{label:<10} outbox   {race['sends']} sends, 2 workers, "
                f"{race['undos_won']}/{race['undo_attempts']} undos won: "
                f"two Message-IDs {race['two_message_ids']}, "
                f"flagged resends {race['flagged_resends']}, lost {race['lost']}, "
                f"undone-but-sent {race['undone_but_sent']}, "
                f"same-ID duplicates {race['duplicates_same_id']} "
                f"({race['seconds']:.0f} s)"
            )
            failed |= bool(race["two_message_ids"] or race["lost"] or race["undone_but_sent"])
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
