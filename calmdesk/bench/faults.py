"""``calmdesk bench faults``: kill the web, the worker or the ingest at a random moment,
restart it, let everything settle, and check that nothing was lost or doubled.

Each run works on a fresh copy of a prepared data folder (a migrated database with an
agent and one conversation; on PostgreSQL a database made from a template) and starts
three real processes at once:

- ingest: ``calmdesk ingest`` of a small batch of mail files; after a kill the mail
  source hands the same files over again, as an MTA or a Maildir does;
- web: a process posting replies through the reply view (Django's test client against
  the real URLconf, middleware and database); after a kill it sends what the agent
  does not see on the page yet, as an agent reloading would;
- worker: ``calmdesk worker`` sending due replies to an SMTP catcher (aiosmtpd in a
  thread of this process) that records every Message-ID it accepts.

One of them, chosen by the run's seed, is SIGKILLed after a seeded delay and started
again. Once the web and the ingest are done, the worker is stopped (SIGTERM) and one
``calmdesk worker --until-idle`` sends what is left. Then ``calmdesk doctor`` (no
``--fix``: only the repairs the processes make on start, such as outbox recovery) must
find no fault, every ingested Message-ID must be stored once, every reply written once,
sent, and accepted by the catcher once. The one exception is the documented SMTP crash
window (calmdesk.mail.outbox): killed after the server accepted a reply and before that
was recorded, the reply goes out a second time under the same Message-ID, flagged
``possible_resend``; that is counted, not failed. A seed fixes the target, the delay
and the mail; the interleaving of the processes is the machine's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ("web", "worker", "ingest")
INGEST_BATCH = 6
REPLIES = 4
UNDO_SECONDS = 1  # the agent's undo window: replies leave a second after they are written
CUSTOMER = "sofia@example.com"
FIRST_ID = "<fault-first@example.com>"
TIMEOUT = 120  # seconds any one process may take before the run counts as hung


def reply_body(run: int, n: int) -> str:
    return f"Thanks for waiting. This is reply {n} of run {run}."


def mail_message_id(run: int, n: int) -> str:
    return f"<fault-{run}-{n}@example.com>"


def customer_mail(message_id: str, sender: str, subject: str, in_reply_to: str = "") -> bytes:
    thread = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    return (
        f"From: Customer <{sender}>\r\nTo: support@calmdesk.localhost\r\n"
        f"Subject: {subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
        f"Message-ID: {message_id}\r\n{thread}MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hi, the CSV export fails with error 500 since this morning. Could you look?\r\n"
    ).encode()


def write_batch(folder: Path, run: int) -> list[str]:
    """The run's mail files; every third is Sofia's answer in the conversation the web
    replies in, so the ingest and the web write to one conversation."""
    folder.mkdir(parents=True)
    ids = []
    for n in range(INGEST_BATCH):
        mid = mail_message_id(run, n)
        if n % 3 == 0:
            raw = customer_mail(mid, CUSTOMER, "Re: Export broken", FIRST_ID)
        else:
            raw = customer_mail(mid, f"customer{run}-{n}@example.com", f"Problem {n}")
        (folder / f"{n:03d}.eml").write_bytes(raw)
        ids.append(mid)
    return ids


# -- children: each runs in a process of its own against the run's database -----------


def child_setup() -> dict[str, object]:
    from django.contrib.auth import get_user_model

    from calmdesk.accounts.models import Agent
    from calmdesk.mail.ingest import default_mailbox, ingest_raw

    mailbox = default_mailbox()
    user = get_user_model().objects.create_user("alice", "alice@desk.example")
    Agent.objects.create(user=user, undo_seconds=UNDO_SECONDS).mailboxes.set([mailbox])
    stored = ingest_raw(customer_mail(FIRST_ID, CUSTOMER, "Export broken"), mailbox).message
    assert stored is not None  # a plain customer mail is always stored
    return {"conversation": stored.conversation_id}


def child_web(conversation: int, run: int) -> dict[str, object]:
    """Post the run's replies through the reply view, skipping those already written
    (the agent sees them on the page after a reload)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from calmdesk.desk.models import Message, MessageKind

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="alice"))
    posted = 0
    for n in range(REPLIES):
        body = reply_body(run, n)
        replies = Message.objects.filter(conversation_id=conversation, kind=MessageKind.REPLY)
        if replies.filter(body_text=body).exists():
            continue
        seen = Message.objects.filter(conversation_id=conversation).order_by("-id").first()
        response = client.post(
            f"/c/{conversation}/reply/", {"body": body, "seen_up_to": seen.pk if seen else 0}
        )
        if response.status_code != 302:
            raise SystemExit(f"reply {n} refused: HTTP {response.status_code}")
        posted += 1
    return {"posted": posted}


def child_check() -> dict[str, object]:
    """``calmdesk doctor`` (as its command runs it) and what the database holds."""
    from datetime import timedelta

    from django.utils import timezone

    from calmdesk.desk.models import MessageKind
    from calmdesk.mail.models import InboundMail, Outbox, SendLog
    from calmdesk.ops.doctor import FILE_GRACE, cmd_doctor, examine

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        doctor = cmd_doctor([])
    # Files a killed ingest left without a row are only faults once an hour old (the
    # doctor's grace for commits in flight): look as the doctor will then, too.
    later = timezone.now() + FILE_GRACE + timedelta(minutes=1)
    left = [f"{r.check.code} {item}" for r in examine(now=later) for item in r.found]
    stored = Counter(InboundMail.objects.values_list("message__message_id", flat=True))
    rows = Outbox.objects.filter(message__kind=MessageKind.REPLY).select_related("message")
    return {
        "doctor": doctor,
        "doctor_report": [line for line in out.getvalue().splitlines() if line[:2] != "ok"],
        "doctor_later": left,
        "stored": dict(stored),
        "replies": [[r.message.body_text, r.message.message_id, r.state] for r in rows],
        "flagged": list(
            SendLog.objects.filter(possible_resend=True).values_list("message_id", flat=True)
        ),
    }


# -- the check: pure, so a test can hand it a doubled delivery and a lost message -------


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    flagged_resends: int = 0


def verify(state: dict, ingest_ids: list[str], bodies: list[str], caught: list[str]) -> Findings:
    """What went wrong in one run: ``state`` is child_check's report, ``caught`` every
    Message-ID the SMTP catcher accepted (one entry per delivery)."""
    found = Findings()
    if state["doctor"] != 0:
        found.problems.append("doctor: " + "; ".join(state["doctor_report"]))
    if state["doctor_later"]:
        found.problems.append("doctor an hour later: " + "; ".join(state["doctor_later"]))
    stored = state["stored"]
    for mid in ingest_ids:
        if stored.get(mid, 0) != 1:
            found.problems.append(f"mail {mid} stored {stored.get(mid, 0)} times")
    by_body: dict[str, list[tuple[str, str]]] = {}
    for body, mid, row_state in state["replies"]:
        by_body.setdefault(body.strip(), []).append((mid, row_state))
    copies = Counter(caught)
    for body in bodies:
        rows = by_body.pop(body, [])
        if len(rows) != 1:
            found.problems.append(f"reply {body!r} written {len(rows)} times")
        for mid, row_state in rows:
            found.problems += _delivery_problems(mid, row_state, copies, state["flagged"], found)
    found.problems += [f"unexpected reply {body!r}" for body in by_body]
    known = {mid for rows in state["replies"] for mid in rows[1:2]}
    found.problems += [f"delivered unknown {mid}" for mid in copies if mid not in known]
    return found


def _delivery_problems(
    mid: str, row_state: str, copies: Counter, flagged: list[str], found: Findings
) -> list[str]:
    problems = []
    if row_state != "sent":
        problems.append(f"reply {mid} left {row_state}")
    if copies[mid] == 0:
        problems.append(f"reply {mid} never delivered")
    elif copies[mid] == 2 and mid in flagged:
        found.flagged_resends += 1  # the SMTP crash window, flagged for a human
    elif copies[mid] > 1:
        problems.append(f"reply {mid} delivered {copies[mid]} times")
    return problems


# -- the parent -------------------------------------------------------------------------


def _child(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "calmdesk.bench.faults", "--child", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=TIMEOUT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"child {args[0]}: {result.stderr.decode()[-1500:]}")
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def _start(env: dict[str, str], args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


WORKER = ["calmdesk", "worker", "--no-imap", "--no-tasks", "--no-jobs", "--interval", "0.05"]


def _commands(run: int, conversation: int, mail: Path) -> dict[str, list[str]]:
    return {
        "ingest": ["calmdesk", "ingest", "--quiet", str(mail)],
        "web": ["calmdesk.bench.faults", "--child", "web", str(conversation), str(run)],
        "worker": WORKER,
    }


def _finish(process: subprocess.Popen, what: str, *, stopped: bool = False) -> None:
    try:
        _out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError(f"{what} hung") from None
    # A worker stopped while it starts may meet SIGTERM before its handler is set.
    if process.returncode != 0 and not (stopped and process.returncode == -signal.SIGTERM):
        raise RuntimeError(f"{what} exited {process.returncode}: {err.decode()[-1500:]}")


@dataclass
class RunResult:
    seed: int
    target: str
    killed: bool
    problems: list[str]
    flagged_resends: int = 0
    seconds: float = 0.0
    lifetimes: dict[str, float] = field(default_factory=dict)


def one_run(
    run: int, seed: int, template: Template, caught: list[str], horizon: dict[str, float]
) -> RunResult:
    """One run; with an empty ``horizon`` nothing is killed (the baseline)."""
    rng = random.Random(seed)
    target = rng.choice(TARGETS) if horizon else "none"
    delay = rng.uniform(0, horizon.get(target, 0.0))
    started = time.perf_counter()
    lifetimes: dict[str, float] = {}
    with template.fresh(run) as (env, folder):
        ingest_ids = write_batch(folder / "mail", run)
        commands = _commands(run, template.conversation, folder / "mail")
        del caught[:]
        running = {name: _start(env, argv) for name, argv in commands.items()}
        killed = bool(horizon) and _kill_later(running[target], delay)
        if killed:
            running[target] = _start(env, commands[target])
        try:
            for name in ("ingest", "web"):
                _finish(running[name], name)
                lifetimes[name] = time.perf_counter() - started
            running["worker"].send_signal(signal.SIGTERM)
            _finish(running["worker"], "worker", stopped=True)
            _finish(_start(env, [*WORKER, "--until-idle"]), "settling worker")
            state = _child(env, "check")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            for process in running.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
            return RunResult(seed, target, killed, [str(exc)], 0, time.perf_counter() - started)
        bodies = [reply_body(run, n) for n in range(REPLIES)]
        found = verify(state, ingest_ids, bodies, list(caught))
    seconds = time.perf_counter() - started
    result = RunResult(seed, target, killed, found.problems, found.flagged_resends, seconds)
    result.lifetimes = lifetimes
    return result


def _kill_later(process: subprocess.Popen, delay: float) -> bool:
    """SIGKILL ``process`` after ``delay`` seconds; False when it ended before then."""
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True
    return False


class Template:
    """A prepared data folder (and PostgreSQL database) each run starts a copy of."""

    def __init__(self, base: Path, env: dict[str, str], postgres: str) -> None:
        self.base, self.env, self.postgres = base, env, postgres
        self.data = base / "template"
        self.env["CALMDESK_DATA_DIR"] = str(self.data)
        self.template_db = ""
        if postgres:
            self.template_db = self._create_db("")
            self.env["DATABASE_URL"] = self._url(self.template_db)
        self.conversation = int(_child(self.env, "setup")["conversation"])

    def _url(self, name: str) -> str:
        return urlunsplit(urlsplit(self.postgres)._replace(path=f"/{name}"))

    def _create_db(self, template: str) -> str:
        import psycopg

        name = f"calmdesk_faults_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.postgres, autocommit=True) as admin:
            copy = f' TEMPLATE "{template}"' if template else ""
            admin.execute(f'CREATE DATABASE "{name}"{copy}')
        return name

    def _drop_db(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextlib.contextmanager
    def fresh(self, run: int) -> Iterator[tuple[dict[str, str], Path]]:
        folder = self.base / f"run{run}"
        shutil.copytree(self.data, folder / "data")
        env = {**self.env, "CALMDESK_DATA_DIR": str(folder / "data")}
        name = ""
        try:
            if self.postgres:
                name = self._create_db(self.template_db)
                env["DATABASE_URL"] = self._url(name)
            yield env, folder
        finally:
            if name:
                self._drop_db(name)
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        if self.template_db:
            self._drop_db(self.template_db)


class _Catcher:
    """aiosmtpd handler: the Message-ID of every message it accepts, in order."""

    def __init__(self) -> None:
        self.caught: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        from email import message_from_bytes, policy

        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.caught.append(str(mail["Message-ID"]))
        return "250 OK"


def _environment(smtp_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CALMDESK_TEST_DB_NAME", None)
    env.pop("DATABASE_URL", None)
    env.update(
        CALMDESK_SMTP_HOST="127.0.0.1",
        CALMDESK_SMTP_PORT=str(smtp_port),
        CALMDESK_SMTP_SECURITY="none",
        CALMDESK_UNDO_SECONDS=str(UNDO_SECONDS),
        CALMDESK_LOG_LEVEL="WARNING",
    )
    return env


def run_faults(
    runs: int, seed: int, postgres: str = "", progress: bool = True, replay: int | None = None
) -> list[RunResult]:
    """The first two runs kill nothing: they measure how long the web and the ingest
    live, so the kills of the seeded runs land anywhere in that time (a process that
    ended before its moment is not killed, and counted). ``replay``: only that seed's run."""
    from aiosmtpd.controller import Controller
    from tqdm import tqdm

    from calmdesk.bench.ingest import _free_port

    catcher = _Catcher()
    port = _free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            template = Template(Path(tmp), _environment(port), postgres)
            try:
                # Two runs without a fault: the first also warms the caches (its
                # processes live longer), the second's lifetimes bound the kills.
                results = [one_run(n, seed, template, catcher.caught, {}) for n in (-1, 0)]
                life = results[-1].lifetimes
                # The worker lives until the other two are done.
                horizon = {
                    "ingest": life.get("ingest", 2.0),
                    "web": life.get("web", 2.0),
                    "worker": max(life.values(), default=2.0),
                }
                rng = random.Random(seed)
                seeds = [rng.randrange(2**32) for _ in range(runs)]
                seeds = seeds if replay is None else [replay]
                for n, run_seed in enumerate(tqdm(seeds, disable=not progress, unit="run"), 1):
                    results.append(one_run(n, run_seed, template, catcher.caught, horizon))
            finally:
                template.close()
    finally:
        controller.stop()
    return results


def summary(results: list[RunResult]) -> tuple[list[str], int]:
    seeded = [r for r in results if r.target != "none"]
    failed = [r for r in results if r.problems]
    calm = len(results) - len(seeded)
    lines = [f"runs: {len(seeded)} (+{calm} without a fault), failures: {len(failed)}"]
    for target in TARGETS:
        mine = [r for r in seeded if r.target == target]
        killed = sum(r.killed for r in mine)
        lines.append(
            f"  {target:<7} chosen {len(mine):>4}, killed {killed:>4}, "
            f"ended before its moment {len(mine) - killed:>4}"
        )
    flagged = sum(r.flagged_resends for r in results)
    lines.append(f"  flagged resends (same Message-ID, SMTP crash window): {flagged}")
    seconds = [r.seconds for r in results]
    lines.append(
        f"  seconds per run: mean {sum(seconds) / len(seconds):.1f}, max {max(seconds):.1f}"
    )
    for r in failed:
        lines.append(f"FAILED --replay {r.seed} ({r.target}, killed={r.killed}):")
        lines += [f"    {problem}" for problem in r.problems[:10]]
    return lines, len(failed)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench faults", description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1, help="seeds every run's choices")
    parser.add_argument(
        "--postgres",
        default="",
        help="PostgreSQL URL (default: DATABASE_URL if PostgreSQL, else SQLite)",
    )
    parser.add_argument("--replay", type=int, help="only the run of this seed (from a failure)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _run_child(args.child)
    progress = sys.stderr.isatty()
    postgres = args.postgres or os.environ.get("DATABASE_URL", "")
    postgres = postgres if postgres.startswith("postgres") else ""
    results = run_faults(args.runs, args.seed, postgres, progress, args.replay)
    lines, failures = summary(results)
    print("\n".join(lines))
    return 1 if failures else 0


def _run_child(argv: list[str]) -> int:
    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    ensure_migrated()
    name, rest = argv[0], argv[1:]
    if name == "setup":
        result = child_setup()
    elif name == "web":
        result = child_web(int(rest[0]), int(rest[1]))
    else:
        result = child_check()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
