"""Writing many rows of one table with one statement run over all of them (the DB-API's
``executemany``: SQLite steps one prepared statement, psycopg pipelines it). For bulk
writers only (an import's batches): Django's ``bulk_update`` builds a ``CASE`` per field
and row, and its ``bulk_create`` prepares every value through the query compiler, which
took longer than the import's own reading. The values still go through each field's
``get_db_prep_save``, so they are stored exactly as the ORM stores them.

Nothing here sends signals or runs ``save()``; callers are actions that keep their
table's rules themselves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in fields]  # type: ignore[misc]


def _value(field: models.Field, row: models.Model) -> Any:
    return field.get_db_prep_save(getattr(row, field.attname), connection)


def insert_rows(
    model: type[models.Model], rows: Iterable[models.Model], fields: Sequence[str]
) -> None:
    """INSERT ``fields`` of each row; name every column without a database default (a
    Django ``default=`` is not one). The rows' ids are not read back."""
    columns = _columns(model, fields)
    params: list[list[Any]] = [[_value(field, row) for field in columns] for row in rows]
    if not params:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def update_rows(
    model: type[models.Model], rows: Iterable[models.Model], fields: Sequence[str]
) -> None:
    """UPDATE ``fields`` of each row, found by its primary key, to the row's values."""
    columns = _columns(model, fields)
    pk = model._meta.pk
    assert pk is not None
    params: list[list[Any]] = [[_value(field, row) for field in columns] + [row.pk] for row in rows]
    if not params:
        return
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} "
        f"SET {', '.join(f'{quote(field.column)} = %s' for field in columns)} "
        f"WHERE {quote(pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# Rows per INSERT … RETURNING: under SQLite's and PostgreSQL's bound-parameter limits
# (32,766 and 65,535) for tables of up to 30 columns.
RETURNING_ROWS = 1000


def insert_returning(
    model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]
) -> None:
    """INSERT ``fields`` of each row, as ``insert_rows``, and give each row its new id.
    The ids are taken in ascending order: both databases number the rows of one INSERT
    in the order of its VALUES, whatever order RETURNING lists them in."""
    columns = _columns(model, fields)
    pk = model._meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in columns)}) VALUES "
    )
    row_marks = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), RETURNING_ROWS):
            part = rows[start : start + RETURNING_ROWS]
            params = [_value(field, row) for row in part for field in columns]
            sql = f"{head}{', '.join([row_marks] * len(part))} RETURNING {quote(pk.column)}"
            cursor.execute(sql, params)
            ids = sorted(value for (value,) in cursor.fetchall())
            for row, new_id in zip(part, ids, strict=True):
                row.pk = new_id
                row._state.adding = False
                row._state.db = connection.alias
