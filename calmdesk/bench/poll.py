"""``calmdesk bench poll``: what keeping open conversation pages current costs the server.

A demo desk is generated in a temporary data directory (or a throwaway database on the
PostgreSQL server DATABASE_URL names, as ``calmdesk bench desk`` does). ``--pages``
conversations are "open": each gets a reply, already sent, so nothing on them moves. Then,
in turns over several rounds, one process asks for each open page the way a page keeps
itself current:

- the whole conversation page again (a page that reloads itself);
- a reply's send-state partial (before the pulse, every reply on its way asked for its own
  partial every second);
- the page's pulse with no ETag, or after a change (200: the partials, rendered);
- the pulse with the ETag of its last answer, nothing changed (304, nothing rendered).

Times are wall-clock and CPU time around each request inside the process (Django's test
client: middleware, queries, rendering; no network); requests/s is one process's,
1000 / mean ms, and by CPU time what one core would answer with nothing else running.
"Idle pages" is how many open pages that keeps current when each asks every 3 seconds
(the pulse's pace when nothing moves). The pulses run on a clock that moves as if the open
pages asked at that pace, so each page's presence row is rewritten as often as it would
be (every fourth ask), not on every ask of a fast loop."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

# Seconds between asks of an open page where nothing moves (desk/views/pulse.py).
IDLE_EVERY = 3
MODES = {
    "page": "conversation page (full render)",
    "send_state": "send-state partial (per reply)",
    "pulse_200": "pulse, changed (200)",
    "pulse_304": "pulse, unchanged (304)",
}


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench poll", description=__doc__)
    parser.add_argument("--conversations", type=int, default=2000, help="demo size")
    parser.add_argument("--pages", type=int, default=50, help="open conversation pages")
    parser.add_argument("--requests", type=int, default=400, help="requests per mode a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each mode's best kept")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    from calmdesk.bench.desk import _scratch_environment

    env, cleanup = _scratch_environment(args.conversations, None)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    try:
        results = _run(args)
    finally:
        from django.db import connections

        connections.close_all()  # a throwaway PostgreSQL database is dropped next
        cleanup()
    if args.json:
        print(json.dumps(results))
    else:
        _report(results)
    return 0


def _run(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from calmdesk.desk.demo.generate import generate

    call_command("migrate", verbosity=0)
    generate(args.conversations, seed=2026, progress=True)
    asks = _open_pages(args.pages)
    queries = {mode: _queries(ask) for mode, ask in asks.items()}
    best: dict[str, dict[str, float]] = {}
    with tqdm(
        total=args.rounds * len(asks) * args.requests, desc="requests", unit="", file=sys.stderr
    ) as bar:
        for _round in range(args.rounds):
            for mode, ask in asks.items():
                figures = _timed(ask, args.requests, EXPECTED_STATUS[mode], bar.update)
                if mode not in best or figures["mean"] < best[mode]["mean"]:
                    best[mode] = figures
    return {
        "database": connection.vendor,
        "conversations": args.conversations,
        "pages": args.pages,
        "rounds": args.rounds,
        "modes": {mode: {**best[mode], "queries": queries[mode]} for mode in asks},
    }


class PageClock:
    """Time as the open pages see it: each ask moves it by the pace over the pages."""

    def __init__(self, pages: int) -> None:
        from django.utils import timezone

        self.now = timezone.now()
        self.step = timedelta(seconds=IDLE_EVERY / pages)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def _open_pages(count: int) -> dict[str, Callable[[int], int]]:
    """The open pages (a sent reply on each) and, per mode, how to ask for page n;
    each ask returns the status code."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from calmdesk.desk.models import Conversation, Status
    from calmdesk.mail import sendstate
    from calmdesk.mail.actions import do_send_reply
    from calmdesk.mail.models import Outbox, OutboxState

    user = get_user_model().objects.get(username="demo")
    client = Client()
    client.force_login(user)
    open_ = list(Conversation.objects.filter(status=Status.ACTIVE).order_by("id")[:count])
    replies = [do_send_reply(c, user, "Thanks, looking into it now.") for c in open_]
    # Idle pages: nothing of theirs on its way (the demo may have a reply waiting).
    Outbox.objects.filter(
        message__conversation__in=open_, state__in=[OutboxState.SCHEDULED, OutboxState.SENDING]
    ).update(state=OutboxState.SENT, sent_at=timezone.now())
    sendstate.clock = PageClock(len(open_))
    pages = [reverse("conversation", args=[c.pk]) for c in open_]
    states = [reverse("mail_send_state", args=[r.pk]) for r in replies]
    pulses = [
        reverse("conversation_pulse", args=[c.pk]) + f"?m={r.pk}&e=0"
        for c, r in zip(open_, replies, strict=True)
    ]
    etags = [client.get(url)["ETag"] for url in pulses]

    def page(n: int) -> int:
        return client.get(pages[n % len(pages)]).status_code

    def send_state(n: int) -> int:
        return client.get(states[n % len(states)]).status_code

    def pulse_200(n: int) -> int:
        return client.get(pulses[n % len(pulses)]).status_code

    def pulse_304(n: int) -> int:
        i = n % len(pulses)
        response = client.get(pulses[i], headers={"If-None-Match": etags[i]})
        if response.status_code != 304:  # something changed on an idle page: say what
            print(response.content.decode()[:2000], file=sys.stderr)
        return response.status_code

    return {"page": page, "send_state": send_state, "pulse_200": pulse_200, "pulse_304": pulse_304}


EXPECTED_STATUS = {"page": 200, "send_state": 200, "pulse_200": 200, "pulse_304": 304}


def _queries(ask: Callable[[int], int]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ask(0)
    with CaptureQueriesContext(connection) as captured:
        ask(1)
    return len(captured)


def _timed(
    ask: Callable[[int], int], requests: int, expected: int, tick: Callable[[int], object]
) -> dict:
    wall: list[float] = []
    cpu: list[float] = []
    for n in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        status = ask(n)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if status != expected:
            raise RuntimeError(f"expected {expected}, the server answered {status}")
        tick(1)
    mean = statistics.fmean(wall)
    return {
        "status": expected,
        "mean": mean,
        "median": statistics.median(wall),
        "p95": statistics.quantiles(wall, n=20)[-1],
        "per_second": 1000 / mean,
        "cpu_median": statistics.median(cpu),
        "per_second_cpu": 1000 / statistics.fmean(cpu),
    }


def _report(results: dict) -> None:
    print(
        f"\ncalmdesk bench poll ({results['database']}; {results['conversations']:,} "
        f"conversations, {results['pages']} open pages; best of {results['rounds']} rounds)\n"
    )
    print(
        f"{'request':<32}{'status':>7}{'queries':>8}{'wall ms':>15}{'req/s':>7}"
        f"{'CPU ms':>8}{'req/s':>7}{'idle pages':>11}"
    )
    print(f"{'':<47}{'median / p95':>15}{'':>7}{'median':>8}{'CPU':>7}{'(CPU)':>11}")
    modes = results["modes"]
    for mode, label in MODES.items():
        m = modes[mode]
        print(
            f"{label:<32}{m['status']:>7}{m['queries']:>8}"
            f"{m['median']:>8.1f} / {m['p95']:>4.1f}{m['per_second']:>7.0f}"
            f"{m['cpu_median']:>8.1f}{m['per_second_cpu']:>7.0f}"
            f"{m['per_second_cpu'] * IDLE_EVERY:>11.0f}"
        )
    unchanged = modes["pulse_304"]["per_second_cpu"]
    print(
        f"\nby CPU, an unchanged pulse answers {unchanged / modes['page']['per_second_cpu']:.1f}x "
        f"as many requests as the full page and "
        f"{unchanged / modes['send_state']['per_second_cpu']:.1f}x as many as one send-state "
        f"partial (one process; idle pages = req/s x {IDLE_EVERY} s)"
    )


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
