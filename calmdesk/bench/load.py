"""``calmdesk bench load``: many agents at once against a served desk, on loopback.

A demo desk is generated in a scratch data directory (or a throwaway database on the
PostgreSQL server DATABASE_URL names, as ``calmdesk bench desk`` does), with ``--agents``
agents of every mailbox, each signed in (a session made as a sign-in makes it). Then the
desk is served as in production: gunicorn with ``--web`` processes, ``--workers``
``calmdesk worker`` processes sending to a mail catcher on a loopback port, and, with
``--ingest-rate``, one ingest process storing new customer mail at that pace.

Each simulated agent is a thread with its own HTTP connection and cookies, in a loop: think
for a while (``--think``, uniform), then open the inbox (40 %), open a conversation (30 %;
the page then asks its pulse every 3 s with its ETag, as the open page does, until the next
action), type a draft (15 %: three coach requests), send a reply (10 %: the conversation
page, then the POST the composer makes) or search (5 %). It stops by itself after
``--duration`` seconds; the outbox is given ``--drain`` seconds to empty.

Printed: per request kind, the count, median / p95 / p99 of the time the client waited
(network on loopback included), and the errors (a refused connection, a timeout, a 5xx, or
a status the page never answers with); the CPU the load generator itself took; the peak
RSS of the web and worker processes; and the checks: every reply the desk accepted is
stored and sent exactly once (the catcher's Message-IDs), every ingested mail is stored."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

# What an agent does next, and how often (per cent).
ACTIONS = {"inbox": 40, "conversation": 30, "draft": 15, "reply": 10, "search": 5}
# Seconds between an open page's pulses when nothing moves (desk/views/pulse.py EVERY_IDLE).
PULSE_EVERY = 3
# The statuses each kind of request answers with when all is well: a reply may also be
# refused because a teammate or the customer wrote meanwhile (409, the collision guard).
EXPECTED = {
    "inbox": {200},
    "conversation": {200},
    "pulse": {200, 304},
    "coach": {200},
    "reply": {302, 409},
    "search": {200},
}
SEARCH_WORDS = ("refund", "checkout", "invoice", "sync error", "tag:bug", '"charged twice"')
DRAFTS = (
    "Thanks for the details, ",
    "Thanks for the details, I have looked at your account ",
    "Thanks for the details, I have looked at your account and the fix is on its way.",
)
TIMEOUT = 60
# gunicorn closes a keep-alive connection idle for 2 s (its --keep-alive); a connection
# idle longer than this is not reused, as a browser would not find it open either.
KEEP_ALIVE = 1.0
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SEEN = re.compile(r'name="seen_up_to" value="(\d+)"')


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench load", description=__doc__)
    parser.add_argument("--conversations", type=int, default=10_000, help="demo size")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--duration", type=float, default=600, help="seconds of load")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--web", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per web process")
    parser.add_argument("--workers", type=int, default=2, help="calmdesk worker processes")
    parser.add_argument("--ingest-rate", type=float, default=20, help="mail/s; 0: no ingest")
    parser.add_argument("--undo-seconds", type=int, default=5, help="the replies' undo window")
    parser.add_argument("--drain", type=float, default=60, help="seconds for the outbox to empty")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--mix",
        type=_mix,
        default=dict(ACTIONS),
        help="what agents do, as weights: " + ",".join(f"{k}={v}" for k, v in ACTIONS.items()),
    )
    args = parser.parse_args(argv)

    from calmdesk.bench.desk import _scratch_environment

    env, cleanup = _scratch_environment(args.conversations, None)
    caught = Path(env["CALMDESK_DATA_DIR"]) / "caught-mail"
    controller = _catcher(caught)
    env.update(
        CALMDESK_ALLOWED_HOSTS="127.0.0.1",
        CALMDESK_SMTP_HOST=controller.hostname,
        CALMDESK_SMTP_PORT=str(controller.port),
        CALMDESK_SMTP_SECURITY="none",
        CALMDESK_UNDO_SECONDS=str(args.undo_seconds),
    )
    children: list[subprocess.Popen] = []
    try:
        print("-- preparing the desk", file=sys.stderr, flush=True)
        desk = json.loads(_child(env, "prepare", str(args.conversations), str(args.agents)))
        port = _free_port()
        web = _start(env, ["-m", "gunicorn", "calmdesk.wsgi:application", "--bind",
                           f"127.0.0.1:{port}", "--workers", str(args.web), "--threads",
                           str(args.threads), "--graceful-timeout", "5",
                           "--no-control-socket"])  # fmt: skip
        children.append(web)
        workers = [_start(env, ["-m", "calmdesk", "worker"]) for _ in range(args.workers)]
        children += workers
        _wait_until_served(port, web)
        ingest = None
        if args.ingest_rate > 0:
            ingest = _start(
                env,
                ["-m", "calmdesk.bench.load", "ingest", str(args.ingest_rate), str(args.duration)],
                stdout=subprocess.PIPE,
            )
            children.append(ingest)
        print(
            f"-- {args.agents} agents for {args.duration:.0f} s on 127.0.0.1:{port}",
            file=sys.stderr,
            flush=True,
        )
        started_cpu, started = time.process_time(), time.perf_counter()
        record = _load(port, desk, args)
        load_cpu, took = time.process_time() - started_cpu, time.perf_counter() - started
        ingested = json.loads(ingest.communicate(timeout=120)[0]) if ingest else {}
        _drain(env, args.drain)
        rss = {"web": _peak_rss_mb([web.pid, *_children_of(web.pid)]),
               "worker": _peak_rss_mb([w.pid for w in workers])}  # fmt: skip
    finally:
        for child in reversed(children):
            _stop(child)
        controller.stop()
    try:
        checks = json.loads(_child(env, "check", desk["since"]))
        checks["caught"], checks["caught_twice"] = _caught(caught, set(checks.pop("ids")))
    finally:
        cleanup()
    _report(args, record, checks, ingested, rss, load_cpu, took)
    return 0 if not record.errors() and _checks_pass(record, checks, ingested) else 1


def _mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ACTIONS:
            raise argparse.ArgumentTypeError(f"unknown action {name!r}")
        mix[name.strip()] = float(weight or 1)
    return mix


# -- the load ---------------------------------------------------------------------------


@dataclass
class Record:
    """Every request's time by kind, and what went wrong."""

    times: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    replies_accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, status: int) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(ms)
            counts = self.statuses.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1
            if status not in EXPECTED[kind]:
                self.failures.setdefault(kind, []).append(f"HTTP {status}")

    def failed(self, kind: str, problem: str) -> None:
        with self.lock:
            self.failures.setdefault(kind, []).append(problem)

    def errors(self) -> int:
        return sum(len(found) for found in self.failures.values())


class Agent:
    """One signed-in agent: a keep-alive connection and the cookies the desk set."""

    def __init__(self, port: int, session: str, record: Record) -> None:
        self.port, self.record = port, record
        self.cookies = {"sessionid": session}
        self.connection: http.client.HTTPConnection | None = None
        self.used = 0.0

    def ask(
        self, kind: str, method: str, path: str, body: dict | None = None, headers=None
    ) -> tuple[int, str, dict[str, str]]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        sent.update(headers or {})
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.perf_counter()
        if started - self.used > KEEP_ALIVE:
            self.close()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT
                )
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.record.failed(kind, f"{type(exc).__name__}: {exc}")
            self.close()
            return 0, "", {}
        self.used = time.perf_counter()
        self.record.add(kind, (self.used - started) * 1000, response.status)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, text, {k.lower(): v for k, v in response.getheaders()}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _load(port: int, desk: dict, args: argparse.Namespace) -> Record:
    record = Record()
    stop_at = time.monotonic() + args.duration
    threads = [
        threading.Thread(
            target=_agent_loop,
            args=(Agent(port, session, record), desk["conversations"], args, stop_at, index),
            daemon=True,
        )
        for index, session in enumerate(desk["sessions"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + TIMEOUT * 2)
    return record


def _agent_loop(agent: Agent, conversations: list[int], args, stop_at: float, index: int) -> None:
    rng = random.Random(args.seed * 1000 + index)
    kinds, weights = list(args.mix), list(args.mix.values())
    open_page: tuple[int, str] | None = None  # the conversation on screen, its pulse ETag
    # Agents start spread over one think time, not all in the same second, on the inbox
    # (which also gives them the CSRF cookie a page's forms carry).
    time.sleep(rng.uniform(0, args.think[1]))
    agent.ask("inbox", "GET", "/")
    wake = time.monotonic() + rng.uniform(*args.think)
    while True:
        # Think; an open conversation page keeps asking its pulse meanwhile.
        while (now := time.monotonic()) < min(wake, stop_at):
            pause = min(wake, stop_at) - now
            if open_page is None:
                time.sleep(pause)
                continue
            time.sleep(min(PULSE_EVERY, pause))
            if time.monotonic() < min(wake, stop_at):
                open_page = _pulse(agent, *open_page)
        if time.monotonic() >= stop_at:
            agent.close()
            return
        action = rng.choices(kinds, weights)[0]
        conversation = rng.choice(conversations)
        open_page = None
        if action == "inbox":
            agent.ask("inbox", "GET", "/")
        elif action == "search":
            agent.ask("search", "GET", "/search/?" + urlencode({"q": rng.choice(SEARCH_WORDS)}))
        elif action == "conversation":
            status, _text, _headers = agent.ask("conversation", "GET", f"/c/{conversation}/")
            open_page = (conversation, "") if status == 200 else None
        elif action == "draft":
            for text in DRAFTS:
                agent.ask("coach", "POST", f"/c/{conversation}/coach/",
                          {"body": text, "typing": "1"}, {"HX-Request": "true"})  # fmt: skip
        else:
            _reply(agent, conversation, rng)
        wake = time.monotonic() + rng.uniform(*args.think)


def _pulse(agent: Agent, conversation: int, etag: str) -> tuple[int, str]:
    headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
    status, _text, answer = agent.ask("pulse", "GET", f"/c/{conversation}/pulse/", None, headers)
    return conversation, answer.get("etag", etag) if status in {200, 304} else etag


def _reply(agent: Agent, conversation: int, rng: random.Random) -> None:
    """Open the page (as the agent has it before sending), then post its composer."""
    status, page, _headers = agent.ask("conversation", "GET", f"/c/{conversation}/")
    seen, csrf = _SEEN.search(page), _CSRF.search(page)
    if status != 200 or seen is None or csrf is None:
        if status == 200:
            agent.record.failed("reply", "the conversation page has no composer")
        return
    body = f"Thanks, this is sorted now: you will see it on your next visit. ({rng.random():.6f})"
    status, _text, _headers = agent.ask(
        "reply",
        "POST",
        f"/c/{conversation}/reply/",
        {"body": body, "seen_up_to": seen.group(1), "csrfmiddlewaretoken": csrf.group(1)},
    )
    if status == 302:
        with agent.record.lock:
            agent.record.replies_accepted += 1


# -- the served desk --------------------------------------------------------------------


def _catcher(where: Path):
    from calmdesk.mail import catcher

    return catcher.start(where)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(env: dict[str, str], args: list[str], **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], env=env, **options)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_served(port: int, web: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {web.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the desk was not served within two minutes")


def _children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _peak_rss_mb(pids: list[int]) -> float:
    """The largest peak RSS (VmHWM) among ``pids``, in MB."""
    peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        peak = max(peak, int(found.group(1)) if found else 0)
    return peak / 1024


def _drain(env: dict[str, str], limit: float) -> None:
    """Wait until no reply is scheduled or sending (or ``limit`` seconds)."""
    _child(env, "drain", str(limit))


def _caught(where: Path, replies: set[str]) -> tuple[int, int]:
    """The load's replies the catcher took (by Message-ID; the demo's own answers are
    sent too), and how many of them came more than once."""
    ids: list[str] = []
    for path in where.glob("*.eml"):
        found = str(message_from_bytes(path.read_bytes()).get("Message-ID", "")).strip("<> ")
        if found in replies:
            ids.append(found)
    return len(ids), len(ids) - len(set(ids))


def _child(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "calmdesk.bench.load", *args],
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"


# -- the report -------------------------------------------------------------------------


def _checks_pass(record: Record, checks: dict, ingested: dict) -> bool:
    return (
        checks["replies_stored"] == record.replies_accepted
        and checks["sent"] == checks["replies_stored"]
        and checks["caught"] == checks["sent"]
        and checks["caught_twice"] == 0
        and checks["inbound_stored"] == ingested.get("stored", 0)
    )


def _report(args, record: Record, checks: dict, ingested: dict, rss: dict, cpu, took) -> None:
    total = sum(len(times) for times in record.times.values())
    print(
        f"\ncalmdesk bench load ({checks['database']}; {args.agents} agents, think "
        f"{args.think[0]:g}-{args.think[1]:g} s, {took:.0f} s; gunicorn {args.web}×{args.threads}"
        f" threads, {args.workers} workers, ingest {args.ingest_rate:g} mail/s; "
        f"{args.conversations:,} conversations)\n"
    )
    print(f"{'request':<14}{'count':>8}{'median ms':>11}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}")
    everything: list[float] = []
    for kind in EXPECTED:
        times = record.times.get(kind, [])
        everything += times
        print(f"{kind:<14}{len(times):>8}" + _quantiles(times) +
              f"{len(record.failures.get(kind, [])):>8}")  # fmt: skip
    print(f"{'all':<14}{len(everything):>8}" + _quantiles(everything) + f"{record.errors():>8}")
    for kind, found in record.failures.items():
        print(f"  {kind}: {', '.join(sorted(set(found)))[:300]}")
    print(f"\nrequests/s {total / took:.1f}; the load generator took {cpu:.1f} s CPU "
          f"({100 * cpu / took:.0f} % of one core)")  # fmt: skip
    print(f"peak RSS: web process {rss['web']:.0f} MB, worker {rss['worker']:.0f} MB")
    print(
        f"replies: {record.replies_accepted} accepted, {checks['replies_stored']} stored, "
        f"{checks['sent']} sent, {checks['caught']} caught by the SMTP catcher, "
        f"{checks['caught_twice']} caught twice, {checks['left']} still scheduled or sending"
    )
    if args.ingest_rate > 0:
        print(
            f"ingest: {ingested.get('offered', 0)} mail offered at {args.ingest_rate:g}/s "
            f"({ingested.get('rate', 0):.1f}/s reached), {ingested.get('stored', 0)} stored "
            f"by the ingest, {checks['inbound_stored']} in the database"
        )
    passed = _checks_pass(record, checks, ingested)
    print(f"checks: {'ok' if passed else 'FAILED'}; errors: {record.errors()}")


def _quantiles(times: list[float]) -> str:
    if len(times) < 2:
        return f"{(times[0] if times else 0):>11.1f}{'':>10}{'':>10}"
    cuts = statistics.quantiles(times, n=100)
    return f"{statistics.median(times):>11.1f}{cuts[94]:>10.1f}{cuts[98]:>10.1f}"


# -- child processes (Django set up) ----------------------------------------------------


def _prepare(conversations: int, agents: int) -> None:
    """The desk, its agents (every mailbox) and their sessions; prints them as JSON."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from calmdesk.accounts.models import Agent, Role
    from calmdesk.bench.desk_data import copy_insert, deferred_search_index
    from calmdesk.desk.demo.generate import generate
    from calmdesk.desk.models import Conversation, Mailbox, Status

    call_command("migrate", verbosity=0)
    with deferred_search_index():
        generate(conversations, seed=2026, write=copy_insert)
    mailboxes = list(Mailbox.objects.all())
    sessions = []
    for number in range(agents):
        # No password: the session below is what signing in makes (and no hashing cost).
        user = get_user_model().objects.create_user(f"load{number:03}", first_name="Load")
        agent = Agent.objects.create(user=user, role=Role.AGENT, time_zone="UTC")
        agent.mailboxes.set(mailboxes)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    ids = list(
        Conversation.objects.exclude(status=Status.SPAM)
        .order_by("-updated_at")
        .values_list("pk", flat=True)[:2000]
    )
    print(json.dumps({"sessions": sessions, "conversations": ids,
                      "since": timezone.now().isoformat()}))  # fmt: skip


def _ingest(rate: float, duration: float) -> None:
    """Offer new customer mail at ``rate`` a second for ``duration`` seconds, as one
    ingest process does; prints what was offered and stored."""
    from email.message import EmailMessage

    from calmdesk.mail.ingest import IngestStatus, default_mailbox, ingest_raw

    target, rng = default_mailbox(), random.Random(7)
    offered = stored = 0
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < duration:
        if offered >= elapsed * rate:
            time.sleep(min(1 / rate, duration - elapsed))
            continue
        mail = EmailMessage()
        mail["From"] = f"Load Customer {offered} <load.customer.{offered}@mail.example>"
        mail["To"] = target.email
        mail["Subject"] = f"Order {rng.randint(1000, 99999)} has not arrived"
        mail["Message-ID"] = f"<load-{offered}-{rng.getrandbits(64):x}@mail.example>"
        mail.set_content("Hi,\n\nMy order has not arrived yet. Could you check?\n\nThanks")
        offered += 1
        stored += ingest_raw(mail.as_bytes(), target, source="file").status == IngestStatus.STORED
    took = time.monotonic() - started
    print(json.dumps({"offered": offered, "stored": stored, "rate": offered / took}))


def _wait_drained(limit: float) -> None:
    from calmdesk.mail.models import Outbox, OutboxState

    deadline = time.monotonic() + limit
    waiting = [OutboxState.SCHEDULED, OutboxState.SENDING]
    while Outbox.objects.filter(state__in=waiting).exists() and time.monotonic() < deadline:
        time.sleep(1)


def _check(since: str) -> None:
    from django.db import connection
    from django.utils.dateparse import parse_datetime

    from calmdesk.desk.models import Message, MessageKind
    from calmdesk.mail.models import Outbox, OutboxState

    after = parse_datetime(since)
    replies = Message.objects.filter(
        kind=MessageKind.REPLY, author__username__startswith="load", created_at__gte=after
    )
    outbox = Outbox.objects.filter(message__in=replies)
    print(json.dumps({
        "database": connection.vendor,
        "replies_stored": replies.count(),
        "ids": [i.strip("<> ") for i in replies.values_list("message_id", flat=True)],
        "sent": outbox.filter(state=OutboxState.SENT).count(),
        "left": outbox.filter(state__in=[OutboxState.SCHEDULED, OutboxState.SENDING]).count(),
        "inbound_stored": Message.objects.filter(
            kind=MessageKind.CUSTOMER, message_id__regex=r"load-[0-9]+-"
        ).count(),
    }))  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()
    phase = sys.argv[1]
    if phase == "prepare":
        _prepare(int(sys.argv[2]), int(sys.argv[3]))
    elif phase == "ingest":
        _ingest(float(sys.argv[2]), float(sys.argv[3]))
    elif phase == "drain":
        _wait_drained(float(sys.argv[2]))
    else:
        _check(sys.argv[2])
