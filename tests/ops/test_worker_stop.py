"""A stopping worker (SIGTERM) finishes the item it holds and takes no other: each loop
asks the stop flag between items. These tests say that it does, not how long it takes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from calmdesk.jobs.actions import do_run_due_jobs
from calmdesk.jobs.models import PeriodicJob
from calmdesk.jobs.registry import Job, register, unregister
from calmdesk.mail import imap, outbox
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.models import MailboxMailSettings, Outbox, OutboxState, Security
from calmdesk.mail.secrets import encrypt
from tests.mail.conftest import imap_append, imap_seen, make_mail, wait_for
from tests.mail.test_imap import KEY


def stop_at(step: str) -> tuple[threading.Event, object]:
    """A stop flag and a pause hook that raises it when the worker reaches ``step``."""
    stop = threading.Event()

    def pause(current: str) -> None:
        if current == step:
            stop.set()

    return stop, pause


@pytest.mark.django_db
def test_the_outbox_sends_the_reply_it_holds_and_claims_no_more(desk, smtp_settings) -> None:
    earlier = timezone.now() - timedelta(hours=1)
    replies = [
        do_send_reply(desk.conversation, desk.alice, f"Reply {n}", now=earlier) for n in range(3)
    ]
    stop, pause = stop_at("after-claim")
    assert outbox.run_once(new_worker_id(), pause, stop.is_set) == 1  # type: ignore[arg-type]
    states = [Outbox.objects.get(message=r) for r in replies]
    assert [o.state for o in states].count(OutboxState.SENT) == 1
    assert [(o.state, o.claimed_by) for o in states].count((OutboxState.SCHEDULED, "")) == 2
    assert len(smtp_settings.received) == 1


@pytest.mark.django_db
def test_an_imap_poll_stops_between_messages_and_releases_its_claim(  # type: ignore[no-untyped-def]
    desk, dovecot, imap_folder, settings
):
    settings.ENCRYPTION_KEY = KEY
    polled = MailboxMailSettings.objects.create(
        mailbox=desk.support,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_security=Security.NONE,
        imap_user=dovecot.user,
        imap_password_encrypted=encrypt(dovecot.password),
        imap_folder=imap_folder,
    )
    imap_append(dovecot, imap_folder, [make_mail(message_id=f"<s{n}@x.test>") for n in range(3)])
    stop, pause = stop_at("after-commit")
    tally = imap.run_once(new_worker_id(), pause, stop.is_set)  # type: ignore[arg-type]
    assert tally.stored == 1
    assert imap_seen(dovecot, imap_folder) == (3, 1)  # the other two wait for the next poll
    polled.refresh_from_db()
    assert polled.poll_claimed_by == "" and polled.last_poll_error == ""


@pytest.mark.django_db
def test_the_jobs_loop_takes_no_further_job_once_stopping() -> None:
    stop = threading.Event()
    ran: list[str] = []

    def first(now: datetime) -> None:
        ran.append("first")
        stop.set()

    register(Job("test.stop.a", timedelta(hours=1), first))
    register(Job("test.stop.b", timedelta(hours=1), first))
    try:
        do_run_due_jobs(new_worker_id(), stop=stop.is_set)
        assert ran == ["first"]  # whichever of the two came first; the other waits
        mine = PeriodicJob.objects.filter(name__startswith="test.stop.")
        assert sorted(mine.values_list("runs", flat=True)) == [0, 1]
    finally:
        unregister("test.stop.a")
        unregister("test.stop.b")


@pytest.mark.slow
def test_the_worker_process_exits_cleanly_on_sigterm(tmp_path) -> None:
    env = {**os.environ, "CALMDESK_DATA_DIR": str(tmp_path), "CALMDESK_LOG_LEVEL": "INFO"}
    env.pop("DATABASE_URL", None)  # its own SQLite file, not the test database
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "calmdesk", "worker", "--no-tasks", "--interval", "0.2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: b"started" in log.read_bytes(), "the worker to start", 120)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=120) == 0  # a guard against a hang, not a timing
        finally:
            if worker.poll() is None:
                worker.kill()
    assert b"stopped" in log.read_bytes()
