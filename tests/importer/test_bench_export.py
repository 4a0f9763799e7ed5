"""The import bench's generated export: four messages a thread, each threaded to the one
before it, and with ``time_order`` every message after the one sent before it, threads
interleaved as in a mailbox's archive."""

from __future__ import annotations

import email
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from calmdesk.bench.importer import write_export
from calmdesk.importer.sources.mail import split_mbox


@pytest.mark.parametrize("time_order", [False, True])
def test_the_export_holds_every_thread_in_the_order_asked(tmp_path: Path, time_order) -> None:
    path = tmp_path / "export.mbox"
    assert write_export(path, 200, time_order=time_order) == 800
    messages = [email.message_from_bytes(raw) for _envelope, raw in split_mbox(path)]
    assert len({m["Message-ID"] for m in messages}) == 800
    sent = [parsedate_to_datetime(m["Date"]) for m in messages]
    assert (sent == sorted(sent)) is time_order
    threads = [m["Message-ID"].split(".")[0].strip("<>@").split("@")[0] for m in messages]
    # Interleaved only in time order: a thread's messages then are not all together.
    assert (threads[:4] == [threads[0]] * 4) is not time_order
    for message in messages:
        if message["In-Reply-To"]:
            assert message["References"].split()[-1] == message["In-Reply-To"]
