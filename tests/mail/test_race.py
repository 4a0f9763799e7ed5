"""Undo racing two real worker processes: for every reply exactly one side wins. An
undo that succeeded never leaves; a reply that was not undone arrives, under its one
Message-ID. (The same run, at 10,000 sends, is ``calmdesk bench ingest``.)"""

from __future__ import annotations

import os

import pytest

from calmdesk.bench.ingest import outbox_race
from calmdesk.mail.scratch import scratch_env

pytestmark = pytest.mark.slow


def test_undo_and_claim_never_both_win(tmp_path, smtp_server):
    with scratch_env(tmp_path / "data", os.environ.get("DATABASE_URL")) as env:
        race = outbox_race(env, sends=300, undo_share=0.3, window=2.0)
    assert race["undo_attempts"] == 90
    assert race["undone_but_sent"] == 0
    assert race["lost"] == 0
    assert race["two_message_ids"] == 0
    assert race["duplicates_same_id"] == 0 and race["flagged_resends"] == 0
    assert race["delivered"] + race["undos_won"] == race["sends"]


def test_four_workers_racing_send_each_reply_once(tmp_path, smtp_server):
    """Four real worker processes on the same outbox (on PostgreSQL they pick candidates
    with FOR UPDATE SKIP LOCKED; on SQLite the conditional UPDATE alone decides), an
    undo racing them: no reply twice, none lost, none sent once undone."""
    with scratch_env(tmp_path / "data", os.environ.get("DATABASE_URL")) as env:
        race = outbox_race(env, sends=200, undo_share=0.2, window=1.0, worker_count=4)
    assert race["undone_but_sent"] == 0 and race["lost"] == 0
    assert race["two_message_ids"] == 0
    assert race["duplicates_same_id"] == 0 and race["flagged_resends"] == 0
    assert race["delivered"] + race["undos_won"] == race["sends"]
