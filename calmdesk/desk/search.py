"""Search: the filter grammar (filters.py) over the full-text index the triggers of
migrations 0003-0004 keep (FTS5 on SQLite, tsvector + GIN on PostgreSQL, one row per
message). Results are newest match first and only from mailboxes the agent may see; each
row carries the text that matched, highlighted (highlight.py).

A page is the newest ``FETCH`` matching messages below the cursor, on both databases.
FTS5 reads a word's matches newest first and stops there. A GIN index cannot: it hands
PostgreSQL every match of a word, which must all be fetched and sorted before the newest
are known (5-6 s for a common word at a million conversations). So on PostgreSQL the index
is read newest first instead (``_walk``): the newest ``WALK`` messages, each tested against
the words, stopping once a page is found, which is where a common word ends. A rarer word
leaves the page short; the density it showed then says which is cheaper for the rest:
walking on, or the word index over what is older (``_older``), whose cost is its matches."""

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
FETCH = PAGE_SIZE * 4  # matching messages a page is made of (a conversation can hold several)
# PostgreSQL: messages read newest first before anything else is tried (about 15 ms), and
# what reaching one match through the word index costs, in messages read in order (a page
# of the table and a conversation each, where a walk reads twenty messages in a page: 40 µs
# against 2.5 µs at 250,000 conversations).
WALK = 10_000
INDEX_VISIT = 16
OPERATOR_SHARE = 4  # what share of the words' matches operators are taken to leave: 1 in 4
WALKS_ON = 3  # walks after the first before the word index takes the rest whatever it costs
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
    """SQLite: messages whose text matches, (message id, conversation id) rows joined to
    ``c``; FTS5 reads them newest first."""
    sql = (
        "SELECT desk_search.rowid AS mid, desk_search.conversation_id AS cid"
        " FROM desk_search JOIN desk_conversation c ON c.id = desk_search.conversation_id"
        " WHERE desk_search MATCH %s"
    )
    return sql, [_match_expression(query, mailbox_ids)]


_MAX_ID = 2**63 - 1


Hit = tuple[int, int]  # (message id, conversation id)
Branch = tuple[str, Params]  # SQL and its parameters


def _walk(match: str, scope: Branch, below: int, rows: int, want: int) -> Branch:
    """PostgreSQL: the matches among the newest ``rows`` messages below ``below``, newest
    first, stopping at ``want``. Reads at most ``rows`` index entries whatever the words:
    the inner LIMIT keeps the planner to the primary key, newest first."""
    return (
        "SELECT s.mid, s.cid FROM (SELECT message_id AS mid, conversation_id AS cid, document"
        " FROM desk_search WHERE message_id < %s ORDER BY message_id DESC LIMIT %s) AS s"
        " JOIN desk_conversation c ON c.id = s.cid"
        " WHERE s.document @@ to_tsquery('simple', %s)" + scope[0] + " ORDER BY 1 DESC LIMIT %s"
    ), [below, rows, match, *scope[1], want]


def _walked(
    match: str, scope: Branch, below: int, rows: int, want: int, extra: Branch | None = None
) -> tuple[list[Hit], int | None, list[Hit]]:
    """Run a walk (with ``extra``, another branch's SQL and params, in the same statement):
    its hits, the id it stopped above when it read all ``rows`` without filling ``want``
    (None: it filled them, or the table ended), and the other branch's hits."""
    walk_sql, walk_params = _walk(match, scope, below, rows, want)
    sql = (
        f"WITH walked AS ({walk_sql}) SELECT 1, mid, cid FROM walked"
        # The lowest id the walk read: asked only when it came back short.
        " UNION ALL (SELECT 2, message_id, NULL FROM desk_search"
        " WHERE message_id < %s AND (SELECT count(*) FROM walked) < %s"
        " ORDER BY message_id DESC OFFSET %s LIMIT 1)"
    )
    params = [*walk_params, below, want, rows - 1]
    if extra is not None:
        sql += f" UNION ALL SELECT 3, mid, cid FROM ({extra[0]}) AS other"
        params += extra[1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    hits = sorted(((mid, cid) for kind, mid, cid in found if kind == 1), reverse=True)
    stop = next((mid for kind, mid, _cid in found if kind == 2), None)
    other = [(mid, cid) for kind, mid, cid in found if kind == 3]
    return hits, stop, other


def _older(match: str, scope: Branch, below: int, want: int) -> list[Hit]:
    """PostgreSQL: the newest ``want`` matches below ``below`` through the word index:
    every match of the words is fetched and sorted, so this costs what they number. The
    order is by an expression no index holds, or the planner, thinking the words common,
    may walk the whole primary key for a page it never finds (a phrase in no message of
    the agent's mailbox: 0.9 s at 250,000 conversations)."""
    sql = (
        "SELECT s.message_id, s.conversation_id FROM desk_search s"
        " JOIN desk_conversation c ON c.id = s.conversation_id"
        " WHERE s.document @@ to_tsquery('simple', %s) AND s.message_id < %s"
        + scope[0]
        + " ORDER BY s.message_id + 0 DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, below, *scope[1], want])
        return [(mid, cid) for mid, cid in cursor.fetchall()]


def _postgres_hits(
    query: Query,
    mailbox_ids: list[int] | None,
    scope: Branch,
    before: int | None,
    organisations: Branch | None,
    operators: bool,
) -> list[Hit]:
    """The newest ``FETCH`` matching messages below ``before``: one statement when the
    words are common (or the desk small); when not, each further statement walks on as
    far as the density seen so far says a page is, or asks the word index for the rest,
    whichever that density says is cheaper (ids are dense enough to count rows by)."""
    match = _match_expression(query, mailbox_ids)
    below = _MAX_ID if before is None else before
    extra = (
        None
        if organisations is None
        else _narrowed(organisations, scope, before, FETCH, walk=False)
    )
    hits, stop, other = _walked(match, scope, below, WALK, FETCH, extra)
    read = WALK
    # The word index fetches every match of the words before the operators narrow them,
    # and the walk sees only what they leave: a match it found costs more there.
    visit = INDEX_VISIT * (OPERATOR_SHARE if operators else 1)
    for _statement in range(WALKS_ON):
        if stop is None or not hits:
            break
        want = FETCH - len(hits)
        walk_on = want * read // len(hits)
        if walk_on > visit * len(hits) * stop // read:
            break
        more, stop, _none = _walked(match, scope, stop, 2 * walk_on, want)
        hits += more
        read += 2 * walk_on
    if stop is not None:
        hits += _older(match, scope, stop, FETCH - len(hits))
    return sorted(set(hits) | set(other), reverse=True)[:FETCH]


def _organisation_hits(query: Query) -> tuple[str, Params]:
    """Every message of the customers of an organisation the free words name: the whole
    name ("northwind traders") or its start ("northwind"). Read from the organisations
    inward (CROSS JOIN keeps SQLite to that order), so when none is named this costs one
    look at the organisations, not a walk through every message."""
    name = " ".join(w.text for w in query.words)
    # Words are letters and digits only, so the name holds no LIKE wildcard. The index of
    # migration 0016 answers both on PostgreSQL; SQLite's is read as a range first: every
    # name that is the words or starts with them and a space sorts from the words up to
    # the words and a "!" (the character after the space).
    named = "(lower(o.name) = %s OR lower(o.name) LIKE %s)"
    params = [name, name + " %"]
    if connection.vendor != "postgresql":
        named = "lower(o.name) >= %s AND lower(o.name) < %s AND " + named
        params = [name, name + "!", *params]
    sql = (
        "SELECT m.id AS mid, m.conversation_id AS cid FROM desk_organisation o"
        " CROSS JOIN desk_customer cu CROSS JOIN desk_conversation c"
        " CROSS JOIN desk_message m"
        f" WHERE {named}"
        " AND cu.organisation_id = o.id AND c.customer_id = cu.id"
        " AND m.conversation_id = c.id"
    )
    return sql, params


def _narrowed(
    branch: Branch, scope: Branch, before: int | None, fetch: int, *, walk: bool = True
) -> Branch:
    """``branch`` within ``scope``, below ``before``, its newest ``fetch``. ``walk=False``
    orders by an expression no index holds, so the planner reads the branch from its own
    conditions, never by walking every message newest first hoping for a match."""
    sql, params = branch
    scope_sql, scope_params = scope
    sql += scope_sql
    params = [*params, *scope_params]
    # The branch's message id column: the word after SELECT.
    column = sql.split()[1]
    if before is not None:
        sql += f" AND {column} < %s"
        params.append(before)
    order = "1" if walk else f"{column} + 0"
    return f"SELECT mid, cid FROM ({sql} ORDER BY {order} DESC LIMIT %s) AS b", [*params, fetch]


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
    fetch = FETCH
    scope = _scope(actor, f)
    # The index itself is narrowed to the agent's mailboxes (migration 0004); the scope
    # checks the same again against the conversations.
    in_index = None if sees_every_mailbox(actor) else mailbox_ids
    organisations = _organisation_hits(query) if query.words and not query.phrases else None
    if connection.vendor == "postgresql":
        hits = _postgres_hits(query, in_index, scope, before, organisations, query.has_operators)
    else:
        parts = [_narrowed(_text_hits(query, in_index), scope, before, fetch)]
        if organisations:
            parts.append(_narrowed(organisations, scope, before, fetch, walk=False))
        sql = " UNION ".join(p[0] for p in parts) + " ORDER BY 1 DESC LIMIT %s"
        params = [value for part in parts for value in part[1]] + [fetch]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            hits = cursor.fetchall()
    order: dict[int, int] = {}  # conversation -> its newest matching message
    next_before = None
    for rowid, conversation_id in hits:
        if conversation_id in order:
            continue
        if len(order) == PAGE_SIZE:
            # The next page starts at the next conversation's newest match: the older
            # matches of this page's conversations above it are not read again there.
            next_before = rowid + 1
            break
        order[conversation_id] = rowid
    else:
        if len(hits) == fetch:  # all taken, and there may be more below them
            next_before = hits[-1][0]
    rows = rows_in_order(list(order), related)
    _show_matches(rows, order, query)
    return SearchPage(rows, next_before, query, list(f.problems))


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
