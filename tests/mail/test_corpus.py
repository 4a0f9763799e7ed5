"""Every raw message under ../shared/data/email ends stored (or as a duplicate of one
stored) or quarantined with its bytes and reason, with every attachment accounted for.
The pathological and torture files are in the walk: it finishes because parsing and
stripping are bounded, which is what this proves (no timed assertion)."""

from __future__ import annotations

import hashlib
from email import message_from_bytes, policy
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.ingest_cli import iter_messages
from calmdesk.mail.models import Bounce, InboundMail, Quarantine
from calmdesk.mail.parsing import parse
from tests.conftest import shared_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def named_parts(part: EmailMessage) -> list[tuple[str, bytes]]:
    """(filename, decoded bytes) of each named leaf part outside enclosed messages —
    found independently of calmdesk's own walker."""
    if part.get_content_maintype() == "message":
        return []
    if part.is_multipart():
        payload = part.get_payload()
        children = payload if isinstance(payload, list) else []
        return [found for child in children for found in named_parts(child)]
    try:
        name = part.get_filename()
        data = part.get_payload(decode=True)
    except Exception:
        return []
    return [(str(name), data)] if name and isinstance(data, bytes) else []


def test_the_whole_shared_corpus_is_stored_or_quarantined(support):
    corpus = shared_data("email")
    counts = {"stored": 0, "duplicate": 0, "quarantined": 0, "bounce": 0}
    for label, raw in iter_messages([corpus]):
        outcome = ingest_raw(raw, support, source="file")
        counts[outcome.status] += 1
        if outcome.quarantine is not None:  # quarantined now, or its bytes were before
            row = Quarantine.objects.get(raw_sha256=hashlib.sha256(raw).hexdigest())
            assert row.reason, label
            assert (Path(settings.RAW_MAIL_DIR) / row.raw_path).read_bytes() == raw, label
            continue
        if outcome.status == "bounce" or parse(raw).is_bounce:  # a Bounce, not a message
            bounce = Bounce.objects.get(mailbox=support, fingerprint=parse(raw).fingerprint)
            assert (Path(settings.RAW_MAIL_DIR) / bounce.raw_path).read_bytes() == raw, label
            continue
        inbound = InboundMail.objects.get(mailbox=support, fingerprint=parse(raw).fingerprint)
        stored = {
            hashlib.sha256(a.file.read()).hexdigest() for a in inbound.message.attachments.all()
        }
        skipped = {s["filename"] for s in inbound.skipped_attachments}
        top = message_from_bytes(raw, policy=policy.default)
        try:
            expected = named_parts(top)
        except RecursionError:
            continue  # deeper than the stdlib recurses; kept whole, checked in the raw
        for name, data in expected:
            assert hashlib.sha256(data).hexdigest() in stored or name in skipped, (label, name)
    assert sum(counts.values()) > 500
    assert counts["stored"] > 200 and counts["quarantined"] > 100
    assert counts["bounce"] >= 18  # the corpora's DSNs, null senders included
