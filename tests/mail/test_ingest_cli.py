"""``calmdesk ingest`` as an MTA runs it: a fresh data directory, stdin or files, one
summary line, EX_TEMPFAIL when the database is down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from calmdesk.mail.scratch import scratch_env
from tests.conftest import shared_data
from tests.mail.conftest import free_port, make_mail

pytestmark = pytest.mark.slow  # each test runs calmdesk ingest in subprocesses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path):  # type: ignore[no-untyped-def]
    with scratch_env(tmp_path / "data", os.environ.get("DATABASE_URL")) as scratch:
        yield scratch


def ingest(env: dict[str, str], *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "calmdesk", "ingest", "--quiet", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )


def test_a_piped_message_is_stored_on_a_fresh_data_dir(env):
    result = ingest(env, stdin=make_mail(message_id="<pipe@example.com>"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "ingested: 1 stored, 0 quarantined, 0 duplicates"
    again = ingest(env, stdin=make_mail(message_id="<pipe@example.com>"))
    assert again.stdout.decode().strip() == "ingested: 0 stored, 0 quarantined, 1 duplicates"


def test_two_first_runs_do_not_race_the_migration(env):
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "calmdesk", "ingest", "--quiet"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    outputs = [
        run.communicate(make_mail(message_id=f"<race{i}@example.com>"), timeout=300)
        for i, run in enumerate(runs)
    ]
    assert [run.returncode for run in runs] == [0, 0], [err.decode() for _, err in outputs]
    assert all(b"1 stored" in out for out, _ in outputs)


def test_files_folders_and_mbox_are_all_accounted_for(env, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.eml").write_bytes(make_mail(message_id="<f1@example.com>"))
    (folder / "sub" / "two.eml").write_bytes(make_mail(message_id="<f2@example.com>"))
    (folder / "junk.txt").write_bytes(b"not a mail at all")
    mbox = shared_data("email", "cpython", "_main_newer_via_read_file", "mailbox_01.mbox")
    result = ingest(env, str(folder), str(mbox))
    assert result.returncode == 0, result.stderr.decode()
    line = result.stdout.decode().strip()
    stored = int(line.split()[1])
    quarantined = int(line.split()[3])
    assert stored >= 2 and quarantined >= 1


def test_an_unreachable_database_is_a_temporary_failure(tmp_path):
    env = dict(os.environ)
    env["CALMDESK_DATA_DIR"] = str(tmp_path)
    env["DATABASE_URL"] = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    result = ingest(env, stdin=make_mail())
    assert result.returncode == 75
    assert b"database unavailable" in result.stderr


def test_quarantined_mail_is_kept_and_retried_by_the_cli(env):
    first = ingest(env, stdin=b"Subject: who am I\r\n\r\nno sender here\r\n")
    assert first.stdout.decode().strip() == "ingested: 0 stored, 1 quarantined, 0 duplicates"
    raw_files = list((Path(env["CALMDESK_DATA_DIR"]) / "raw").rglob("*.eml"))
    assert len(raw_files) == 1
    retried = ingest(env, "--retry")
    assert retried.returncode == 0
    # Still no sender: it stays quarantined, reason updated, nothing lost.
    assert retried.stdout.decode().strip() == "ingested: 0 stored, 1 quarantined, 0 duplicates"


def test_an_unreadable_file_is_named_and_the_walk_goes_on(tmp_path, monkeypatch):
    from calmdesk.mail.ingest_cli import iter_messages

    (tmp_path / "a.eml").write_bytes(b"first")
    (tmp_path / "b.eml").write_bytes(b"second")
    real = Path.read_bytes

    def flaky(self: Path) -> bytes:
        if self.name == "a.eml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", flaky)
    unreadable: list[str] = []
    found = list(iter_messages([tmp_path], unreadable))
    assert [raw for _, raw in found] == [b"second"]
    assert unreadable == [f"{tmp_path / 'a.eml'}: Permission denied"]


def test_a_piped_null_sender_bounce_is_taken_as_a_bounce(env):
    from tests.mail.test_hostile_mail import dsn

    result = ingest(env, stdin=dsn("MAILER-DAEMON <>", "gone@example.com", "<x@example.com>"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == (
        "ingested: 0 stored, 0 quarantined, 0 duplicates, 1 bounces"
    )
