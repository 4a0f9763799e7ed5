"""Mail that must not take the desk down (issue 14): parsing and cleaning happen before
the write transaction, HTML nesting and MIME nesting are capped, and a message over the
size cap is stored from its headers with a note. These assert the caps and the shape of
the work; the timings are in ``calmdesk bench ingest``."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from calmdesk.bench.hostile_mail import nested_divs, nested_multiparts
from calmdesk.mail import ingest as ingest_module
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.htmltext import MAX_HTML_DEPTH, cap_depth, html_to_text, sanitise
from calmdesk.mail.ingest import ANALYSED_CHARS, ingest_raw
from calmdesk.mail.models import MailboxMailSettings
from calmdesk.mail.parsing import MAX_BOUNDARIES
from tests.mail.conftest import make_mail


def deepest(html: str) -> int:
    depth = most = 0
    for piece in html.split("<")[1:]:
        if piece.startswith("/div"):
            depth -= 1
        elif piece.startswith("div"):
            depth += 1
            most = max(most, depth)
    return most


def test_html_nesting_is_capped_and_its_text_kept():
    html = "<div>" * 100_000 + "Help, the export is broken." + "</div>" * 100_000
    capped = cap_depth(html)
    assert deepest(capped) == MAX_HTML_DEPTH
    assert deepest(sanitise(html)) <= MAX_HTML_DEPTH
    assert html_to_text(html) == "Help, the export is broken."


@pytest.mark.parametrize(
    "html",
    [
        "<table><tr><td><p>Hi <b>there</b><br>line</p></td></tr></table>",
        "<div>" * MAX_HTML_DEPTH + "x" + "</div>" * MAX_HTML_DEPTH,
        "<p>a<img src=x/>b</p><hr><ul><li>one<li>two</ul>",
    ],
)
def test_html_within_the_cap_is_left_as_it_is(html):
    assert cap_depth(html) == html


@pytest.mark.django_db(transaction=True)
def test_parsing_and_cleaning_run_before_the_write_transaction(support, monkeypatch):
    seen: dict[str, bool] = {}

    def spy(name: str):  # type: ignore[no-untyped-def]
        real = getattr(ingest_module, name)

        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen[name] = connection.in_atomic_block
            return real(*args, **kwargs)

        monkeypatch.setattr(ingest_module, name, wrapped)

    for name in ("parse", "html_to_text", "sanitise", "reply_text"):
        spy(name)
    outcome = ingest_raw(nested_divs(20_000), support)
    assert outcome.status == "stored"
    assert seen == {"parse": False, "html_to_text": False, "sanitise": False, "reply_text": False}
    assert outcome.message.body_text == "Help, the export is broken."
    assert deepest(outcome.message.body_html) <= MAX_HTML_DEPTH


@pytest.mark.django_db
def test_mime_nested_past_any_real_mail_is_kept_raw_with_a_note(support, monkeypatch):
    parsed: list[bytes] = []
    monkeypatch.setattr(ingest_module, "parse", lambda raw: parsed.append(raw))
    raw = nested_multiparts(MAX_BOUNDARIES * 10)
    message = ingest_raw(raw, support).message
    assert parsed == []  # the MIME parser never saw it
    assert message.inbound.raw_only
    assert "nests more parts than any real mail" in message.body_text
    assert (Path(settings.RAW_MAIL_DIR) / message.inbound.raw_path).read_bytes() == raw


@pytest.mark.django_db
def test_mail_over_the_size_cap_is_stored_from_its_headers(support, alice, settings):
    first = ingest_raw(make_mail(sender="lee@example.org"), support).message
    reply = do_send_reply(first.conversation, alice, "Could you send the log?")
    settings.MAX_MESSAGE_BYTES = 4096
    big = make_mail(
        sender="Lee <lee@example.org>",
        subject="Re: Export fails",
        body="the full log:\n" + "ERROR export failed at row 17\n" * 400,
        extra=f"In-Reply-To: {reply.message_id}\r\n",
    )
    assert len(big) > settings.MAX_MESSAGE_BYTES
    message = ingest_raw(big, support).message
    assert message.conversation_id == first.conversation_id
    assert message.inbound.raw_only and message.inbound.threaded_by == "headers"
    assert "larger than 4.0" in message.body_text and "raw mail" in message.body_text
    assert "ERROR export" not in message.body_text and message.analysis_text == ""
    assert (Path(settings.RAW_MAIL_DIR) / message.inbound.raw_path).read_bytes() == big


@pytest.mark.django_db
def test_the_engine_reads_the_start_of_a_long_body_and_the_body_is_kept_whole(support):
    log = "ERROR export failed at row 17 of the monthly close\n" * 20_000  # ~1 MB
    message = ingest_raw(make_mail(body="Hi, the export fails. Log:\n" + log), support).message
    assert len(message.analysis_text) == ANALYSED_CHARS
    assert message.analysis_text.startswith("Hi, the export fails.")
    assert message.body_text.count("ERROR export failed") == 20_000


@pytest.mark.django_db
def test_a_long_body_is_cut_in_the_page_with_show_all(support, alice, charlie, client):
    log = "ERROR export failed at row 17 of the monthly close\n" * 4_000  # ~200 KB
    message = ingest_raw(make_mail(body="Hi, the export fails. Log:\n" + log), support).message
    client.force_login(alice)
    page = client.get(f"/c/{message.conversation_id}/").content.decode()
    assert page.count("ERROR export failed") < 1_000
    assert len(page) < len(message.body_text)
    assert f'href="/messages/{message.pk}/text/"' in page and "Show all" in page
    whole = client.get(f"/messages/{message.pk}/text/")
    assert whole["Content-Type"] == "text/plain; charset=utf-8"
    assert whole.content.decode() == message.body_text
    client.force_login(charlie)
    assert client.get(f"/messages/{message.pk}/text/").status_code == 404


@pytest.mark.django_db
def test_html_past_the_kept_size_is_read_as_text_and_left_in_the_raw_mail(support, monkeypatch):
    monkeypatch.setattr(ingest_module, "MAX_HTML_KEPT", 1000)
    html = "<p>The export fails at row 17.</p>" * 100
    raw = make_mail(body=html, extra="").replace(b"text/plain", b"text/html")
    message = ingest_raw(raw, support).message
    assert message.body_html == ""
    assert message.body_text.count("The export fails at row 17.") == 100


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>T</title><style>p{x}</style></head><body><p>Hello &amp; hi</p>"
        "<div>Line<br>two</div><script>alert(1)</script><p>end</p></body></html>",
        "<!DOCTYPE html><!-- a [if mso] comment <p>x</p> --><table><tr><td>a</td></tr>"
        "<tr><td>b</td></tr></table><h1>Head</h1>text",
        "<ul><li>one</li><li>two &lt;3</li></ul><blockquote>quoted</blockquote><hr>after",
    ],
)
def test_large_html_is_flattened_in_one_pass_to_the_same_text(html, monkeypatch):
    from calmdesk.mail import htmltext

    expected = html_to_text(html)
    cleaned: list[str] = []
    real_clean = htmltext.nh3.clean
    monkeypatch.setattr(
        htmltext.nh3, "clean", lambda *a, **k: cleaned.append(a[0]) or real_clean(*a, **k)
    )
    monkeypatch.setattr(htmltext, "STREAM_TEXT_CHARS", 10)
    assert html_to_text(html) == expected
    assert cleaned == []  # no HTML parser's tree was built


def with_files(files: list[tuple[str, bytes]]) -> bytes:
    parts = "".join(
        f"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; filename={name}\r\n\r\n"
        f"{base64.encodebytes(data).decode()}"
        for name, data in files
    )
    return (
        "From: Dana <dana@example.com>\r\nSubject: Files\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
        f"Here are the files.\r\n{parts}--b--\r\n"
    ).encode()


@pytest.mark.django_db
def test_a_mailbox_quota_limits_how_many_files_and_bytes_a_message_stores(support):
    MailboxMailSettings.objects.create(
        mailbox=support,
        max_attachment_bytes=600,
        max_attachments=3,
        max_attachments_total_bytes=1000,
    )
    files = [("a.log", b"a" * 400), ("big.log", b"b" * 700), ("c.log", b"c" * 400)]
    files += [("d.log", b"d" * 300), ("e.log", b"e" * 10)]
    message = ingest_raw(with_files(files), support).message
    kept = sorted(message.attachments.values_list("filename", flat=True))
    assert kept == ["a.log", "c.log", "e.log"]  # e.log still fits in the 1000 bytes
    reasons = {s["filename"]: s["reason"] for s in message.inbound.skipped_attachments}
    assert reasons == {
        "big.log": "larger than 600 bytes",
        "d.log": "over the mailbox's 1000 bytes of attachments per message",
    }
    MailboxMailSettings.objects.filter(mailbox=support).update(max_attachments_total_bytes=10**6)
    many = with_files([(f"f{n}.txt", b"x") for n in range(5)])
    stored = ingest_raw(many, support).message
    assert stored.attachments.count() == 3
    assert [s["reason"] for s in stored.inbound.skipped_attachments] == [
        "over the mailbox's 3 attachments per message"
    ] * 2


@pytest.mark.django_db
def test_a_zip_bomb_is_stored_as_it_came_never_expanded(support):
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("zeros.bin", bytes(50 * 1024 * 1024))  # 50 MB of zeros, ~50 KB packed
    data = packed.getvalue()
    assert len(data) < 100 * 1024
    message = ingest_raw(with_files([("invoice.zip", data)]), support).message
    stored = message.attachments.get()
    assert (stored.filename, stored.size, stored.file.read()) == ("invoice.zip", len(data), data)


@pytest.mark.django_db
def test_a_body_that_talks_about_boundaries_is_read_normally(support):
    body = "Our MTA logs say: Content-Type: multipart/mixed; boundary=x\n" * (MAX_BOUNDARIES + 5)
    message = ingest_raw(make_mail(body=body), support).message
    assert not message.inbound.raw_only
    assert message.body_text.count("boundary=x") == MAX_BOUNDARIES + 5
