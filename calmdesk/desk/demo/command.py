"""``calmdesk demo``: migrate, fill an empty database with demo data, then serve the desk
and run the worker beside it until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time


def cmd_demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk demo", description=__doc__)
    parser.add_argument("--reset", action="store_true", help="wipe the demo data first")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--conversations", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-serve", action="store_true", help="prepare the data and stop")
    parser.add_argument(
        "--no-catcher",
        action="store_true",
        help="do not catch outgoing mail on a local port (CALMDESK_SMTP_HOST, if set, wins)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    from django.conf import settings

    if args.reset:
        _reset(settings)
    import django

    django.setup()
    from django.core.management import call_command

    from calmdesk.desk.demo.generate import DEMO_PASSWORD, generate
    from calmdesk.desk.demo.team import add_team_demo
    from calmdesk.desk.models import Conversation
    from calmdesk.empathy.demo import add_demo_reproductions
    from calmdesk.empathy.reanalyze import reanalyze

    print(f"calmdesk: data in {settings.DATA_DIR}", flush=True)
    call_command("migrate", verbosity=0)
    if not Conversation.objects.exists():
        print("calmdesk: writing demo data (a seeded generator, under a minute)", flush=True)
        generate(args.conversations, seed=args.seed)
    # The generator writes in bulk; the engine reads what it wrote (and, after an engine
    # upgrade, re-reads what an older engine read).
    if reanalyze():
        add_demo_reproductions()
        add_team_demo()
    if args.no_serve:
        return 0
    url = f"http://127.0.0.1:{args.port}"
    controller = None if args.no_catcher else start_mail_catcher(settings)
    print(
        f"\n  calmdesk is at {url}\n  sign in as demo / {DEMO_PASSWORD}"
        f"  (or alice, bob, charlie, erin with the same password)\n  Ctrl-C stops it.\n",
        flush=True,
    )
    try:
        return _serve(args.port)
    finally:
        if controller is not None:
            controller.stop()


def start_mail_catcher(settings):
    """Catch the desk's outgoing mail on a loopback port, so a reply visibly leaves:
    the web server and the worker (children, which read the environment) send to it,
    and admins and leads see it under "Sent mail". A real server, if set, wins."""
    if os.environ.get("CALMDESK_SMTP_HOST"):
        print(f"calmdesk: replies go to {os.environ['CALMDESK_SMTP_HOST']}", flush=True)
        return None
    from calmdesk.mail import catcher

    controller = catcher.start(catcher.folder())
    os.environ.update(
        CALMDESK_SMTP_HOST=controller.hostname,
        CALMDESK_SMTP_PORT=str(controller.port),
        CALMDESK_SMTP_SECURITY="none",
        CALMDESK_MAIL_CATCHER="1",
    )
    print(
        f"calmdesk: catching sent mail on {controller.hostname}:{controller.port} "
        f"(kept in {catcher.folder()}; 'Sent mail' in the desk shows it)",
        flush=True,
    )
    return controller


def _reset(settings) -> None:
    """Remove the database and stored files. Only what calmdesk itself keeps in the data
    directory; on PostgreSQL the tables are emptied instead."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            path = f"{database['NAME']}{suffix}"
            if os.path.exists(path):
                os.remove(path)
    else:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("flush", interactive=False, verbosity=0)
    for folder in (
        settings.DATA_DIR / "files",
        settings.RAW_MAIL_DIR,
        settings.DATA_DIR / "caught-mail",
    ):
        shutil.rmtree(folder, ignore_errors=True)
    print("calmdesk: demo data wiped", flush=True)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a SIGTERM or SIGHUP stops both children like Ctrl-C does


def _serve(port: int) -> int:
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "calmdesk.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "5",
            "--no-control-socket",
        ]
    )
    worker = subprocess.Popen([sys.executable, "-m", "calmdesk", "worker"])
    worker_reported = False
    try:
        while web.poll() is None:
            if worker.poll() is not None and not worker_reported:
                print(
                    f"calmdesk: the worker stopped (exit {worker.returncode}); replies stay "
                    "scheduled, the desk keeps serving",
                    file=sys.stderr,
                    flush=True,
                )
                worker_reported = True
            time.sleep(0.5)
        print(f"calmdesk: the web server stopped (exit {web.returncode})", file=sys.stderr)
        return web.returncode or 1
    except KeyboardInterrupt:
        print("\ncalmdesk: stopping", flush=True)
        return 0
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
