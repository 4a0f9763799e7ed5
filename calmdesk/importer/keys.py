"""What an import remembers between batches, bounded so memory stays flat however large
the export: a few recently used keys in memory (customers and agents repeat; a thread's
next message comes soon after the one before), every other key looked up in the
database by its index when needed, and the distinct keys the source held (for the count
report) in a scratch file on disk."""

from __future__ import annotations

import sqlite3
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from django.db import connection

from calmdesk.desk.models import Message
from calmdesk.importer.models import ImportRecord, RecordKind

K = TypeVar("K")
V = TypeVar("V")

# Keys kept in memory per map: a batch holds at most a few thousand, and a key used
# again soon (a customer writing twice, a thread's reply) is found without a query.
RECENT_KEYS = 20_000
# Keys of the count report written to disk this many at a time.
SEEN_FLUSH = 5_000


class Recent(Generic[K, V]):
    """A mapping that keeps only its ``limit`` most recently used keys."""

    def __init__(self, limit: int = RECENT_KEYS) -> None:
        self.limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __getitem__(self, key: K) -> V:
        value = self._items[key]
        self._items.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.limit:
            self._items.popitem(last=False)

    def update(self, pairs: Iterable[tuple[K, V]]) -> None:
        for key, value in pairs:
            self[key] = value

    def keys(self) -> Iterable[K]:
        return self._items.keys()

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()


class SeenKeys:
    """The distinct keys of each kind a source held, in a scratch SQLite file that goes
    when the import ends: the count report compares them all with what was imported,
    and an export's worth of keys in memory grew with the export."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="calmdesk-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "seen.sqlite3", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE seen (kind TEXT, key TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID"
        )
        self._pending: list[tuple[str, str]] = []

    def add(self, kind: str, key: str) -> None:
        self._pending.append((kind, key))
        if len(self._pending) >= SEEN_FLUSH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR IGNORE INTO seen (kind, key) VALUES (?, ?)", self._pending)
        self._db.execute("COMMIT")
        self._pending = []

    def count(self, kind: str) -> int:
        self._flush()
        (count,) = self._db.execute("SELECT count(*) FROM seen WHERE kind = ?", (kind,)).fetchone()
        return int(count)

    def chunks(self, kind: str, size: int = 500) -> Iterator[list[str]]:
        """The keys of ``kind`` in order, ``size`` at a time."""
        self._flush()
        cursor = self._db.execute("SELECT key FROM seen WHERE kind = ? ORDER BY key", (kind,))
        while rows := cursor.fetchmany(size):
            yield [key for (key,) in rows]

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()


def imported_root(source: str, message_id: str) -> str | None:
    """The source's id of the conversation that the message ``message_id`` of ``source``
    was imported into, if it was: one query by the keys' indexes (raw, as a mail archive
    asks once per thread it has not seen lately and the ORM's building cost more)."""
    quote = connection.ops.quote_name
    records, messages = quote(ImportRecord._meta.db_table), quote(Message._meta.db_table)
    sql = (
        f"SELECT c.external_id FROM {records} m "
        f"JOIN {messages} x ON x.id = m.object_id "
        f"JOIN {records} c ON c.kind = %s AND c.object_id = x.conversation_id "
        "AND c.source = m.source "
        "WHERE m.source = %s AND m.kind = %s AND m.external_id = %s"
    )
    params = [RecordKind.CONVERSATION.value, source, RecordKind.MESSAGE.value, message_id[:255]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return str(row[0]) if row else None
