"""A customer keeps the organisation its tickets name when the contact record gives
none: Freshdesk's ticket ``company_id`` and Zendesk's ticket ``organization_id``, read
from the recorded payloads as they are and with the requester's record changed the way
real accounts send it (without its company, or never listed and asked for alone)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from calmdesk.desk.models import Conversation, Customer
from calmdesk.importer.models import ImportRecord, RecordKind
from calmdesk.importer.run import run_import
from tests.importer import test_freshdesk, test_zendesk
from tests.importer.conftest import dump
from tests.importer.replay import Replay

# In the Freshdesk recording, tickets 2 and 10 name the company "devsquest Foundation",
# and their requester is the one contact listed with it.
FRESHDESK_REQUESTER = 80014400478
# In the Zendesk recording, ticket 2 names the organisation "Znuny", as does its
# requester (an end user); ticket 1's requester is an admin, so no customer.
ZENDESK_REQUESTER = 1202726611


def _contact_without_company(lists: dict[str, list], replay: Replay) -> None:
    for key, rows in lists.items():
        if "/contacts" in key:
            for row in rows:
                if row["id"] == FRESHDESK_REQUESTER:
                    row["company_id"] = None


def _contact_asked_alone(lists: dict[str, list], replay: Replay) -> None:
    """The requester is in no list; the reader asks for the contact by id, and the
    recorded contact (with its company) answers."""
    for key, rows in lists.items():
        if "/contacts" in key:
            for row in [r for r in rows if r["id"] == FRESHDESK_REQUESTER]:
                rows.remove(row)
                replay.json(f"/api/v2/contacts/{FRESHDESK_REQUESTER}", row)


def _contact_alone_without_company(lists: dict[str, list], replay: Replay) -> None:
    _contact_without_company(lists, replay)
    _contact_asked_alone(lists, replay)


def _as_recorded(lists: dict[str, list], replay: Replay) -> None:
    pass


def _user_without_organisation(replay: Replay) -> None:
    for path, answer in list(replay.routes.items()):
        if path.startswith("/api/v2/incremental/users"):
            page = json.loads(answer.body)
            for user in page.get("users") or []:
                if user["id"] == ZENDESK_REQUESTER:
                    user["organization_id"] = None
            replay.json(path, page)


def _organisations_of(source: str, tickets: list[str]) -> set[str | None]:
    keys = ImportRecord.objects.filter(
        source=source, kind=RecordKind.CONVERSATION, external_id__in=tickets
    )
    conversations = Conversation.objects.filter(pk__in=[k.object_id for k in keys])
    customers = Customer.objects.filter(conversations__in=conversations).select_related(
        "organisation"
    )
    return {c.organisation.name if c.organisation else None for c in customers}


@pytest.mark.parametrize(
    "change",
    [
        _as_recorded,
        _contact_without_company,
        _contact_asked_alone,
        _contact_alone_without_company,
    ],
)
def test_a_freshdesk_requester_has_the_company_its_tickets_name(
    support, tmp_path, change: Callable[[dict[str, list], Replay], None]
) -> None:
    with Replay() as replay:
        change(test_freshdesk._load(replay), replay)
        source = test_freshdesk._source(replay, tmp_path / "state")
        report = run_import(source, support, progress=False)
        assert report.complete, report.lines()
        assert _organisations_of(source.name, ["2", "10"]) == {"devsquest Foundation"}
        # Tickets naming no company leave their customers without one.
        assert _organisations_of(source.name, ["1", "8", "12"]) == {None}
        first = dump()
        again = run_import(
            test_freshdesk._source(replay, tmp_path / "state"), support, progress=False
        )
        assert again.complete and dump() == first


@pytest.mark.parametrize("change", [lambda replay: None, _user_without_organisation])
def test_a_zendesk_requester_has_the_organisation_its_ticket_names(
    support, tmp_path, change: Callable[[Replay], None]
) -> None:
    with Replay() as replay:
        test_zendesk._load(replay)
        change(replay)
        source = test_zendesk._source(replay, tmp_path / "state")
        report = run_import(source, support, progress=False)
        assert report.complete, report.lines()
        assert _organisations_of(source.name, ["2"]) == {"Znuny"}
        assert _organisations_of(source.name, ["3", "4", "5"]) == {None}
