"""Answer all, interrupted for real: the worker process is SIGKILLed in the middle of a
batch of 30 (inside an item's transaction, its reply written, the item not yet marked
sent), then a second worker runs to the end. Every customer gets exactly one reply.

As in tests/mail/test_crash.py, the processes share one scratch database (SQLite, or
PostgreSQL when DATABASE_URL names one) and the test process only runs them, reading
the database through the probe and the mail through the SMTP catcher."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.mail.test_crash import kill_at, probe, worker

pytestmark = pytest.mark.slow  # real worker processes, one of them killed mid-batch

BATCH = 30
KILLED_AT = 11  # the worker dies in the 11th item's transaction: 10 are sent


def test_a_worker_killed_mid_batch_sends_each_answer_once(env, smtp_server, tmp_path):
    conversations = probe(env, "setup-answers", str(BATCH))
    # No outbox loop in the worker that dies: the mail goes out after the restart.
    kill_at(env, f"answer-sent#{KILLED_AT}", tmp_path / "marker", "--no-outbox", "--no-imap")
    state = probe(env, "report-answers")
    assert Counter(state["items"].values()) == {
        "sent": KILLED_AT - 1,
        "pending": BATCH - KILLED_AT + 1,
    }
    assert state["batches"] == ["sending"]
    # The 11th reply was written in the transaction the kill cut short: it is gone too.
    assert Counter(state["replies"]) == Counter(state["outbox"])
    assert len(state["replies"]) == KILLED_AT - 1
    assert smtp_server.received == []

    probe(env, "end-job-leases")  # the dead worker's lease on problems.answer_all is over
    worker(env, "--once", "--no-imap")  # sends the 10 outboxed, then queues the other 20
    worker(env, "--once", "--no-imap", "--no-jobs")  # sends those 20
    state = probe(env, "report-answers")
    assert set(state["items"].values()) == {"sent"}
    assert state["batches"] == ["done"]
    everyone_once = Counter({conversation: 1 for conversation in conversations})
    assert Counter(state["replies"]) == everyone_once
    assert Counter(state["outbox"]) == everyone_once
    assert set(state["outbox_states"]) == {"sent"}
    recipients = Counter(r for mail in smtp_server.received for r in mail.recipients)
    assert recipients == Counter({f"c{n}@store.example": 1 for n in range(BATCH)})
    assert len(set(smtp_server.message_ids())) == BATCH
