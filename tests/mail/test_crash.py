"""Kill the worker (SIGKILL) between steps, restart it, and count: nothing lost,
nothing doubled beyond the one flagged resend that SMTP's crash window allows.

Every process here (probe, worker) shares one scratch database; the test process only
runs them and reads what the SMTP and IMAP servers saw."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from calmdesk.mail.scratch import scratch_env
from tests.mail.conftest import imap_append, imap_seen, make_mail, wait_for

pytestmark = pytest.mark.slow  # real worker processes, killed mid-step

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path, smtp_server):  # type: ignore[no-untyped-def]
    with scratch_env(tmp_path / "data", os.environ.get("DATABASE_URL")) as scratch:
        scratch.update(
            CALMDESK_SMTP_HOST=smtp_server.host,
            CALMDESK_SMTP_PORT=str(smtp_server.port),
            CALMDESK_SMTP_SECURITY="none",
            CALMDESK_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            CALMDESK_LOG_LEVEL="WARNING",
        )
        yield scratch


def probe(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "tests.mail.probe", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return json.loads(result.stdout)


def worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "calmdesk", "worker", "--no-tasks", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return result


def kill_at(env: dict[str, str], step: str, marker: Path, *args: str) -> None:
    """Start a worker, let it reach ``step``, and SIGKILL it there."""
    command = ["worker", "--no-tasks", "--interval", "0.1"]
    kill_command_at(env, [*command, "--pause-at", f"{step}:{marker}", *args], step, marker)


def kill_command_at(env: dict[str, str], command: list[str], step: str, marker: Path) -> None:
    """Start ``calmdesk COMMAND`` (which names ``--pause-at STEP:MARKER``), let it reach
    ``step`` (it writes the marker and waits there), and SIGKILL it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "calmdesk", *command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: marker.exists() or process.poll() is not None, f"{command[0]} at {step}", 120
        )
        assert marker.exists(), f"{command[0]} exited with {process.returncode} before {step}"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def test_killed_after_the_server_accepted_resends_once_under_the_same_id(
    env, smtp_server, tmp_path
):
    ids = probe(env, "setup-outbox", "3")
    kill_at(env, "after-smtp", tmp_path / "marker", "--no-imap")
    assert len(smtp_server.received) == 1  # accepted, but never recorded as sent
    worker(env, "--once", "--no-imap")
    state = probe(env, "report")
    seen = Counter(smtp_server.message_ids())
    assert set(seen) == set(ids)  # nothing lost
    assert set(state["outbox"].values()) == {"sent"}
    doubled = [mid for mid, n in seen.items() if n > 1]
    assert len(doubled) == 1 and seen[doubled[0]] == 2
    assert state["resends"] == doubled  # the one resend is flagged


def test_killed_after_the_claim_sends_each_reply_once(env, smtp_server, tmp_path):
    ids = probe(env, "setup-outbox", "3")
    kill_at(env, "after-claim", tmp_path / "marker", "--no-imap")
    assert smtp_server.received == []
    worker(env, "--once", "--no-imap")
    state = probe(env, "report")
    assert sorted(smtp_server.message_ids()) == sorted(ids)
    assert set(state["outbox"].values()) == {"sent"}
    assert state["resends"] == []


def test_killed_between_commit_and_seen_stores_each_mail_once(env, dovecot, imap_folder, tmp_path):
    probe(env, "setup-imap", str(dovecot.port), dovecot.user, dovecot.password, imap_folder)
    ids = [f"<crash{n}@example.com>" for n in range(3)]
    imap_append(dovecot, imap_folder, [make_mail(message_id=mid) for mid in ids])
    kill_at(env, "after-commit", tmp_path / "marker", "--no-outbox")
    assert imap_seen(dovecot, imap_folder) == (3, 0)  # stored one, flagged none
    assert probe(env, "report")["received"][-1] == ids[0]
    worker(env, "--once", "--no-outbox")
    received = probe(env, "report")["received"]
    assert sorted(r for r in received if r.startswith("<crash")) == sorted(ids)
    assert imap_seen(dovecot, imap_folder) == (3, 3)


def test_the_worker_runs_one_off_tasks(env):
    probe(env, "enqueue-retry")
    subprocess.run(
        [sys.executable, "-m", "calmdesk", "worker", "--once", "--no-outbox", "--no-imap"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert "<quarantined@example.com>" in probe(env, "report")["received"]
