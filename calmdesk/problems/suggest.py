"""The suggested problem for a conversation, from the engine's matcher.

Where the index lives: in each web process's memory, built from the database on demand
and kept with the ``ProblemsVersion`` number it was built at. Every action that changes
problems or links bumps that number (one row), so each request that wants a suggestion
pays one indexed read to learn whether its process's index is current, and the first
request after a change rebuilds it. Several processes never share or lock anything;
each rebuilds once per change. A rebuild re-reads only the problems whose
``updated_at`` moved (the actions touch it on every link, unlink and status change):
their latest ``PROFILE_MESSAGES`` customer messages become that problem's stats, kept
per process, and merging every problem's stats into the index costs features, not
messages. Only problems still to be fixed (open, planned, in progress) are suggested."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.engine.problem_match import (
    ProblemIndex,
    ProblemStats,
    Suggestion,
    merge_index,
    problem_stats,
    suggest,
)
from calmdesk.problems.actions import current_version
from calmdesk.problems.models import Problem, ProblemLink, ProblemStatus

PROFILE_MESSAGES = 100
# A message longer than this adds nothing to which problem it names but costs time.
TEXT_LIMIT = 4000
# The customer's latest messages in the conversation that the suggestion reads.
QUERY_MESSAGES = 3
STILL_OPEN = (ProblemStatus.OPEN, ProblemStatus.PLANNED, ProblemStatus.IN_PROGRESS)

_lock = threading.Lock()
_cached: tuple[int, ProblemIndex] | None = None
# problem id -> (its updated_at when read, its stats)
_stats: dict[int, tuple[datetime, ProblemStats]] = {}


@dataclass(frozen=True)
class Suggested:
    problem: Problem
    suggestion: Suggestion


def _texts_of(problem_id: int) -> list[str]:
    conversation_ids = ProblemLink.objects.filter(problem_id=problem_id).values("conversation_id")
    rows = (
        Message.objects.filter(conversation_id__in=conversation_ids, kind=MessageKind.CUSTOMER)
        .order_by("-created_at")
        .values_list("analysis_text", "body_text")[:PROFILE_MESSAGES]
    )
    return [(analysis or body)[:TEXT_LIMIT] for analysis, body in rows]


def _rebuild() -> ProblemIndex:
    still_open = dict(Problem.objects.filter(status__in=STILL_OPEN).values_list("pk", "updated_at"))
    for problem_id in list(_stats):
        if problem_id not in still_open:
            del _stats[problem_id]
    for problem_id, updated_at in still_open.items():
        kept = _stats.get(problem_id)
        if kept is None or kept[0] != updated_at:
            _stats[problem_id] = (updated_at, problem_stats(_texts_of(problem_id)))
    return merge_index({problem_id: kept[1] for problem_id, kept in _stats.items()})


def current_index() -> ProblemIndex:
    global _cached
    version = current_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
        index = _rebuild()
        _cached = (version, index)
        return index


def forget_index() -> None:
    """Tests and the bench start cold."""
    global _cached
    _cached = None
    _stats.clear()


def query_text(conversation: Conversation) -> str:
    rows = (
        conversation.messages.filter(kind=MessageKind.CUSTOMER)
        .order_by("-created_at")
        .values_list("analysis_text", "body_text")[:QUERY_MESSAGES]
    )
    return "\n".join((analysis or body)[:TEXT_LIMIT] for analysis, body in rows)


def suggestions_for(
    conversation: Conversation, linked: list[int], limit: int = 1
) -> list[Suggested]:
    """The problems this conversation's customer messages most look like, leaving out
    those already linked (``linked``: their ids)."""
    text = query_text(conversation)
    if not text.strip():
        return []
    found = suggest(current_index(), text, limit=limit, exclude=linked)
    if not found:
        return []
    problems = Problem.objects.in_bulk([s.problem_id for s in found])
    return [Suggested(problems[s.problem_id], s) for s in found if s.problem_id in problems]
