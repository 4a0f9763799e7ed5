"""Parsing real and hand-made raw mail: charsets, attachments, loop flags, bounces."""

from __future__ import annotations

import pytest

from calmdesk.mail.parsing import ParseError, decode_bytes, parse
from tests.conftest import shared_data
from tests.mail.conftest import make_mail


def test_it_reads_a_plain_support_mail():
    mail = parse(make_mail(message_id="<a1@example.com>"))
    assert mail.from_address == "dana@example.com"
    assert mail.from_name == "Dana Customer"
    assert mail.message_id == "<a1@example.com>"
    assert "error 500" in mail.text
    assert mail.auto_reasons == []
    assert not mail.is_bounce


def test_identity_comes_from_from_not_reply_to():
    mail = parse(make_mail(extra="Reply-To: someone-else@example.net\r\n"))
    assert mail.from_address == "dana@example.com"


@pytest.mark.parametrize(
    "charset,payload,expected",
    [
        ("utf-8", "café".encode(), "café"),
        ("iso-8859-1", "café".encode("latin-1"), "café"),
        ("x-no-such-charset", "café".encode(), "café"),  # unknown: falls back to UTF-8
        ("us-ascii", "café".encode("latin-1"), "caf\xe9"),  # lying: falls back, no crash
        ("utf-8", b"caf\xe9", "caf\xe9"),
    ],
)
def test_every_charset_decodes(charset, payload, expected):
    assert decode_bytes(payload, charset) == expected


def test_a_message_without_a_sender_is_refused_with_a_reason():
    with pytest.raises(ParseError, match="sender"):
        parse(b"Subject: hi\r\n\r\nno from header\r\n")


@pytest.mark.parametrize(
    "header,flagged",
    [
        ("Auto-Submitted: auto-replied", True),
        ("Auto-Submitted: auto-generated", True),
        ("Auto-Submitted: no", False),
        ("Precedence: bulk", True),
        ("Precedence: junk", True),
        ("Precedence: list", True),
        ("Precedence: first-class", False),
        ("X-Autoreply: yes", True),
        ("X-Autorespond: yes", True),
        ("List-Unsubscribe: <mailto:leave@example.com>", True),
        ("X-Auto-Response-Suppress: All", True),
    ],
)
def test_loop_headers_flag_the_message(header, flagged):
    mail = parse(make_mail(extra=header + "\r\n"))
    assert bool(mail.auto_reasons) is flagged


def test_a_dsn_names_what_it_bounced_and_who():
    raw = shared_data("email", "flanker", "fixtures", "messages", "bounce", "mailbox-full.eml")
    mail = parse(raw.read_bytes())
    assert mail.is_bounce
    assert mail.bounced_message_ids == ["<4E326A95.3010907@example.com>"]
    assert mail.bounced_recipients == ["user@aol.com"]


def test_winmail_dat_is_kept_as_an_attachment():
    raw = (
        b"From: a@example.com\r\nSubject: tnef\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\neJ8+IgAAAQ==\r\n--b--\r\n"
    )
    mail = parse(raw)
    assert [a.filename for a in mail.attachments] == ["winmail.dat"]
    assert mail.text.strip() == "see attached"


def test_an_encoded_subject_with_a_line_break_is_one_line():
    mail = parse(make_mail(subject="=?utf-8?q?Hello=0D=0ABcc:_x@evil.test?="))
    assert "\n" not in mail.subject and "\r" not in mail.subject


def test_the_same_message_through_imap_keeps_its_fingerprint():
    raw = make_mail(message_id="<fp@example.com>")
    traced = b"Received: from mx by imap; Mon, 2 Nov 2026 10:00:01 +0000\r\n" + raw
    assert parse(raw).fingerprint == parse(traced).fingerprint
    other = make_mail(message_id="<fp@example.com>", body="A different message.\n")
    assert parse(other).fingerprint != parse(raw).fingerprint


def test_nul_characters_are_dropped_so_any_database_takes_the_text():
    mail = parse(make_mail(body="before\x00after\n"))
    assert "before" in mail.text and "\x00" not in mail.text
