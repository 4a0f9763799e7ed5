"""The desk bench's data beyond what the demo generator writes: the engine's readings of
every customer message and each conversation's care row (the inbox's tone gauge and the
"Needs care first" order read them), so those pages are measured at size too.

The demo's customer texts are a few hundred stories told with other names, order numbers
and amounts, so the engine reads each *shape* of text once (names, numbers and amounts
blanked: ``shape``) and its reading is copied to every message of that shape, the text it
read with it (so its spans point at the words they mark). Care rows are folded in memory
by the empathy layer's one rule (``merge_reading``), and everything is written in bulk:
COPY on PostgreSQL, multi-row INSERTs on SQLite. A million conversations take minutes."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Min, Model
from django.utils import timezone
from tqdm import tqdm

from calmdesk.desk.demo import people
from calmdesk.desk.demo.generate import bulk_insert
from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.empathy.actions import _reading_fields, _start_care, merge_reading
from calmdesk.empathy.models import ConversationCare, MessageReading
from calmdesk.engine import read_message
from calmdesk.team import rollups
from calmdesk.team.models import Rollup

BATCH = 5000
_NAMES = sorted(
    {*people.FIRST_NAMES, *people.LAST_NAMES, *people.COMPANY_WORDS}, key=len, reverse=True
)
_SHAPE = re.compile(r"\d[\d.,]*|\b(?:" + "|".join(re.escape(n) for n in _NAMES) + r")\b")


@contextmanager
def deferred_search_index() -> Iterator[None]:
    """On PostgreSQL, write as a bulk load into a scratch database: triggers off (the search
    trigger makes one tsvector per inserted row, most of the generator's time there; the
    foreign-key checks are one statement per row, and the generator's keys are drawn from
    the rows it just wrote), commits not waited for. After, every message is indexed in one
    statement as the search migration does, with the word index dropped meanwhile and built
    once at the end (a GIN index fills faster whole than row by row)."""
    if connection.vendor != "postgresql":
        yield
        return
    search = importlib.import_module("calmdesk.desk.migrations.0004_search_by_mailbox")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE tablename = 'desk_search' AND indexdef LIKE '%%USING gin%%'"
            )
            word_indexes = cursor.fetchall()
            for name, _definition in word_indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            for statement in search.POSTGRES_FORWARD[1:]:  # empty the index, fill it anew
                cursor.execute(statement)
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in word_indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


def shape(text: str) -> str:
    """The text with what the generator varies blanked: names, numbers, and the short
    greeting and sign-off around the story's words. Texts of one shape read alike."""
    paragraphs = _SHAPE.sub("_", text).split("\n\n")
    if len(paragraphs) > 1 and len(paragraphs[0]) <= 40:
        paragraphs = paragraphs[1:]
    if len(paragraphs) > 1 and len(paragraphs[-1]) <= 60:
        paragraphs = paragraphs[:-1]
    return "\n\n".join(paragraphs)


class Reader:
    """The engine's reading of each shape of text and of each subject, read once."""

    def __init__(self) -> None:
        self.readings: dict[str, dict[str, object]] = {}
        self.starts: dict[str, tuple[list, str]] = {}

    def reading(self, message_id: int, text: str, received_at: datetime) -> MessageReading:
        key = shape(text)
        fields = self.readings.get(key)
        if fields is None:
            fields = _reading_fields(read_message(text, received_at=received_at))
            self.readings[key] = fields
        return MessageReading(message_id=message_id, **fields)

    def care(self, conversation_id: int, subject: str) -> ConversationCare:
        """A care row before any reading: what the subject says is at stake."""
        key = shape(subject)
        start = self.starts.get(key)
        care = ConversationCare(conversation_id=conversation_id)
        if start is None:
            _start_care(care, subject)
            start = self.starts[key] = (care.stakes, care.priority)
        else:
            care.stakes, care.priority = list(start[0]), start[1]
            care.latest_tone, care.latest_intensity = "", 0.0
            care.latest_language, care.latest_unsure = "", False
        return care


def add_readings(*, progress: bool = True) -> tuple[int, int]:
    """Read every customer message of a freshly generated desk and build the care rows
    and priority scores; returns (messages read, texts the engine read)."""
    todo = Message.objects.filter(kind=MessageKind.CUSTOMER)
    reader = Reader()
    done = 0
    with tqdm(total=todo.count(), unit="msg", desc="readings", disable=not progress) as bar:
        for readings, cares in _folded(todo, reader):
            with transaction.atomic():
                _write(MessageReading, readings)
                _write(ConversationCare, cares)
            done += len(readings)
            bar.update(len(readings))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE desk_conversation SET priority_score = care.care_score"
            " FROM empathy_conversationcare AS care"
            " WHERE care.conversation_id = desk_conversation.id"
        )
    return done, len(reader.readings)


def _folded(todo, reader: Reader) -> Iterator[tuple[list[MessageReading], list[ConversationCare]]]:
    """Batches of readings with the care rows of the conversations they complete. A
    conversation's messages were written together (contiguous ids), so its care row is
    done once a later conversation's message shows up."""
    open_care: dict[int, tuple[ConversationCare, list[tuple[MessageReading, datetime]]]] = {}
    last_id = 0
    while True:
        rows = list(
            todo.filter(id__gt=last_id)
            .order_by("id")
            .values_list(
                "id", "conversation_id", "analysis_text", "body_text", "created_at",
                "conversation__subject",
            )[:BATCH]
        )  # fmt: skip
        readings: list[MessageReading] = []
        for message_id, conversation_id, analysis, body, created_at, subject in rows:
            reading = reader.reading(message_id, analysis or body, created_at)
            readings.append(reading)
            if conversation_id not in open_care:
                open_care[conversation_id] = (reader.care(conversation_id, subject), [])
            open_care[conversation_id][1].append((reading, created_at))
        if rows:
            last_id = rows[-1][0]
        keep = rows[-1][1] if rows else None
        cares = [_fold(*open_care.pop(cid)) for cid in list(open_care) if cid != keep]
        yield readings, cares
        if not rows:
            return


def _fold(care: ConversationCare, readings: list[tuple[MessageReading, datetime]]):
    newest = max(readings, key=lambda pair: (pair[1], pair[0].message_id))[0]
    for reading, _when in readings:  # in arrival (id) order, as refresh_care folds
        merge_reading(care, reading, newest=reading is newest)
    return care


def _write(model, rows: list) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=500)
        return
    copy_rows(model, rows, with_keys=False)


def copy_insert(model: type[Model], rows: Iterable[Model]) -> list:
    """The demo generator's writer on PostgreSQL: ``bulk_create`` by COPY. The new rows'
    keys are drawn from the table's own sequence first (one statement), so the rows that
    refer to them can be written next, as ``bulk_create`` returning ids allows."""
    if connection.vendor != "postgresql":
        return bulk_insert(model, rows)
    rows = list(rows)
    copy_rows(model, rows, with_keys=True)
    return rows


def copy_rows(model: type[Model], rows: list[Model], *, with_keys: bool) -> None:
    """COPY ``rows`` into ``model``'s table, each value prepared as ``bulk_create`` does
    (``pre_save`` for ``auto_now_add``, the field's own database form for JSON)."""
    if not rows:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_keys or not f.primary_key]
    if with_keys:
        _draw_keys(model, [row for row in rows if row.pk is None])
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    stamped = [
        f for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    attnames = [f.attname for f in fields]
    copy = f"COPY {meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy) as stream:
        for row in rows:
            for f in stamped:
                f.pre_save(row, True)
            values = [getattr(row, name) for name in attnames]
            for index in json_at:  # None stays SQL NULL, as bulk_create stores it
                if values[index] is not None:
                    values[index] = json.dumps(values[index])
            stream.write_row(values)
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


def _draw_keys(model: type[Model], rows: list[Model]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(rows)],
        )
        for row, (key,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = key


def add_rollups() -> int:
    """The report rollups of every hour, as ``rebuild_all`` counts them (the same
    ``tally``), written by COPY on PostgreSQL: a rollup row holds some eighty counters, and
    preparing each value for ``bulk_create`` was most of the time at size."""
    if connection.vendor != "postgresql":
        return rollups.rebuild_all()
    first = Conversation.objects.aggregate(at=Min("created_at"))["at"]
    written = 0
    if first is None:
        return written
    Rollup.objects.all().delete()
    for start, end in rollups._hours(first, timezone.now() + rollups.HOUR):
        rows = rollups.tally(start, end)
        copy_rows(
            Rollup,
            [
                Rollup(hour=hour, mailbox_id=mailbox, agent_key=agent, tag_key=tag, **counted)
                for (hour, mailbox, agent, tag), counted in sorted(rows.items())
            ],
            with_keys=False,
        )
        written += len(rows)
    return written
