"""calmdesk export: JSON lines per type another tool can read, with the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from calmdesk.accounts.models import Agent
from calmdesk.desk.models import Attachment, Conversation, Mailbox
from calmdesk.mail.ingest import ingest_raw
from calmdesk.ops.export import export
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


def lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_export_holds_every_record_its_files_and_no_secrets(desk, tmp_path) -> None:
    outcome = ingest_raw(make_mail(subject="Invoice missing"), desk.support)
    sneaky = Attachment(message=desk.message, filename="../../etc/\u202epasswd")
    sneaky.file.save("x.bin", ContentFile(b"payload"), save=False)
    sneaky.save()
    counts = export(tmp_path / "out")
    assert counts["mailboxes"] == Mailbox.objects.count() == 2
    assert counts["agents"] == Agent.objects.count()
    assert counts["conversations"] == Conversation.objects.count() == 3
    messages = {m["id"]: m for m in lines(tmp_path / "out" / "messages.jsonl")}
    received = messages[outcome.message.pk]
    assert b"Invoice missing" in (tmp_path / "out" / received["raw"]).read_bytes()
    shown = {a["filename"]: a["path"] for a in messages[desk.message.pk]["attachments"]}
    assert (tmp_path / "out" / shown["screen shot.png"]).read_bytes() == b"\x89PNG fake"
    # A customer's file name never leaves the export folder.
    sneaky_path = (tmp_path / "out" / shown[sneaky.filename]).resolve()
    assert sneaky_path.is_relative_to(tmp_path / "out") and sneaky_path.read_bytes() == b"payload"
    everything = "".join(p.read_text() for p in (tmp_path / "out").glob("*.jsonl"))
    assert "password" not in everything and "argon2" not in everything
    customers = lines(tmp_path / "out" / "customers.jsonl")
    assert "maya@shop.example" in [e for c in customers for e in c["emails"]]
