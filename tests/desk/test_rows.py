"""Bulk writers' rows: ``insert_returning`` gives every row the id the database gave
it, across more rows than one statement takes, so the ids an import keys its records
by are the right rows'."""

from __future__ import annotations

import pytest

from calmdesk.desk import rows
from calmdesk.desk.models import Organisation


@pytest.mark.django_db
def test_each_inserted_row_gets_its_own_id(monkeypatch) -> None:
    monkeypatch.setattr(rows, "RETURNING_ROWS", 3)  # three statements for seven rows
    Organisation.objects.create(name="Already here")
    shops = [Organisation(name=f"Shop {n}", website=f"https://{n}.example") for n in range(7)]
    rows.insert_returning(Organisation, shops, ["name", "website"])
    assert all(shop.pk is not None and not shop._state.adding for shop in shops)
    stored = Organisation.objects.in_bulk([shop.pk for shop in shops])
    assert [stored[shop.pk].name for shop in shops] == [f"Shop {n}" for n in range(7)]
    assert [stored[shop.pk].website for shop in shops] == [f"https://{n}.example" for n in range(7)]
