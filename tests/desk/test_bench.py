"""The desk bench runs end to end on a tiny desk. Its timings are printed, never
asserted: a test that depends on the machine's speed is a flaky test."""

from __future__ import annotations

import pytest

from calmdesk.bench import desk as bench

pytestmark = pytest.mark.slow  # a benchmark


def test_the_bench_runs_and_reports_every_page(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATABASE_URL", raising=False)  # its own SQLite, in a temp dir
    assert bench.run(["--conversations", "300", "--requests", "3"]) == 0
    out = capsys.readouterr().out
    for label in bench.LABELS.values():
        assert label in out
    assert "peak RSS" in out
