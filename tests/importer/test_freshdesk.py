"""Freshdesk, replayed from the recorded API answers by a local server that pages every
list (a few rows a page, so the reader meets the page ceiling and moves to the next
window of updated_since), with a 429, a 503, a dropped connection and an expired file
link on the way: every ticket, conversation, contact and file imports; a second run
asks nothing and changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from calmdesk.desk.models import Attachment, Conversation, Message, MessageKind, Status
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.freshdesk import Freshdesk
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from tests.conftest import shared_data
from tests.importer.conftest import dump, folders_agree
from tests.importer.replay import DROP, Answer, Replay

HOSTS = {
    "<IMPORT_FRESHDESK_ENDPOINT>": "/api/v2",
    "https://eucattachment.freshdesk.com": "/euc",
    "https://<IMPORT_FRESHDESK_ENDPOINT_SUBDOMAIN>.freshdesk.com": "/sub",
    "https://s3.eu-central-1.amazonaws.com": "/s3",
}
PAGING = {"page", "per_page", "updated_since", "order_by", "order_type"}


def _local(text: str, base: str) -> str:
    for recorded, prefix in HOSTS.items():
        text = text.replace(recorded, (base if prefix != "/api/v2" else "") + prefix)
    return text


def _load(replay: Replay) -> dict[str, list]:
    """Route the recorded answers; lists are kept whole and paged on request."""
    lists: dict[str, list] = {}
    for file in sorted(shared_data("import", "freshdesk", "vcr_split").glob("*.json")):
        record = json.loads(file.read_text())
        uri = _local(record["request_uri"], "")
        body = record["body"]
        if "_binary_omitted_bytes" in body:
            data = b"\x89PNG" + bytes(i % 251 for i in range(body["_binary_omitted_bytes"] - 4))
            # Signed links differ between the page and the download recorded: by path.
            replay.routes[urlsplit(uri).path] = Answer(200, data)
        elif record["status"] == 302:
            target = re.search(r'href="([^"]+)"', body["_raw"]).group(1).replace("&amp;", "&")
            replay.routes[uri] = Answer(302, b"", {"Location": _local(target, replay.url)})
        elif isinstance(body, list):
            parts = urlsplit(uri)
            rest = {k: v for k, v in parse_qs(parts.query).items() if k not in PAGING}
            lists[parts.path + json.dumps(sorted(rest.items()))] = json.loads(
                _local(json.dumps(body), replay.url)
            )
        else:
            replay.json(uri, json.loads(_local(json.dumps(body), replay.url)))

    def paged(path: str) -> Answer | None:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        if parts.path == "/api/v2/search/contacts":
            contacts = [row for key, rows in lists.items() if "/contacts" in key for row in rows]
            return search(contacts, path)
        rest = {k: v for k, v in query.items() if k not in PAGING}
        rows = lists.get(parts.path + json.dumps(sorted(rest.items())))
        if rows is None:
            return None
        if "updated_since" in query:
            since = query["updated_since"][0]
            rows = sorted(
                (r for r in rows if r["updated_at"] >= since), key=lambda r: r["updated_at"]
            )
        page, size = int(query["page"][0]), int(query["per_page"][0])
        chunk = rows[(page - 1) * size : page * size]
        return Answer(200, json.dumps(chunk).encode(), {"Content-Type": "application/json"})

    replay.dynamic = paged
    return lists


def search(contacts: list[dict], path: str, per_page: int = 30) -> Answer:
    """Freshdesk's filter API over ``contacts``: created_at between two days (its > and <
    count their own day), 30 a page, with the total."""
    query = parse_qs(urlsplit(path).query)
    low, high = re.findall(r"'(\d{4}-\d\d-\d\d)'", query["query"][0])
    found = [c for c in contacts if low <= c["created_at"][:10] <= high]
    page = int(query["page"][0])
    body = {"results": found[(page - 1) * per_page : page * per_page], "total": len(found)}
    return Answer(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _source(replay: Replay, state: Path) -> Freshdesk:
    client = Client(
        allowance=Allowance.of(["127.0.0.1"]),
        policy=Policy(timeout=5, backoff=0.01),
        sleep=lambda seconds: None,
    )
    source = Freshdesk.over_http(replay.url, ("k3y",), state, client=client)
    source.per_page, source.max_pages = 3, 2  # the ceiling after 6 tickets, not 30,000
    return source


def test_the_recorded_freshdesk_account_imports_completely(support, tmp_path) -> None:
    with Replay() as replay:
        _load(replay)
        first_page = "/api/v2/tickets?order_by=updated_at&order_type=asc&page=1&per_page=3"
        replay.fault(
            first_page + "&updated_since=1970-01-01", Answer(429, b"", {"Retry-After": "1"})
        )
        replay.fault("/api/v2/tickets/9", DROP)
        replay.fault("/api/v2/tickets/2/conversations?page=1&per_page=3", Answer(503, b""))
        expiring = next(p for p in replay.routes if "/s3/" in p and "80012226688" in p)
        replay.fault(expiring, Answer(403, b"<Error>Request has expired</Error>"))
        report = run_import(_source(replay, tmp_path / "state"), support, progress=False)
        assert report.complete, report.lines()
        windows = {p for p in replay.seen if p.startswith("/api/v2/tickets?")}
        assert len({re.search(r"updated_since=([^&]+)", p).group(1) for p in windows}) >= 3
        assert replay.seen.count("/api/v2/tickets/13") == 2  # its file links expired once
        # The contact list filled its last page: the filter API gave the contacts by day.
        assert any(p.startswith("/api/v2/search/contacts") for p in replay.seen)
        first, asked = dump(), len(replay.seen)
        assert run_import(_source(replay, tmp_path / "state"), support, progress=False).complete
        assert len(replay.seen) == asked and dump() == first
    assert report.held("conversation") == 13
    assert report.held("customer") == 17
    ticket = Conversation.objects.get(subject="ogg format seems to be off")
    assert ticket.status == Status.PENDING
    assert ticket.messages.first().kind == MessageKind.CUSTOMER
    assert ticket.messages.last().kind == MessageKind.REPLY
    assert Attachment.objects.filter(inline=True).count() == 2
    # Each inline image is shown from the desk's copy, never Freshdesk's expiring link.
    for image in Attachment.objects.filter(inline=True).select_related("message"):
        assert f'src="/attachments/{image.pk}/"' in image.message.body_html
    assert Message.objects.filter(kind=MessageKind.NOTE).count() == 3
    assert folders_agree()
