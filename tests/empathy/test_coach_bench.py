"""`calmdesk bench coach` runs end to end on a tiny demo desk of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # a benchmark, in a subprocess


def test_coach_bench_reports_its_figures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CALMDESK_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "calmdesk",
            "bench",
            "coach",
            "--conversations",
            "40",
            "--requests",
            "8",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    # Exit 1 only says the p95 missed its target on this machine; that is a figure, not
    # a failure of the command.
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["coach_requests"] == 8
    assert result["customer_messages"] > 40
    assert 0 < result["coach_median_ms"] <= result["coach_p95_ms"]
