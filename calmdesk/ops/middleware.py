"""The web process refuses to serve a database its code has not been migrated to: every
page would fail with "no such table" or a missing column. It says so in the log when
it starts and answers 503 with a plain page until ``calmdesk manage migrate`` ran."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger("calmdesk.web")

# While migrations are pending the plan is looked at again at most this often (reading
# the migration files costs tens of milliseconds); once none is pending, never again.
RECHECK_SECONDS = 5.0


def pending_migrations() -> list[str]:
    """The migrations this code has that the database has not applied ("app.name")."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class MigrationGuardMiddleware:
    # Once the database was found migrated, for the whole process: every test client and
    # every handler the server builds loads the middleware again.
    migrated = False

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponse],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.get_response = get_response
        self.clock = clock
        self.ready = MigrationGuardMiddleware.migrated
        self.pending = False  # known to lack a migration (not merely unreachable)
        self.checked_at: float | None = None
        if not self.ready:
            self._check()  # at start: the message is in the log before the first visitor

    def _check(self) -> None:
        self.checked_at = self.clock()
        try:
            pending = pending_migrations()
        except DatabaseError as exc:
            # Unreachable: not an upgrade. The request goes on (and says what is wrong);
            # the state is asked again a few seconds on.
            log.warning("calmdesk.E010 cannot read the migration state: %s", exc)
            self.pending = False
            return
        if pending:
            log.error(
                "calmdesk.E010 the database lacks %d migration(s) (%s …): pages answer 503 "
                "until `calmdesk manage migrate` runs",
                len(pending),
                pending[0],
            )
        self.pending = bool(pending)
        self.ready = not pending
        MigrationGuardMiddleware.migrated = self.ready

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.ready:
            if self.checked_at is None or self.clock() - self.checked_at >= RECHECK_SECONDS:
                self._check()
            if self.pending:
                page = render_to_string("ops/migrations_pending.html", request=None)
                response = HttpResponse(page, status=503)
                response["Retry-After"] = str(int(RECHECK_SECONDS) * 6)
                return response
        return self.get_response(request)
