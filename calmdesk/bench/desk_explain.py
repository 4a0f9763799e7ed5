"""The desk bench's look at each request's SQL: how many statements a page runs, and
whether any of them reads a big table from end to end. Every statement a request ran is
captured (Django's own query log), and each distinct reading statement is given to the
database's planner (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN on SQLite): a sequential
scan of a table holding more than ``BIG`` rows is an offender, reported with its page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

BIG = 10_000
_EXPLAINED = re.compile(r"^\s*(SELECT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
_SQLITE_SCAN = re.compile(r"^SCAN (\w+)(?: AS \w+)?$")


@dataclass
class Checked:
    """What was seen of one page: statements per request, and the offenders."""

    queries: list[int] = field(default_factory=list)
    statements: set[str] = field(default_factory=set)
    offenders: list[dict[str, str]] = field(default_factory=list)


def captured(client, url: str, checked: Checked):
    """Request ``url`` with its SQL captured into ``checked``; returns the response."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    checked.queries.append(len(context.captured_queries))
    checked.statements.update(q["sql"] for q in context.captured_queries)
    return response


def explain(checked: Checked, sizes: dict[str, int]) -> None:
    """Plan each distinct statement seen; keep the big tables it scans sequentially."""
    for sql in sorted(checked.statements):
        if not _EXPLAINED.match(sql):
            continue
        for table in scanned_tables(sql):
            rows = table_rows(table, sizes)
            if rows > BIG:
                checked.offenders.append({"table": table, "rows": str(rows), "sql": sql[:2000]})


def scanned_tables(sql: str) -> list[str]:
    """The tables the plan of ``sql`` reads with a sequential (full table) scan."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            return sorted(set(_seq_scans(plan[0]["Plan"])))
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        tables = []
        for row in cursor.fetchall():
            match = _SQLITE_SCAN.match(row[-1])
            if match:
                tables.append(match.group(1))
        return sorted(set(tables))


def _seq_scans(node: dict) -> list[str]:
    found = [node["Relation Name"]] if node.get("Node Type") == "Seq Scan" else []
    for child in node.get("Plans", ()):
        found += _seq_scans(child)
    return found


def table_rows(table: str, sizes: dict[str, int]) -> int:
    """Rows in ``table``; 0 for a name the plan gives a subquery or a WITH (SQLite)."""
    if not sizes:
        sizes.update(dict.fromkeys(connection.introspection.table_names(), -1))
    if sizes.get(table, -1) < 0 and table in sizes:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            sizes[table] = cursor.fetchone()[0]
    return sizes.get(table, 0)
