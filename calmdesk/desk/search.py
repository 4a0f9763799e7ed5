"""Search: the filter grammar (filters.py) over the full-text index the triggers of
migrations 0003-0004 keep (FTS5 on SQLite, tsvector + GIN on PostgreSQL, one row per
message). Results are newest match first and only from mailboxes the agent may see; each
row carries the text that matched, highlighted (highlight.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import QuerySet

from calmdesk.desk.access import sees_every_mailbox, visible_conversations, visible_mailbox_ids
from calmdesk.desk.filters import Filter, Query, Word, apply, parse, resolve
from calmdesk.desk.highlight import mark_matches, snippet_of
from calmdesk.desk.inbox import rows_in_order
from calmdesk.desk.models import Conversation, Message

PAGE_SIZE = 25
# SQL parameters: strings, numbers and lists of ids, as the database driver takes them.
Params = list[Any]


def _match_expression(query: Query, mailbox_ids: list[int] | None) -> str:
    """Every word and phrase must appear, in a message of one of ``mailbox_ids`` (None:
    any). Words are letters and digits only (filters.WORD), so none is query syntax."""
    words: Sequence[Word] = query.words
    if connection.vendor == "postgresql":
        terms = [f"{w.text}:*" if w.prefix else w.text for w in words]
        terms += ["(" + " <-> ".join(phrase) + ")" for phrase in query.phrases]
        if mailbox_ids is not None:
            terms.append("(" + " | ".join(f"mb{pk}" for pk in mailbox_ids) + ")")
        return " & ".join(terms)
    columns = "{subject body customer} : "
    terms = [f'{columns}"{w.text}"' + ("*" if w.prefix else "") for w in words]
    terms += [columns + '"' + " ".join(phrase) + '"' for phrase in query.phrases]
    if mailbox_ids is not None:
        terms.append("mailbox : (" + " OR ".join(f"mb{pk}" for pk in mailbox_ids) + ")")
    return " AND ".join(terms)


def _text_hits(query: Query, mailbox_ids: list[int] | None) -> tuple[str, Params]:
    """Messages whose text matches: (message id, conversation id) rows, joined to ``c``."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT s.message_id AS mid, s.conversation_id AS cid FROM desk_search s"
            " JOIN desk_conversation c ON c.id = s.conversation_id"
            " WHERE s.document @@ to_tsquery('simple', %s)"
        )
    else:
        sql = (
            "SELECT desk_search.rowid AS mid, desk_search.conversation_id AS cid"
            " FROM desk_search JOIN desk_conversation c ON c.id = desk_search.conversation_id"
            " WHERE desk_search MATCH %s"
        )
    return sql, [_match_expression(query, mailbox_ids)]


def _organisation_hits(query: Query) -> tuple[str, Params]:
    """Every message of the customers of an organisation the free words name: the whole
    name ("northwind traders") or its start ("northwind"). Read from the organisations
    inward (CROSS JOIN keeps SQLite to that order), so when none is named this costs one
    look at the organisations, not a walk through every message."""
    name = " ".join(w.text for w in query.words)
    sql = (
        "SELECT m.id AS mid, m.conversation_id AS cid FROM desk_organisation o"
        " CROSS JOIN desk_customer cu CROSS JOIN desk_conversation c"
        " CROSS JOIN desk_message m"
        " WHERE (lower(o.name) = %s OR lower(o.name) LIKE %s)"
        " AND cu.organisation_id = o.id AND c.customer_id = cu.id"
        " AND m.conversation_id = c.id"
    )
    # Words are letters and digits only, so the name holds no LIKE wildcard.
    return sql, [name, name + " %"]


def _narrowed(
    branch: tuple[str, Params], scope: tuple[str, Params], before: int | None, fetch: int
) -> tuple[str, Params]:
    sql, params = branch
    scope_sql, scope_params = scope
    sql += scope_sql
    params = [*params, *scope_params]
    if before is not None:
        # The branch's message id column: the word after SELECT.
        sql += f" AND {sql.split()[1]} < %s"
        params.append(before)
    return f"SELECT mid, cid FROM ({sql} ORDER BY 1 DESC LIMIT %s) AS b", [*params, fetch]


def _scope(actor: User, f: Filter) -> tuple[str, Params]:
    """The conditions on ``c`` every branch shares: the agent's mailboxes, then the
    operators, as the ORM writes them for the inbox (one definition of each)."""
    sql, params = "", []
    if not sees_every_mailbox(actor):
        ids = visible_mailbox_ids(actor)
        sql += f" AND c.mailbox_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    if f.query.has_operators:
        narrowed: QuerySet[Conversation] = apply(actor, f, Conversation.objects.all())
        inner, inner_params = narrowed.values("pk").query.sql_with_params()
        sql += f" AND c.id IN ({inner})"
        params += list(inner_params)
    return sql, params


@dataclass
class SearchPage:
    conversations: list[Conversation]
    next_before: int | None
    query: Query = field(default_factory=Query)
    problems: list[str] = field(default_factory=list)


def search(
    actor: User,
    text: str | Query,
    *,
    before: int | None = None,
    related: Sequence[str] = (),
) -> SearchPage:
    query = parse(text) if isinstance(text, str) else text
    mailbox_ids = visible_mailbox_ids(actor)
    if not (query.has_text or query.has_operators) or not mailbox_ids:
        return SearchPage([], None, query, list(query.problems))
    f = resolve(actor, query)
    query = f.query
    if not query.has_text:
        return _by_operators(actor, f, before, related)
    fetch = PAGE_SIZE * 4
    scope = _scope(actor, f)
    # The index itself is narrowed to the agent's mailboxes (migration 0004); the scope
    # checks the same again against the conversations.
    branches = [_text_hits(query, None if sees_every_mailbox(actor) else mailbox_ids)]
    if query.words and not query.phrases:
        branches.append(_organisation_hits(query))
    parts = [_narrowed(branch, scope, before, fetch) for branch in branches]
    sql = " UNION ".join(p[0] for p in parts) + " ORDER BY 1 DESC LIMIT %s"
    params = [value for part in parts for value in part[1]] + [fetch]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        hits = cursor.fetchall()
    order: dict[int, int] = {}  # conversation -> its newest matching message
    last_rowid = None
    for rowid, conversation_id in hits:
        if len(order) == PAGE_SIZE:
            break
        last_rowid = rowid
        order.setdefault(conversation_id, rowid)
    more = len(order) == PAGE_SIZE or len(hits) == fetch
    rows = rows_in_order(list(order), related)
    _show_matches(rows, order, query)
    return SearchPage(rows, last_rowid if more else None, query, list(f.problems))


def _by_operators(actor: User, f: Filter, before: int | None, related: Sequence[str]) -> SearchPage:
    """Operators alone: newest conversation first, walking the primary key, with the
    inbox's snippet (nothing was matched in the text)."""
    rows = apply(actor, f, visible_conversations(actor))
    if before is not None:
        rows = rows.filter(pk__lt=before)
    ids = list(rows.order_by("-pk").values_list("pk", flat=True)[: PAGE_SIZE + 1])
    more = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    page = rows_in_order(ids, related)
    return SearchPage(page, ids[-1] if more else None, f.query, list(f.problems))


def _show_matches(rows: list[Conversation], order: dict[int, int], query: Query) -> None:
    """Each row's snippet becomes the matching message's text around the first match,
    marked; its subject is marked too. One query for the page."""
    bodies = dict(
        Message.objects.filter(pk__in=[order[c.pk] for c in rows]).values_list("pk", "body_text")
    )
    for row in rows:
        body = bodies.get(order[row.pk], "")
        row.match = snippet_of(body, query)  # type: ignore[attr-defined]
        row.subject_match = mark_matches(row.subject, query)  # type: ignore[attr-defined]
