"""Mail built to take the desk down, for ``calmdesk bench ingest``: each case is
ingested in a child process of its own (see ``calmdesk.bench.ingest``), which reports
the wall time, its own peak RSS above what it held before, what was stored, and how big
the conversation page is. The tests assert the caps; the figures are here."""

from __future__ import annotations

import time

SENTENCE = b"The export to CSV fails again with error 500 and our month-end close is blocked. "


def nested_divs(depth: int = 100_000) -> bytes:
    """The 1.1 MB email of nested <div>s that held the write lock for 45 s."""
    html = b"<div>" * depth + b"Help, the export is broken." + b"</div>" * depth
    return _mail(b"Nested", b"text/html; charset=utf-8", html)


def long_body(size: int = 10 * 1024 * 1024) -> bytes:
    """A 10 MB plain-text body (a log pasted in full)."""
    line = SENTENCE + b"\r\n"
    return _mail(b"Long body", b"text/plain; charset=utf-8", line * (size // len(line)))


def big_message(size: int = 30 * 1024 * 1024) -> bytes:
    """A 30 MB HTML message (a newsletter or a report pasted as HTML)."""
    para = b"<p>" + SENTENCE + b"</p>\r\n"
    return _mail(b"Big message", b"text/html; charset=utf-8", para * (size // len(para)))


def nested_multiparts(depth: int = 100_000) -> bytes:
    """100,000 multiparts, each inside the last."""
    opens = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closes = b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))
    inner = b"Content-Type: text/plain\r\n\r\nHelp, the export is broken."
    head = b"From: Deep <deep@example.com>\r\nSubject: Deep\r\nMIME-Version: 1.0\r\n"
    return head + opens + inner + closes + b"\r\n"


def _mail(subject: bytes, content_type: bytes, body: bytes) -> bytes:
    return (
        b"From: Hostile Sender <hostile@example.com>\r\nTo: support@calmdesk.localhost\r\n"
        b"Subject: "
        + subject
        + b"\r\nMessage-ID: <"
        + subject.replace(b" ", b"-")
        + b"@example.com>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type + b"\r\n\r\n" + body
    )


CASES = {
    "nested-divs": nested_divs,
    "body-10mb": long_body,
    "message-30mb": big_message,
    "nested-multiparts": nested_multiparts,
}


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def child_case(name: str) -> dict[str, object]:
    from django.contrib.auth.models import User
    from django.test import Client

    from calmdesk.mail.ingest import default_mailbox, ingest_raw

    mailbox = default_mailbox()
    # The engine's weights load on the first message: not what is measured.
    ingest_raw(_mail(b"Warm up", b"text/plain", SENTENCE), mailbox, source="file")
    raw = CASES[name]()
    _reset_peak()
    before = _peak_kb()
    start, cpu = time.perf_counter(), time.process_time()
    outcome = ingest_raw(raw, mailbox, source="file")
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_kb() - before
    row: dict[str, object] = {
        "case": name,
        "bytes": len(raw),
        "status": str(outcome.status),
        "seconds": seconds,
        "cpu": cpu_seconds,
        "peak_mb": peak / 1024,
    }
    if outcome.message is not None:
        admin = User.objects.filter(username="bench-admin").first()
        admin = admin or User.objects.create_superuser("bench-admin", "admin@example.com", "x")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin)
        page = client.get(f"/c/{outcome.message.conversation_id}/")
        row["body_chars"] = len(outcome.message.body_text)
        row["page_bytes"] = len(page.content)
        row["raw_only"] = outcome.message.inbound.raw_only
    return row
