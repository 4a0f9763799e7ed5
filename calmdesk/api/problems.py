"""/api/v1/problems: product problems with what they cost (counted over the mailboxes the
token's agent sees, as the problems pages count), their changes through the problems
actions, their links to conversations, and the product report's ranking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from calmdesk.api import schemas as s
from calmdesk.api.auth import READ, WRITE, ApiError
from calmdesk.api.conversations import MAX_LIMIT
from calmdesk.desk.access import conversation_or_404, sees_every_mailbox, visible_mailbox_ids
from calmdesk.desk.actions import ActionError
from calmdesk.desk.models import Conversation
from calmdesk.problems.access import problem_or_404, visible_problems
from calmdesk.problems.actions import (
    do_create_problem,
    do_link_problem,
    do_set_problem_status,
    do_unlink_problem,
    do_update_problem,
)
from calmdesk.problems.models import Problem
from calmdesk.problems.stats import Impact, affected_customers, impacts, linked_conversations

router = Router(tags=["problems"])
# The product report's periods (days), as its page offers them; absent: all time.
REPORT_PERIODS = (30, 90, 365)
# The product report ranks at most this many problems (the page's bound too).
REPORT_PROBLEMS = 1000
KIND = Query("", pattern="^(|bug|feature|docs|other)$")
STATUS = Query("", pattern="^(|open|planned|in_progress|fixed|wont_fix)$")


def problem_scope(actor: User) -> list[int] | None:
    """None when the agent sees every mailbox (nothing to filter)."""
    return None if sees_every_mailbox(actor) else visible_mailbox_ids(actor)


def problem_out(impact: Impact) -> dict:
    p = impact.problem
    return {
        "id": p.pk,
        "title": p.title,
        "kind": p.kind,
        "status": p.status,
        "description": p.description,
        "owner": p.owner.username if p.owner_id and p.owner else None,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "fixed_at": p.fixed_at,
        "customers": impact.customers,
        "conversations": impact.conversations,
        "monthly_revenue": {cur: f"{amount:.2f}" for cur, amount in impact.revenue.items()},
        "first_seen": impact.first_seen,
        "last_seen": impact.last_seen,
        "trend": impact.trend,
    }


def _one(actor: User, problem: Problem) -> dict:
    return problem_out(impacts([problem], problem_scope(actor), now=timezone.now())[problem.pk])


def _refused(problem: ActionError) -> ApiError:
    return ApiError(400, "refused", str(problem))


@router.get("/problems", response={200: list[s.ProblemOut], **s.ERRORS}, auth=READ)
def list_problems(
    request: HttpRequest,
    status: str = STATUS,
    kind: str = KIND,
    limit: int = Query(30, ge=1, le=MAX_LIMIT),
) -> list[dict]:
    """The problems the agent may see, last changed first, each with its figures."""
    found = visible_problems(request.user).select_related("owner")  # type: ignore[arg-type]
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    rows = list(found.order_by("-updated_at", "-id")[:limit])
    figures = impacts(rows, problem_scope(request.user), now=timezone.now())  # type: ignore[arg-type]
    return [problem_out(figures[p.pk]) for p in rows]


@router.get("/problems/{pk}", response={200: s.ProblemDetail, **s.ERRORS}, auth=READ)
def read_problem(request: HttpRequest, pk: int) -> dict:
    """A problem, its linked conversations and the customers it hurts (those the agent
    sees)."""
    actor: User = request.user  # type: ignore[assignment]
    problem = problem_or_404(actor, pk)
    mailbox_ids = problem_scope(actor)
    linked = (
        linked_conversations([problem.pk], mailbox_ids)
        .order_by("-conversation__last_message_at", "-conversation_id")
        .values_list("conversation_id", flat=True)
    )
    affected = [
        {
            "customer_id": a.customer.pk,
            "name": a.customer.name,
            "conversations": a.conversations,
            "first_seen": a.first_seen,
            "last_seen": a.last_seen,
        }
        for a in affected_customers(problem, mailbox_ids)[:200]
    ]
    return {**_one(actor, problem), "conversation_ids": list(linked[:500]), "affected": affected}


@router.post("/problems", response={201: s.ProblemOut, **s.WRITE_ERRORS}, auth=WRITE)
def create_problem(request: HttpRequest, payload: s.ProblemIn) -> Status[dict]:
    """A new open problem, linked at once to ``conversation_id`` when given."""
    actor: User = request.user  # type: ignore[assignment]
    conversation = None
    if payload.conversation_id is not None:
        conversation = conversation_or_404(actor, payload.conversation_id)
    try:
        problem = do_create_problem(
            actor,
            payload.title,
            kind=payload.kind,
            description=payload.description,
            conversation=conversation,
        )
    except ActionError as error:
        raise _refused(error) from None
    return Status(201, _one(actor, problem))


@router.patch("/problems/{pk}", response={200: s.ProblemOut, **s.WRITE_ERRORS}, auth=WRITE)
def update_problem(request: HttpRequest, pk: int, payload: s.ProblemPatch) -> dict:
    """Change the given fields (title, kind, description, owner); the others stay. The
    owner is a username of the team, or null for nobody."""
    actor: User = request.user  # type: ignore[assignment]
    problem = problem_or_404(actor, pk)
    changes = payload.dict(exclude_unset=True)
    owner = problem.owner
    if "owner" in changes:
        owner = None
        if changes["owner"]:
            owner = (
                get_user_model()
                .objects.filter(username=changes["owner"], agent__isnull=False, is_active=True)
                .first()
            )
            if owner is None:
                raise ApiError(400, "refused", "Nobody of the team has that username.")
    description = changes.get("description")
    try:
        problem = do_update_problem(
            problem,
            actor,
            title=changes.get("title") or problem.title,
            kind=changes.get("kind") or problem.kind,
            description=problem.description if description is None else description,
            owner=owner,
        )
    except ActionError as error:
        raise _refused(error) from None
    return _one(actor, problem)


@router.post("/problems/{pk}/status", response={200: s.ProblemOut, **s.WRITE_ERRORS}, auth=WRITE)
def problem_status(request: HttpRequest, pk: int, payload: s.ProblemStatusIn) -> dict:
    """A new status, told in the thread of every linked conversation (fixed stamps
    ``fixed_at``). Answering every affected customer stays on the problem's page."""
    actor: User = request.user  # type: ignore[assignment]
    problem = problem_or_404(actor, pk)
    try:
        problem = do_set_problem_status(problem, actor, payload.status)
    except ActionError as error:
        raise _refused(error) from None
    return _one(actor, problem)


def _linked(conversation: Conversation) -> list[dict]:
    rows = Problem.objects.filter(links__conversation=conversation).order_by("title", "id")
    return [{"id": p.pk, "title": p.title, "status": p.status} for p in rows]


@router.get(
    "/conversations/{pk}/problems",
    response={200: list[s.LinkedProblemOut], **s.ERRORS},
    auth=READ,
)
def conversation_problems(request: HttpRequest, pk: int) -> list[dict]:
    return _linked(conversation_or_404(request.user, pk))  # type: ignore[arg-type]


@router.post(
    "/conversations/{pk}/problems",
    response={200: list[s.LinkedProblemOut], **s.WRITE_ERRORS},
    auth=WRITE,
)
def link_problem(request: HttpRequest, pk: int, payload: s.ProblemLinkIn) -> list[dict]:
    """Link the conversation to a problem (once: linking again changes nothing); the
    answer is the conversation's problems."""
    actor: User = request.user  # type: ignore[assignment]
    conversation = conversation_or_404(actor, pk)
    do_link_problem(problem_or_404(actor, payload.problem_id), conversation, actor)
    return _linked(conversation)


@router.delete(
    "/conversations/{pk}/problems/{problem_pk}",
    response={200: list[s.LinkedProblemOut], **s.WRITE_ERRORS},
    auth=WRITE,
)
def unlink_problem(request: HttpRequest, pk: int, problem_pk: int) -> list[dict]:
    actor: User = request.user  # type: ignore[assignment]
    conversation = conversation_or_404(actor, pk)
    do_unlink_problem(problem_or_404(actor, problem_pk), conversation, actor)
    return _linked(conversation)


def _revenue(impact: Impact) -> Decimal:
    return sum(impact.revenue.values(), Decimal(0))


@router.get("/reports/problems", response={200: s.ProductReportOut, **s.ERRORS}, auth=READ)
def product_report(
    request: HttpRequest,
    days: Annotated[int | None, s.one_of(REPORT_PERIODS)] = Query(
        None, description="30, 90 or 365; absent: all time"
    ),
    status: str = STATUS,
    kind: str = KIND,
    limit: int = Query(30, ge=1, le=MAX_LIMIT),
) -> dict:
    """Problems ranked by distinct customers affected, then their monthly revenue, over
    conversations active in the period (the product report's order)."""
    if days is not None and days not in REPORT_PERIODS:
        raise ApiError(422, "invalid", "days: one of 30, 90, 365.")
    actor: User = request.user  # type: ignore[assignment]
    found = visible_problems(actor).select_related("owner")
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    now = timezone.now()
    since = now - timedelta(days=days) if days else None
    figures = impacts(list(found[:REPORT_PROBLEMS]), problem_scope(actor), now=now, since=since)
    ranked = sorted(
        (i for i in figures.values() if i.conversations),
        key=lambda i: (i.customers, _revenue(i), i.problem.pk),
        reverse=True,
    )
    return {"period_days": days, "items": [problem_out(i) for i in ranked[:limit]]}
