"""/api/v1/problems/{pk}/answers: answer every customer of a fixed problem at once, as
the problem's page does: draft the batch (each conversation's reply filled in and
coached), read it, hand it to the worker (each reply waits its undo window), undo what
has not left. A batch is its author's: another token's agent gets a 404."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Router, Status

from calmdesk.api import schemas as s
from calmdesk.api.auth import READ, WRITE, ApiError
from calmdesk.api.problems import problem_scope
from calmdesk.desk.actions import ActionError
from calmdesk.problems.access import problem_or_404
from calmdesk.problems.answer import (
    do_draft_answers,
    do_queue_answers,
    do_undo_answers,
    progress,
)
from calmdesk.problems.models import AnswerBatch, ProblemStatus

router = Router(tags=["problems"])


def batch_out(batch: AnswerBatch) -> dict:
    items = batch.items.order_by("id")
    return {
        "id": batch.pk,
        "problem_id": batch.problem_id,
        "state": batch.state,
        "template": batch.template,
        "include_closed": batch.include_closed,
        "created_at": batch.created_at,
        "progress": progress(batch),
        "items": [
            {
                "id": item.pk,
                "conversation_id": item.conversation_id,
                "state": item.state,
                "body": item.body,
                "findings": item.findings,
                "error": item.error,
                "reply_id": item.reply_id,
            }
            for item in items
        ],
    }


def _batch_or_404(actor: User, pk: int, batch_pk: int) -> AnswerBatch:
    problem_or_404(actor, pk)
    try:
        return AnswerBatch.objects.get(pk=batch_pk, problem_id=pk, actor=actor)
    except AnswerBatch.DoesNotExist:
        raise Http404 from None


@router.post(
    "/problems/{pk}/answers", response={201: s.AnswerBatchOut, **s.WRITE_ERRORS}, auth=WRITE
)
def draft_answers(request: HttpRequest, pk: int, payload: s.AnswerAllIn) -> Status[dict]:
    """Draft one reply per open linked conversation in the agent's mailboxes (closed ones
    too with ``include_closed``); nothing is sent. The problem must be fixed."""
    actor: User = request.user  # type: ignore[assignment]
    problem = problem_or_404(actor, pk)
    if problem.status != ProblemStatus.FIXED:
        raise ApiError(400, "refused", "Mark the problem fixed before answering everyone.")
    try:
        batch = do_draft_answers(
            problem,
            actor,
            payload.template,
            mailbox_ids=problem_scope(actor),
            include_closed=payload.include_closed,
        )
    except ActionError as error:
        raise ApiError(400, "refused", str(error)) from None
    return Status(201, batch_out(batch))


@router.get(
    "/problems/{pk}/answers/{batch_pk}", response={200: s.AnswerBatchOut, **s.ERRORS}, auth=READ
)
def read_answers(request: HttpRequest, pk: int, batch_pk: int) -> dict:
    return batch_out(_batch_or_404(request.user, pk, batch_pk))  # type: ignore[arg-type]


@router.post(
    "/problems/{pk}/answers/{batch_pk}/send",
    response={200: s.AnswerBatchOut, **s.WRITE_ERRORS},
    auth=WRITE,
)
def send_answers(request: HttpRequest, pk: int, batch_pk: int, payload: s.AnswerSendIn) -> dict:
    """Hand the drafts to the worker, but those of the conversations in ``skip``; sending
    again after a failure sends only what still waits."""
    actor: User = request.user  # type: ignore[assignment]
    batch = _batch_or_404(actor, pk, batch_pk)
    do_queue_answers(batch, actor, skip=payload.skip)
    return batch_out(batch)


@router.post(
    "/problems/{pk}/answers/{batch_pk}/undo",
    response={200: s.AnswerBatchOut, **s.WRITE_ERRORS},
    auth=WRITE,
)
def undo_answers(request: HttpRequest, pk: int, batch_pk: int) -> dict:
    """Take back every reply whose undo window is still open; what still waits for the
    worker is withdrawn."""
    actor: User = request.user  # type: ignore[assignment]
    batch = _batch_or_404(actor, pk, batch_pk)
    do_undo_answers(batch, actor)
    batch.refresh_from_db()
    return batch_out(batch)
