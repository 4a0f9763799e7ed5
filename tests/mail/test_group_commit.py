"""``calmdesk ingest`` over a folder stores its mail in groups, one commit each. A group
counts only once it commits: a process killed mid-folder (SIGKILL, inside a group's
transaction or just after its commit) has stored whole groups only, and a re-run stores
the rest, nothing twice. A message that fails inside a group is quarantined with its
raw bytes and the others of the group are stored."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from calmdesk.desk.models import Message, MessageKind
from calmdesk.mail import ingest as ingest_module
from calmdesk.mail.ingest import GROUP_MESSAGES, ingest_group
from calmdesk.mail.models import InboundMail, Quarantine, QuarantineCause
from calmdesk.mail.scratch import scratch_env
from tests.mail.conftest import make_mail
from tests.mail.test_crash import kill_command_at, probe

ROOT = Path(__file__).resolve().parents[2]
FOLDER_SIZE = 2 * GROUP_MESSAGES + 10  # two whole groups and part of a third


def folder_of_mail(folder: Path) -> list[str]:
    """Mail from a few customers, some answering an earlier one; returns the ids."""
    folder.mkdir()
    ids = [f"<group{n}@example.com>" for n in range(FOLDER_SIZE)]
    for n, mid in enumerate(ids):
        answers = f"In-Reply-To: {ids[n - 5]}\r\n" if n >= 5 and n % 3 == 0 else ""
        raw = make_mail(
            sender=f"Customer {n % 7} <customer{n % 7}@example.com>",
            subject=f"Question {n}",
            message_id=mid,
            extra=answers,
        )
        (folder / f"{n:03d}.eml").write_bytes(raw)
    return ids


def ingest(env: dict[str, str], folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "calmdesk", "ingest", "--quiet", str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )


def kill_ingest_at(env: dict[str, str], folder: Path, step: str, marker: Path) -> None:
    """Start ``calmdesk ingest`` over the folder, let it reach ``step``, SIGKILL it."""
    command = ["ingest", "--quiet", "--pause-at", f"{step}:{marker}", str(folder)]
    kill_command_at(env, command, step, marker)


@pytest.mark.slow  # real ingest processes, killed mid-folder
@pytest.mark.parametrize(
    "step,stored_before_kill",
    [
        # Killed inside the second group's transaction: only the first group is stored.
        ("group-stored#2", GROUP_MESSAGES),
        # Killed after the second group committed, before it was counted.
        ("after-commit#2", 2 * GROUP_MESSAGES),
    ],
)
def test_a_killed_folder_ingest_loses_nothing_and_stores_nothing_twice(
    tmp_path, step, stored_before_kill
):
    with scratch_env(tmp_path / "data", os.environ.get("DATABASE_URL")) as env:
        env["CALMDESK_LOG_LEVEL"] = "WARNING"
        ids = folder_of_mail(tmp_path / "mail")
        kill_ingest_at(env, tmp_path / "mail", step, tmp_path / "marker")
        received = probe(env, "report")["received"]
        assert sorted(received) == sorted(ids[:stored_before_kill])  # whole groups only

        rerun = ingest(env, tmp_path / "mail")
        assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
        rest = FOLDER_SIZE - stored_before_kill
        assert rerun.stdout.decode().strip() == (
            f"ingested: {rest} stored, 0 quarantined, {stored_before_kill} duplicates"
        )
        received = probe(env, "report")["received"]
        assert Counter(received) == Counter(ids)  # each once


def poisoned_with(failure: str):  # type: ignore[no-untyped-def]
    """A receive step that stores the message (real writes) and then fails, for the
    message with subject "Poison" only: with a Python error, or with the database
    refusing a statement (which, without a savepoint, would abort the whole group's
    transaction on PostgreSQL)."""
    real = ingest_module.do_receive_message

    def receive(**kwargs):  # type: ignore[no-untyped-def]
        message = real(**kwargs)
        if kwargs["subject"] == "Poison":
            if failure == "database":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "INSERT INTO desk_message (id, conversation_id, kind) VALUES (%s, %s, %s)",
                        [message.pk, message.conversation_id, MessageKind.CUSTOMER],
                    )
            raise RuntimeError("poisoned")
        return message

    return receive


@pytest.mark.parametrize("failure", ["python", "database"])
def test_a_poisoned_message_leaves_the_rest_of_its_group_stored(support, monkeypatch, failure):
    monkeypatch.setattr(ingest_module, "do_receive_message", poisoned_with(failure))
    good = [make_mail(message_id=f"<good{n}@example.com>") for n in range(4)]
    poison = make_mail(subject="Poison", message_id="<poison@example.com>")
    unreadable = b"Subject: no sender\r\n\r\nWho wrote this?\r\n"
    outcomes = ingest_group([good[0], good[1], poison, unreadable, good[2], good[3]], support)

    assert [o.status for o in outcomes] == [
        "stored",
        "stored",
        "quarantined",
        "quarantined",
        "stored",
        "stored",
    ]
    stored = Message.objects.filter(kind=MessageKind.CUSTOMER)
    assert sorted(stored.values_list("message_id", flat=True)) == sorted(
        f"<good{n}@example.com>" for n in range(4)
    )
    assert not InboundMail.objects.filter(message__message_id="<poison@example.com>").exists()
    kept = Quarantine.objects.get(raw_sha256=outcomes[2].quarantine.raw_sha256)
    expected = {"python": QuarantineCause.STORE_ERROR, "database": QuarantineCause.COLLISION}
    assert kept.cause == expected[failure]
    assert (Path(settings.RAW_MAIL_DIR) / kept.raw_path).read_bytes() == poison
    assert outcomes[3].quarantine.cause == QuarantineCause.UNREADABLE  # malformed: kept too
