"""Full-text search over subjects, bodies and customer names and addresses, through the
index the triggers of migration 0003 keep: FTS5 on SQLite, tsvector + GIN on PostgreSQL.
Results are newest first and only from mailboxes the agent may see."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import connection

from calmdesk.desk.access import sees_every_mailbox, visible_mailbox_ids
from calmdesk.desk.inbox import rows_in_order
from calmdesk.desk.models import Conversation

PAGE_SIZE = 25
MAX_WORDS = 12
# Letters and digits only: the same split as SQLite's unicode61 tokenizer, and nothing an
# agent types can become query syntax on either database. A trailing * asks for every word
# that starts so; it is opt-in because a prefix has to gather all its matches before the
# newest can be picked, where a whole word is read newest first and stops after a page.
_WORD = re.compile(r"([^\W_]+)(\*?)")


def words_of(query: str) -> list[tuple[str, bool]]:
    """(word, is a prefix) pairs, at most MAX_WORDS."""
    return [(w.lower()[:64], star == "*") for w, star in _WORD.findall(query)][:MAX_WORDS]


def _match_expression(words: list[tuple[str, bool]], mailbox_ids: list[int] | None) -> str:
    """Every word must appear, in a message of one of ``mailbox_ids`` (None: any)."""
    if connection.vendor == "postgresql":
        terms = [f"{w}:*" if prefix else w for w, prefix in words]
        if mailbox_ids is not None:
            terms.append("(" + " | ".join(f"mb{pk}" for pk in mailbox_ids) + ")")
        return " & ".join(terms)
    terms = [f'{{subject body customer}} : "{w}"' + ("*" if prefix else "") for w, prefix in words]
    if mailbox_ids is not None:
        terms.append("mailbox : (" + " OR ".join(f"mb{pk}" for pk in mailbox_ids) + ")")
    return " AND ".join(terms)


@dataclass
class SearchPage:
    conversations: list[Conversation]
    next_before: int | None


def search(
    actor: User, query: str, *, before: int | None = None, related: Sequence[str] = ()
) -> SearchPage:
    words = words_of(query)
    mailbox_ids = visible_mailbox_ids(actor)
    if not words or not mailbox_ids:
        return SearchPage([], None)
    every = sees_every_mailbox(actor)
    fetch = PAGE_SIZE * 4
    # The index itself is narrowed to the agent's mailboxes (migration 0004); the join
    # below checks the same again against the conversations.
    params: list[str | int | list[int]] = [_match_expression(words, None if every else mailbox_ids)]
    if connection.vendor == "postgresql":
        sql = (
            "SELECT s.message_id, s.conversation_id FROM desk_search s"
            " JOIN desk_conversation c ON c.id = s.conversation_id"
            " WHERE s.document @@ to_tsquery('simple', %s)"
        )
        if before is not None:
            sql += " AND s.message_id < %s"
            params.append(before)
        if not every:
            sql += " AND c.mailbox_id = ANY(%s)"
            params.append(mailbox_ids)
        sql += " ORDER BY s.message_id DESC LIMIT %s"
    else:
        sql = (
            "SELECT desk_search.rowid, desk_search.conversation_id FROM desk_search"
            " JOIN desk_conversation c ON c.id = desk_search.conversation_id"
            " WHERE desk_search MATCH %s"
        )
        if before is not None:
            sql += " AND desk_search.rowid < %s"
            params.append(before)
        if not every:
            sql += f" AND c.mailbox_id IN ({', '.join(['%s'] * len(mailbox_ids))})"
            params.extend(mailbox_ids)
        sql += " ORDER BY desk_search.rowid DESC LIMIT %s"
    params.append(fetch)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        hits = cursor.fetchall()
    order: list[int] = []
    last_rowid = None
    for rowid, conversation_id in hits:
        if len(order) == PAGE_SIZE:
            break
        last_rowid = rowid
        if conversation_id not in order:
            order.append(conversation_id)
    more = len(order) == PAGE_SIZE or len(hits) == fetch
    return SearchPage(rows_in_order(order, related), last_rowid if more else None)
