"""``calmdesk bench load`` runs end to end on a tiny desk, in its own processes and its own
SQLite: gunicorn serving, a worker sending to the mail catcher, an ingest process, agents
on loopback; no request fails and the checks hold (every accepted reply stored and sent
once, every ingested mail stored). Timings are printed, never asserted."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from calmdesk.bench.load import EXPECTED, Record, _checks_pass, _mix

pytestmark = pytest.mark.slow  # a benchmark


def test_the_bench_serves_the_desk_to_agents_and_checks_what_they_did() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CALMDESK_DATA_DIR"}}
    args = [
        *("--conversations", "60", "--agents", "2", "--duration", "6", "--think", "0.1", "0.3"),
        *("--web", "1", "--threads", "2", "--workers", "1", "--ingest-rate", "1"),
        *("--undo-seconds", "0", "--drain", "30", "--mix", "reply=2,draft=1,conversation=1"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "calmdesk", "bench", "load", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "checks: ok" in done.stdout
    for kind in EXPECTED:
        assert f"\n{kind:<14}" in done.stdout
    assert "0 caught twice" in done.stdout


def test_a_refused_page_is_an_error_and_a_collision_is_not() -> None:
    record = Record()
    record.add("inbox", 12.0, 200)
    record.add("pulse", 3.0, 304)
    record.add("reply", 40.0, 409)  # a teammate wrote meanwhile: the guard, not a fault
    assert record.errors() == 0
    record.add("inbox", 9.0, 500)
    record.failed("search", "ConnectionRefusedError: [Errno 111]")
    assert record.errors() == 2


def test_a_reply_sent_twice_or_lost_fails_the_checks() -> None:
    record = Record(replies_accepted=3)
    fine = {"replies_stored": 3, "sent": 3, "caught": 3, "caught_twice": 0, "inbound_stored": 5}
    assert _checks_pass(record, fine, {"stored": 5})
    assert not _checks_pass(record, {**fine, "caught": 4, "caught_twice": 1}, {"stored": 5})
    assert not _checks_pass(record, {**fine, "replies_stored": 2}, {"stored": 5})
    assert not _checks_pass(record, fine, {"stored": 6})


def test_the_mix_names_known_actions_only() -> None:
    assert _mix("reply=2,inbox") == {"reply": 2.0, "inbox": 1.0}
    with pytest.raises(argparse.ArgumentTypeError, match="unknown action"):
        _mix("dance=1")
