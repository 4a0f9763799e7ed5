"""Start-up shared by ``calmdesk ingest`` and ``calmdesk worker``: Django, then the
database migrated if it is fresh, under a lock so two first runs cannot race."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()


def _pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@contextlib.contextmanager
def _file_lock() -> Iterator[None]:
    """An exclusive lock on a file in the data directory (SQLite's first runs)."""
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _advisory_lock() -> Iterator[None]:
    """PostgreSQL: processes on other machines share the server, not a file."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(7203114)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(7203114)")


def ensure_migrated() -> None:
    """Raises the database's OperationalError when it cannot be reached."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        # The first run creates the SQLite file, switches it to WAL and migrates it; a
        # second run connecting meanwhile can meet the file half made and fail with
        # "database is locked". So on SQLite even the check happens under the lock (held
        # for the few milliseconds of a check once the database is made).
        with _file_lock():
            connection.ensure_connection()
            if _pending_migrations():
                call_command("migrate", interactive=False, verbosity=0)
        return
    connection.ensure_connection()
    if not _pending_migrations():
        return
    with _advisory_lock():
        if _pending_migrations():  # the other first run may have done it meanwhile
            call_command("migrate", interactive=False, verbosity=0)
