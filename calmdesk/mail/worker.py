"""``calmdesk worker``: the outbox loop, IMAP polling, the periodic jobs and the task
framework's DB worker, each in its own thread of one process. SIGTERM or Ctrl-C stops
it between steps; a SIGKILL anywhere loses nothing (see calmdesk.mail.outbox and .imap;
a periodic job is run again once its lease is over, see calmdesk.jobs)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("calmdesk.worker")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="calmdesk worker", description=__doc__)
    parser.add_argument("--once", action="store_true", help="one pass of each loop, then exit")
    parser.add_argument(
        "--until-idle",
        action="store_true",
        help="exit when no reply is scheduled or being sent (benchmarks)",
    )
    parser.add_argument("--no-outbox", action="store_true")
    parser.add_argument("--no-imap", action="store_true")
    parser.add_argument("--no-tasks", action="store_true")
    parser.add_argument("--no-jobs", action="store_true", help="do not run periodic jobs")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between outbox passes")
    # Crash tests: stop at a named step, write MARKER and wait there to be SIGKILLed.
    parser.add_argument("--pause-at", default="", help=argparse.SUPPRESS)
    return parser


def pause_hook(spec: str) -> Callable[[str], None]:
    """``STEP:MARKER`` stops at the first STEP, ``STEP#N:MARKER`` at the Nth (a batch
    killed midway, its first N-1 items done)."""
    step, _, marker = spec.partition(":")
    step, _, nth = step.partition("#")
    reached = 0

    def pause(current: str) -> None:
        nonlocal reached
        if not step or current != step:
            return
        reached += 1
        if reached >= int(nth or 1):
            Path(marker).write_text("paused")
            while True:
                time.sleep(1)

    return pause


def _loop(name: str, body: Callable[[], object], stop: threading.Event, interval: float) -> None:
    from django.db import close_old_connections

    while not stop.is_set():
        try:
            body()
        except Exception:
            # A database restart or a bug in one pass must not end the loop.
            log.exception("%s pass failed", name)
        finally:
            close_old_connections()
        stop.wait(interval)


def _idle() -> bool:
    from calmdesk.mail.models import Outbox, OutboxState

    return not Outbox.objects.filter(
        state__in=[OutboxState.SCHEDULED, OutboxState.SENDING]
    ).exists()


def _tasks_worker(worker: str, interval: float, *, batch: bool):
    """django-tasks-db's worker, run in a thread of ours: its signal handlers are not
    installed (only the main thread may), our SIGTERM handler stops it instead."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker[:64],
        excluded_queue_names=[],
    )


def cmd_worker(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    from django.db import InterfaceError, OperationalError

    from calmdesk.jobs.actions import do_run_due_jobs
    from calmdesk.jobs.registry import JOB_PAUSE
    from calmdesk.mail import imap, outbox
    from calmdesk.mail.claims import new_worker_id

    try:
        ensure_migrated()
    except (OperationalError, InterfaceError) as exc:
        print(f"calmdesk worker: database unavailable ({type(exc).__name__})", file=sys.stderr)
        return 75
    worker = new_worker_id()
    pause = pause_hook(args.pause_at)
    if args.once:
        if not args.no_outbox:
            outbox.run_once(worker, pause)
        if not args.no_imap:
            imap.run_once(worker, pause)
        if not args.no_jobs:
            JOB_PAUSE.set(pause)
            do_run_due_jobs(worker)
        if not args.no_tasks:
            _tasks_worker(worker, args.interval, batch=True).run()
        return 0

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = []
    if not args.no_outbox:

        def outbox_pass() -> None:
            outbox.run_once(worker, pause, stop.is_set)
            if args.until_idle and _idle():
                stop.set()

        threads.append(
            threading.Thread(target=_loop, args=("outbox", outbox_pass, stop, args.interval))
        )
    if not args.no_imap:
        threads.append(
            threading.Thread(
                target=_loop,
                args=(
                    "imap",
                    lambda: imap.run_once(worker, pause, stop.is_set),
                    stop,
                    args.interval,
                ),
            )
        )
    if not args.no_jobs and not args.until_idle:

        def jobs_pass() -> None:
            JOB_PAUSE.set(pause)  # in this thread's own context
            do_run_due_jobs(worker, stop=stop.is_set)

        threads.append(
            threading.Thread(target=_loop, args=("jobs", jobs_pass, stop, args.interval))
        )
    tasks_worker = None
    if not args.no_tasks and not args.until_idle:
        tasks_worker = _tasks_worker(worker, args.interval, batch=False)
        threads.append(threading.Thread(target=tasks_worker.run, daemon=True))
    log.info("worker %s started", worker)
    for thread in threads:
        thread.start()
    while not stop.is_set():
        stop.wait(0.5)
    if tasks_worker is not None:
        tasks_worker.running = False
    for thread in threads:
        if not thread.daemon:
            thread.join()
    log.info("worker %s stopped", worker)
    return 0
