"""``calmdesk import``: a summary per kind, exit 0 when the desk holds everything the
source held, 1 when anything is missing (listed with its reason), 65 for a wrong
mailbox or missing credentials; ``--dry-run`` counts and writes nothing."""

from __future__ import annotations

from pathlib import Path

from calmdesk.desk.models import Conversation
from calmdesk.importer.cli import EX_DATAERR, INCOMPLETE, cmd_import
from calmdesk.importer.models import ImportFailure
from tests.conftest import shared_data

GOOD = (
    b"From maya@shop.example Mon Mar  2 10:00:00 2026\n"
    b"From: Maya <maya@shop.example>\nSubject: Refund\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n"
    b"Message-ID: <r1@shop.example>\n\nWhere is my refund?\n\n"
)
NO_SENDER = (
    b"From nobody Mon Mar  2 11:00:00 2026\n"
    b"Subject: Who am I\nDate: Mon, 2 Mar 2026 11:00:00 +0000\nMessage-ID: <x@y>\n\nHello\n"
)


def test_an_archive_imports_with_a_summary_and_a_dry_run_writes_nothing(support, capsys) -> None:
    path = shared_data("import", "mbox", "perceval", "mbox_complex.mbox")
    assert cmd_import(["mbox", str(path), "--mailbox", "support", "--dry-run", "--quiet"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert not Conversation.objects.exists()
    assert cmd_import(["mbox", str(path), "--mailbox", "Support", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "messages" in out and "MISSING" not in out
    assert Conversation.objects.count() == 2


def test_a_record_that_cannot_be_imported_is_listed_and_the_exit_is_1(
    support, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "history.mbox"
    path.write_bytes(GOOD + NO_SENDER)
    assert cmd_import(["mbox", str(path), "--mailbox", "support", "--quiet"]) == INCOMPLETE
    out = capsys.readouterr().out
    assert "MISSING 1" in out and "no usable sender" in out
    assert ImportFailure.objects.get().reason.startswith("no usable sender")
    assert Conversation.objects.count() == 1


def test_a_wrong_mailbox_or_missing_credentials_stop_before_anything(
    support, monkeypatch, capsys
) -> None:
    path = shared_data("import", "mbox", "perceval", "mbox_single.mbox")
    assert cmd_import(["mbox", str(path), "--mailbox", "nowhere", "--quiet"]) == EX_DATAERR
    monkeypatch.delenv("CALMDESK_IMPORT_ZENDESK_TOKEN", raising=False)
    url = "https://acme.zendesk.com"
    assert cmd_import(["zendesk", url, "--mailbox", "support", "--quiet"]) == EX_DATAERR
    assert "CALMDESK_IMPORT_ZENDESK_TOKEN" in capsys.readouterr().err
