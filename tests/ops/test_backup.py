"""calmdesk backup / restore: a desk is copied, lost, restored from the copy, and the
doctor finds nothing missing. Runs on SQLite (the backup API) and on PostgreSQL
(pg_dump / pg_restore) with the same test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from calmdesk.desk.models import Attachment, Conversation, Message
from calmdesk.mail import rawstore
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import InboundMail, Outbox
from calmdesk.ops.backup import BackupError, backup, restore
from calmdesk.ops.doctor import examine
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, object]:
    return {
        "conversations": sorted(Conversation.objects.values_list("id", "subject", "message_count")),
        "messages": sorted(Message.objects.values_list("id", "kind", "body_text")),
        "outbox": sorted(Outbox.objects.values_list("message_id", "state")),
        "attachments": sorted(Attachment.objects.values_list("id", "file")),
    }


def lose_everything() -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.RAW_MAIL_DIR, ignore_errors=True)
    shutil.rmtree(Path(settings.DATA_DIR) / "files", ignore_errors=True)


def test_a_restored_backup_holds_everything_and_the_doctor_passes(desk, tmp_path) -> None:
    outcome = ingest_raw(make_mail(subject="Invoice missing"), desk.support)
    do_send_reply(desk.conversation, desk.alice, "We are on it.")
    before = snapshot()
    manifest = backup(tmp_path / "backup")
    assert manifest["files"] == {"raw": 1, "files": 1}
    lose_everything()
    assert Conversation.objects.count() == 0
    restore(tmp_path / "backup")
    assert snapshot() == before
    raw_path = InboundMail.objects.get(message_id=outcome.message.pk).raw_path
    assert b"Invoice missing" in rawstore.read(raw_path)
    assert [r.check.code for r in examine() if r.left] == []


def test_restore_refuses_to_overwrite_a_desk_with_data_unless_told(desk, tmp_path) -> None:
    backup(tmp_path / "backup")
    with pytest.raises(BackupError, match="--replace"):
        restore(tmp_path / "backup")
    Message.objects.filter(pk=desk.message.pk).update(body_text="changed after the backup")
    restore(tmp_path / "backup", replace=True)
    assert Message.objects.get(pk=desk.message.pk).body_text.startswith("My checkout")


def test_backup_refuses_a_folder_that_is_not_empty(desk, tmp_path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "precious.txt").write_text("keep me")
    with pytest.raises(BackupError, match="not empty"):
        backup(tmp_path / "backup")
