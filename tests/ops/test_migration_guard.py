"""A web process whose database lacks a migration answers 503 with a clear page and
says so in the log at start, instead of 500 "no such table" on every page."""

from __future__ import annotations

import logging

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from calmdesk.ops.middleware import RECHECK_SECONDS, MigrationGuardMiddleware

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def unapplied():  # type: ignore[no-untyped-def]
    """The desk app's latest migration forgotten, as after deploying new code unmigrated."""
    row = MigrationRecorder.Migration.objects.filter(app="desk").order_by("-id").first()
    assert row is not None
    row.delete()
    MigrationGuardMiddleware.migrated = False  # as in a process started on this database
    yield f"desk.{row.name}"
    MigrationRecorder.Migration.objects.create(app="desk", name=row.name)
    MigrationGuardMiddleware.migrated = False


def test_every_page_is_a_503_while_a_migration_is_pending(unapplied, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="calmdesk.web"):
        client = Client()
        response = client.get("/login/")
    assert response.status_code == 503
    assert b"calmdesk manage migrate" in response.content
    assert "calmdesk.E010" in caplog.text and unapplied in caplog.text


def test_it_serves_once_migrated_and_stops_checking(unapplied) -> None:
    clock = Clock()
    guard = MigrationGuardMiddleware(lambda request: "page", clock=clock)  # type: ignore[arg-type,return-value]
    assert guard(None).status_code == 503  # type: ignore[arg-type,union-attr]
    MigrationRecorder.Migration.objects.create(app="desk", name=unapplied.split(".")[1])
    assert guard(None).status_code == 503  # type: ignore[arg-type,union-attr]  # not asked again yet
    clock.now += RECHECK_SECONDS
    assert guard(None) == "page"  # type: ignore[arg-type,comparison-overlap]
    MigrationRecorder.Migration.objects.filter(name=unapplied.split(".")[1]).delete()
    clock.now += RECHECK_SECONDS * 10
    assert guard(None) == "page"  # type: ignore[arg-type,comparison-overlap]  # cached for good


def test_a_database_that_cannot_be_asked_is_not_called_an_upgrade(monkeypatch) -> None:
    from django.db import OperationalError

    from calmdesk.ops import middleware

    def unreachable() -> list[str]:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(middleware, "pending_migrations", unreachable)
    monkeypatch.setattr(MigrationGuardMiddleware, "migrated", False)
    guard = MigrationGuardMiddleware(lambda request: "page", clock=Clock())  # type: ignore[arg-type,return-value]
    assert guard(None) == "page"  # type: ignore[arg-type,comparison-overlap]


def test_a_migrated_desk_serves_pages() -> None:
    assert Client().get("/login/").status_code == 200
