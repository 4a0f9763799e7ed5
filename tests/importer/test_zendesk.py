"""Zendesk's incremental export, replayed from the recorded fixtures by a local server
(paged, with a 429, a 500 and a dropped connection on the way): every ticket, user and
comment imports, the deleted ticket closed and tagged, agents matched by email; a second
run reads the saved pages from disk and changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from calmdesk.desk.models import Attachment, Conversation, Message, MessageKind, Status
from calmdesk.importer.records import DELETED_TAG
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.zendesk import Zendesk
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from tests.conftest import shared_data
from tests.importer.conftest import dump, folders_agree
from tests.importer.replay import DROP, Answer, Replay

RECORDED = "https://znunyhelp.zendesk.com"
FILES = "https://p18.zdusercontent.com"
PAGE = 60  # tickets per page served (the recording has them in one page of 144)


def _load(replay: Replay) -> dict[str, object]:
    """Route every recorded answer; split the ticket export into pages and ticket 1's
    comments into two. Returns the parsed ticket export."""
    folder = shared_data("import", "zendesk", "vcr_split")
    tickets: dict[str, object] = {}
    for file in sorted(folder.glob("*.json")):
        record = json.loads(file.read_text())
        uri = record["request_uri"].replace("<IMPORT_ZENDESK_ENDPOINT>", "/api/v2")
        uri = re.sub(r"^https://[^/]+", "", uri.replace("<IMPORT_ZENDESK_ENDPOINT_HOSTNAME>", "h"))
        body = record["body"]
        if record["request_uri"].startswith(FILES):  # a file's bytes
            # Binary bytes were not recorded: as many stand-ins.
            size = body.get("_binary_omitted_bytes", 0)
            data = body.get("_raw", "").encode() or bytes(i % 251 for i in range(size))
            replay.routes["/zdusercontent" + uri] = Answer(200, data)
        elif record["status"] == 302:
            target = re.search(r'href="([^"]+)"', body["_raw"]).group(1).replace("&amp;", "&")
            location = target.replace(FILES, replay.url + "/zdusercontent")
            replay.routes[uri] = Answer(302, b"", {"Location": location})
        else:
            text = json.dumps(body).replace(RECORDED, replay.url).replace(FILES, replay.url)
            replay.json(uri, json.loads(text))
            if uri == "/api/v2/incremental/tickets?start_time=1":
                tickets = json.loads(text)
    rows = tickets["tickets"]
    starts = [1, 1_000_001, 1_000_002]
    for number, start in enumerate(starts):
        last = number == len(starts) - 1
        page = {
            "tickets": rows[number * PAGE : None if last else (number + 1) * PAGE],
            "end_of_stream": last,
            "end_time": starts[number + 1] if not last else 1_611_160_470,
        }
        replay.json(f"/api/v2/incremental/tickets?start_time={start}", page)
    comments = replay.routes["/api/v2/tickets/1/comments"]
    everything = json.loads(comments.body)["comments"]
    second = f"{replay.url}/api/v2/tickets/1/comments?page=2"
    replay.json("/api/v2/tickets/1/comments", {"comments": everything[:2], "next_page": second})
    replay.json(
        "/api/v2/tickets/1/comments?page=2", {"comments": everything[2:], "next_page": None}
    )
    return tickets


def _source(replay: Replay, state: Path) -> Zendesk:
    client = Client(
        allowance=Allowance.of(["127.0.0.1"]),
        policy=Policy(timeout=5, backoff=0.01),
        sleep=lambda seconds: None,  # the 429's Retry-After is honoured without waiting
    )
    return Zendesk.over_http(replay.url, ("admin@desk.example", "t0ken"), state, client=client)


def test_the_recorded_zendesk_export_imports_completely(support, tmp_path) -> None:
    with Replay() as replay:
        tickets = _load(replay)
        replay.fault(
            "/api/v2/incremental/users?start_time=1", Answer(429, b"", {"Retry-After": "3"})
        )
        replay.fault("/api/v2/incremental/tickets?start_time=1000001", DROP)
        replay.fault("/api/v2/tickets/5/comments", Answer(500, b"oops"))
        source = _source(replay, tmp_path / "state")
        report = run_import(source, support, progress=False)
        fetched = source.pages.fetched
        assert report.complete, report.lines()
        assert report.held("conversation") == len(tickets["tickets"]) == 144
        assert report.held("customer") == 139
        assert report.imported["attachment"] == 3
        assert "/api/v2/tickets/1/comments?page=2" in replay.seen
        first = dump()
        asked = len(replay.seen)
        again = run_import(_source(replay, tmp_path / "state"), support, progress=False)
        assert again.complete
        assert len(replay.seen) == asked  # every page came from the state folder
        assert dump() == first
    assert fetched > 140
    deleted = Conversation.objects.get(tags__name=DELETED_TAG)
    assert deleted.status == Status.CLOSED and deleted.message_count == 1
    assert Conversation.objects.filter(status=Status.PENDING).count() == 3
    ticket_one = Conversation.objects.get(
        subject="This is a sample ticket requested and submitted by you"
    )
    # The sample ticket: its agent wrote it (a public comment, a reply), then a private note.
    assert [m.kind for m in ticket_one.messages.all()][:2] == [MessageKind.REPLY, MessageKind.NOTE]
    assert ticket_one.status == Status.PENDING and ticket_one.message_count == 4
    assert Attachment.objects.filter(size=164934).exists()
    assert Message.objects.filter(imported_at__isnull=True).count() == 0
    assert folders_agree()
