"""``calmdesk bench poll`` runs end to end on a tiny desk, in its own process and its own
SQLite: every kind of request answered as it should be (the bench stops on a 304 that
turns into a 200 with nothing changed). Timings are printed, never asserted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from calmdesk.bench.poll import MODES

pytestmark = pytest.mark.slow  # a benchmark


def test_the_bench_runs_and_reports_every_request() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CALMDESK_DATA_DIR"}}
    args = ["--conversations", "120", "--pages", "4", "--requests", "8", "--rounds", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "calmdesk", "bench", "poll", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for label in MODES.values():
        assert label in done.stdout
    assert " 304 " in done.stdout
