"""Mail that used to arrive as an opaque attachment: Outlook's winmail.dat (TNEF) and a
multipart without a usable boundary (issue 14)."""

from __future__ import annotations

import base64
import struct

import pytest

from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.parsing import parse
from calmdesk.mail.tnef import MAX_TNEF_OBJECTS, decode_tnef
from tests.conftest import shared_data

pytestmark = pytest.mark.django_db


def _attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
    # level, attribute id, type, length, data, checksum (the sum of the data bytes)
    return (
        struct.pack("<BHHI", level, name, kind, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def tnef_stream(body: str, files: list[tuple[str, bytes]]) -> bytes:
    """A TNEF stream as Outlook writes one: the message body, then each attachment
    opened by its rendering data, with its title and its data (MS-OXTNEF 2.1.3)."""
    out = struct.pack("<IH", 0x223E9F78, 1)
    out += _attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # attOemCodepage
    out += _attribute(1, 0x800C, 0x0002, body.encode("cp1252"))  # attBody
    for name, data in files:
        out += _attribute(2, 0x9002, 0x0006, bytes(14))  # attAttachRendData
        out += _attribute(2, 0x8010, 0x0001, name.encode() + b"\0")  # attAttachTitle
        out += _attribute(2, 0x800F, 0x0006, data)  # attAttachData
    return out


def outlook_mail(tnef: bytes) -> bytes:
    encoded = base64.encodebytes(tnef).decode().replace("\n", "\r\n")
    return (
        "From: Jan Outlook <jan@firm.example>\r\nTo: support@calmdesk.test\r\n"
        "Subject: Invoice question\r\nMessage-ID: <tnef1@firm.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=winmail.dat\r\n\r\n"
        f"{encoded}--b--\r\n"
    ).encode()


def test_winmail_dat_becomes_the_body_and_its_files(support):
    pdf = b"%PDF-1.4 invoice 2291"
    raw = outlook_mail(tnef_stream("The invoice is charged twice, café.", [("inv.pdf", pdf)]))
    message = ingest_raw(raw, support).message
    assert message.body_text == "The invoice is charged twice, café."
    files = {a.filename: a.file.read() for a in message.attachments.all()}
    assert files == {"inv.pdf": pdf}
    assert message.attachments.get().content_type == "application/pdf"


def test_damaged_or_oversized_tnef_stays_the_attachment_it_came_as(support):
    damaged = b"\x78\x9f\x3e\x22" + b"\x00" * 3  # the signature, then nothing readable
    assert decode_tnef(damaged) is None
    flood = struct.pack("<IH", 0x223E9F78, 1) + _attribute(1, 0x800C, 2, b"") * (
        MAX_TNEF_OBJECTS + 1
    )
    assert decode_tnef(flood) is None
    mail = parse(outlook_mail(flood))
    assert [a.filename for a in mail.attachments] == ["winmail.dat"]


def test_a_multipart_without_a_boundary_keeps_its_text_as_the_body():
    raw = (
        b"From: dana@example.com\r\nSubject: no boundary\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed\r\n\r\nThe export still fails after the update.\r\n"
    )
    mail = parse(raw)
    assert mail.text.strip() == "The export still fails after the update."
    assert mail.attachments == []


def test_a_boundary_the_header_could_not_say_is_found_in_the_body():
    raw = shared_data(
        "email", "ruby_mail", "emails", "mime_emails", "raw_email_with_illegal_boundary.eml"
    ).read_bytes()
    mail = parse(raw)
    assert "This is an outlook test" in mail.text
    assert not any(a.filename.startswith("part-") for a in mail.attachments)
