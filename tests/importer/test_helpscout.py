"""Help Scout: the shared fixtures hold single objects (a conversation, a thread, a
customer, from the vendor's own client library), so the paged responses the local
server gives are built from them in the documented Mailbox API 2.0 shapes (``_embedded``
lists, ``_links.next``, ``page``), with the rate limit's 429 and
``X-RateLimit-Retry-After``, a 500 and a dropped connection on the way."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

from calmdesk.desk.models import Attachment, Conversation, MessageKind, Status
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.helpscout import HelpScout
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from tests.conftest import shared_data
from tests.importer.conftest import dump, folders_agree
from tests.importer.replay import DROP, Answer, Replay

CONVERSATIONS, CUSTOMERS, PER_PAGE = 12, 7, 5
STATUSES = ("active", "pending", "closed", "spam")


def _fixture(name: str) -> dict[str, Any]:
    return json.loads(shared_data("import", "helpscout", name).read_text())


def _paged(replay: Replay, path: str, what: str, rows: list, query: str = "") -> None:
    pages = [rows[i : i + PER_PAGE] for i in range(0, len(rows), PER_PAGE)]
    for number, chunk in enumerate(pages, start=1):
        links: dict[str, Any] = {}
        if number < len(pages):
            sep = "&" if query else "?"
            links["next"] = {"href": f"{replay.url}{path}{query}{sep}page={number + 1}"}
        here = (
            f"{path}{query}"
            if number == 1
            else f"{path}{query}{'&' if query else '?'}page={number}"
        )
        page = {
            "size": PER_PAGE,
            "totalElements": len(rows),
            "totalPages": len(pages),
            "number": number,
        }
        replay.json(here, {"_embedded": {what: chunk}, "_links": links, "page": page})


def _serve(replay: Replay) -> None:
    conversation = _fixture("conversation_v2_from_php_fixture.json")
    thread = _fixture("thread_v2_from_php_fixture.json")
    customer = _fixture("customer_v2_from_php_fixture.json")
    replay.json("/v2/oauth2/token", {"access_token": "t0ken", "expires_in": 172800})
    replay.json(
        "/v2/users",
        {
            "_embedded": {
                "users": [{"id": 256, "firstName": "Alice", "email": "alice@desk.example"}]
            },
            "_links": {},
        },
    )
    customers = []
    for n in range(CUSTOMERS):
        row = copy.deepcopy(customer)
        row["id"] = 1000 + n
        row["_embedded"] = {
            "emails": [{"id": n, "value": f"bird{n}@sesame.example", "type": "work"}]
        }
        customers.append(row)
    _paged(replay, "/v2/customers", "customers", customers)
    rows = []
    for n in range(CONVERSATIONS):
        row = copy.deepcopy(conversation)
        row.update(id=500 + n, number=n, status=STATUSES[n % 4], subject=f"Need help {n}")
        row["primaryCustomer"] = {
            "id": 1000 + n % CUSTOMERS,
            "email": f"bird{n % CUSTOMERS}@sesame.example",
        }
        row["assignee"] = {"id": 256, "first": "Alice", "email": "alice@desk.example"}
        asked = copy.deepcopy(thread)
        asked.update(id=9000 + n * 10, createdAt=f"2017-04-21T14:{n:02d}:00Z")
        asked["createdBy"] = {"id": 1000 + n % CUSTOMERS, "type": "customer"}
        reply = copy.deepcopy(thread)
        reply.update(id=9001 + n * 10, type="message", body="<p>Here is the <b>fix</b>.</p>")
        reply.update(createdAt=f"2017-04-21T15:{n:02d}:00Z", createdBy={"id": 256, "type": "user"})
        reply["_embedded"] = {
            "attachments": [
                {"id": 7000 + n, "filename": "fix.txt", "mimeType": "text/plain", "size": 3}
            ]
        }
        line = copy.deepcopy(thread)
        line.update(id=9002 + n * 10, type="lineitem", createdAt=f"2017-04-21T16:{n:02d}:00Z")
        row["_embedded"] = {"threads": [line, reply, asked]}
        rows.append(row)
        replay.json(
            f"/v2/conversations/{500 + n}/attachments/{7000 + n}/data",
            {"data": base64.b64encode(b"fix").decode()},
        )
    query = "?status=all&embed=threads&sortField=modifiedAt&sortOrder=asc"
    _paged(replay, "/v2/conversations", "conversations", rows, query)


def _source(replay: Replay, state: Path) -> HelpScout:
    client = Client(
        allowance=Allowance.of(["127.0.0.1"]),
        policy=Policy(timeout=5, backoff=0.01, attempts=2),
        sleep=lambda seconds: None,
    )
    return HelpScout.over_http(replay.url, ("app", "s3cret"), state, client=client)


def test_help_scout_pages_import_completely(support, tmp_path) -> None:
    with Replay() as replay:
        _serve(replay)
        second = (
            "/v2/conversations?status=all&embed=threads&sortField=modifiedAt&sortOrder=asc&page=2"
        )
        limited = Answer(429, b"", {"X-RateLimit-Retry-After": "2"})
        replay.fault(second, limited, limited, limited)  # past the client's own retries
        replay.fault("/v2/customers", DROP)
        replay.fault("/v2/conversations/503/attachments/7003/data", Answer(500, b""))
        report = run_import(_source(replay, tmp_path / "state"), support, progress=False)
        assert report.complete, report.lines()
        assert report.imported == {
            "customer": CUSTOMERS,
            "conversation": CONVERSATIONS,
            "message": 2 * CONVERSATIONS,
            "attachment": CONVERSATIONS,
        }
        first, asked = dump(), len([p for p in replay.seen if p != "/v2/oauth2/token"])
        assert run_import(_source(replay, tmp_path / "state"), support, progress=False).complete
        assert len([p for p in replay.seen if p != "/v2/oauth2/token"]) == asked
        assert dump() == first
    assert Conversation.objects.filter(status=Status.SPAM).count() == 3
    conversation = Conversation.objects.get(subject="Need help 0")
    assert [m.kind for m in conversation.messages.all()] == [
        MessageKind.CUSTOMER,
        MessageKind.REPLY,
    ]
    reply = conversation.messages.get(kind=MessageKind.REPLY)
    assert reply.author.username == "alice" and "fix" in reply.body_text
    assert conversation.assignee.username == "alice" and conversation.tags.get().name == "vip"
    assert Attachment.objects.filter(filename="fix.txt", size=3).count() == CONVERSATIONS
    assert folders_agree()
