"""mbox, Maildir and .eml folders import completely through the ingest's parsing, the
threads rebuilt from their headers; a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.importer.models import ImportFailure
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.mail import MailArchive, split_mbox
from tests.conftest import shared_data
from tests.importer.conftest import dump, folders_agree

OURS = {"support@desk.example", "alice@desk.example"}


def archive(kind: str, *parts: str) -> MailArchive:
    return MailArchive(kind, shared_data("import", "mbox", *parts), OURS)


def test_split_mbox_survives_a_non_ascii_from_line() -> None:
    path = shared_data("import", "mbox", "perceval", "mbox_unixfrom_encoding.mbox")
    messages = list(split_mbox(path))
    assert len(messages) == 1
    assert "“example.org”".encode() in messages[0][0]  # not ASCII: mailbox.mbox raises


@pytest.mark.parametrize(
    "kind,parts",
    [
        ("mbox", ("perceval", "mbox_complex.mbox")),
        ("mbox", ("perceval", "mbox_unknown_encoding.mbox")),
        ("mbox", ("perceval", "mbox_unixfrom_encoding.mbox")),
        ("mbox", ("perceval", "mbox_iso8859_encoding.mbox")),
        ("mbox", ("perceval", "mbox_no_fields.mbox")),
        ("maildir", ("maildir_from_perceval_multipart",)),
        ("eml", ("django_mailbox",)),
    ],
)
def test_each_archive_imports_completely_and_twice_changes_nothing(support, kind, parts) -> None:
    report = run_import(archive(kind, *parts), support, progress=False)
    assert report.complete, report.lines()
    assert not ImportFailure.objects.exists()
    assert Message.objects.count() == report.held("message") > 0
    assert Message.objects.filter(imported_at__isnull=True).count() == 0
    assert folders_agree()
    first = dump()
    again = run_import(archive(kind, *parts), support, progress=False)
    assert again.complete
    assert dump() == first


def test_a_reply_threads_onto_its_root_and_customers_are_read(support, tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(
        b"From: Maya <maya@shop.example>\nTo: support@desk.example\nSubject: Checkout broken\n"
        b"Date: Mon, 2 Mar 2026 10:00:00 +0100\nMessage-ID: <one@shop.example>\n\n"
        b"My checkout is broken and I am losing sales.\n"
    )
    (tmp_path / "b.eml").write_bytes(
        b"From: Alice <alice@desk.example>\nTo: Maya <maya@shop.example>\n"
        b"Subject: Re: Checkout broken\nDate: Mon, 2 Mar 2026 11:00:00 +0100\n"
        b"Message-ID: <two@desk.example>\nIn-Reply-To: <one@shop.example>\n"
        b"References: <one@shop.example>\n\nSorry about that, it is fixed now.\n"
    )
    report = run_import(MailArchive("eml", tmp_path, OURS), support, progress=False)
    assert report.complete
    conversation = Conversation.objects.get()
    assert conversation.subject == "Checkout broken"
    assert [m.kind for m in conversation.messages.all()] == [
        MessageKind.CUSTOMER,
        MessageKind.REPLY,
    ]
    assert conversation.messages.get(kind=MessageKind.REPLY).author.username == "alice"
    assert conversation.customer.primary_email == "maya@shop.example"
    assert conversation.message_count == 2 and conversation.waiting_since is None
    assert conversation.messages.get(kind=MessageKind.CUSTOMER).reading is not None
