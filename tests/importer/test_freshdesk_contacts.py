"""Freshdesk's contact list stops at its page ceiling and can be neither ordered nor
bounded above in time, so a list that fills its last page is read again through the
filter API in windows of creation days, halved until each fits the filter API's own
ceiling. A day holding more than that is listed as a failure with its reason (nothing
lost silently), and a ticket's requester the lists never gave is asked for alone."""

from __future__ import annotations

from pathlib import Path

from calmdesk.desk.models import Conversation, Customer
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.freshdesk import Freshdesk
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from tests.importer.replay import Replay
from tests.importer.test_freshdesk import search

# Eight contacts over four days, three of them on 3 March.
DAYS = ["2023-01-10", "2023-01-10", "2023-02-01", "2023-03-03", "2023-03-03", "2023-03-03"]
DAYS += ["2023-05-20", "2023-05-21"]
CONTACTS = [
    {
        "id": 100 + n,
        "name": f"Reader {n}",
        "email": f"reader{n}@paper.example",
        "created_at": f"{day}T09:00:00Z",
        "updated_at": f"2024-0{1 + n % 5}-01T09:00:00Z",
    }
    for n, day in enumerate(DAYS)
]
LATE = {"id": 999, "name": "Late Reader", "email": "late@paper.example"}
TICKET = {
    "id": 1,
    "subject": "Where is my invoice?",
    "status": 4,
    "requester_id": 999,
    "created_at": "2024-02-02T10:00:00Z",
    "updated_at": "2024-02-02T11:00:00Z",
    "description": "<p>Where is my invoice?</p>",
    "description_text": "Where is my invoice?",
}


def _serve(replay: Replay) -> None:
    # The plain list answers in no time order (newest first), two a page.
    newest_first = sorted(CONTACTS, key=lambda c: c["updated_at"], reverse=True)
    for page in (1, 2):
        rows = newest_first[(page - 1) * 2 : page * 2]
        replay.json(f"/api/v2/contacts?page={page}&per_page=2", rows)
    for what in ("companies", "agents"):
        replay.json(f"/api/v2/{what}?page=1&per_page=2", [])
    for state in ("blocked", "deleted"):
        replay.json(f"/api/v2/contacts?page=1&per_page=2&state={state}", [])
    replay.json("/api/v2/contacts/999", LATE)
    replay.json("/api/v2/tickets/1", TICKET)
    replay.json("/api/v2/tickets/1/conversations?page=1&per_page=2", [])

    def dynamic(path: str):  # type: ignore[no-untyped-def]
        if path.startswith("/api/v2/search/contacts"):
            return search(CONTACTS, path, per_page=2)
        if path.startswith("/api/v2/tickets?") and "page=1&" in path:
            from tests.importer.replay import Answer

            return Answer(200, b'[{"id": 1, "updated_at": "2024-02-02T11:00:00Z"}]')
        return None

    replay.dynamic = dynamic


def test_contacts_past_the_ceiling_come_by_creation_day_and_a_full_day_is_told(
    support, tmp_path: Path
) -> None:
    with Replay() as replay:
        _serve(replay)
        client = Client(
            allowance=Allowance.of(["127.0.0.1"]),
            policy=Policy(timeout=5, backoff=0.01),
            sleep=lambda seconds: None,
        )
        source = Freshdesk.over_http(replay.url, ("k3y",), tmp_path / "state", client=client)
        source.per_page, source.max_pages = 2, 2  # the list's ceiling after 4 contacts
        source.search_per_page, source.search_pages = 2, 1  # the filter API's after 2
        report = run_import(source, support, progress=False)
        windows = [p for p in replay.seen if p.startswith("/api/v2/search/contacts")]
    # Windows were halved down to single days (about 14 halvings from 2010 to today).
    assert len(windows) > 14
    # Every contact but those of the day the filter API cannot answer whole is imported:
    # the list gave four (including, maybe, some of that day), the windows the rest.
    emails = set(Customer.objects.values_list("emails__email", flat=True))
    for contact in CONTACTS:
        if not contact["created_at"].startswith("2023-03-03"):
            assert contact["email"] in emails
    # That day is listed with its reason, so the report says the import is incomplete.
    assert [f.external_id for f in report.failures] == ["contacts created 2023-03-03"]
    assert "3 contacts created that day" in report.failures[0].reason
    assert not report.complete
    # The ticket's requester, in no list, was asked for alone and is its customer.
    ticket = Conversation.objects.get()
    assert ticket.customer.primary_email == "late@paper.example"
    assert ticket.customer.name == "Late Reader"
