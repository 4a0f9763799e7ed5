"""An erased customer is gone from the database file, not only from its tables.

SQLite leaves deleted rows in free space of its pages, on the free list, in the search
index's old segments and in the write-ahead log, where a copy of the file still shows
them. During an erasure the connection runs with ``secure_delete`` (SQLite zeroes what it
frees); after the commit the search index is merged (FTS5 ``optimize`` rewrites it
without the deleted entries) and the log is checkpointed and truncated. Ingest never pays
for it: the pragma is on only for the erasure. PostgreSQL keeps dead rows until VACUUM
(the README says to run ``VACUUM`` after an erasure, as autovacuum will in time)."""

from __future__ import annotations

import logging

from django.db import OperationalError, connection, transaction

log = logging.getLogger("calmdesk.desk")


def begin_secure_erasure() -> None:
    """Call inside the erasure's transaction, before anything is deleted."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = ON")
    transaction.on_commit(_finish_secure_erasure)


def _finish_secure_erasure() -> None:
    # The erasure itself is committed; a merge that cannot run now (another statement
    # holds the table) is said in the log, and the next erasure's merge covers it.
    with connection.cursor() as cursor:
        try:
            cursor.execute("INSERT INTO desk_search(desk_search) VALUES('optimize')")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError as exc:
            log.warning(
                "calmdesk.W020 erased rows may stay in free space until the next erasure: %s", exc
            )
        finally:
            cursor.execute("PRAGMA secure_delete = OFF")
