"""Answer all when fixed: write the template, see every conversation's draft and the
coach's findings on it, send them all (the worker sends them, each with its undo window;
the page shows how far it got), undo all or one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from calmdesk.desk.access import SignedInRequest, agent_required
from calmdesk.desk.actions import ActionError
from calmdesk.desk.saved_replies import VARIABLES
from calmdesk.problems.access import problem_or_404
from calmdesk.problems.answer import (
    answerable,
    do_draft_answers,
    do_queue_answers,
    do_undo_answer,
    do_undo_answers,
    progress,
)
from calmdesk.problems.models import AnswerBatch, AnswerItem, ProblemStatus
from calmdesk.problems.views.problems import scope

DEFAULT_TEMPLATE = gettext_lazy(
    "Hi {customer.first_name},\n\nGood news: the problem you wrote to us about is fixed. "
    "Thank you for telling us, and for your patience.\n\n{agent.name}"
)


@agent_required
def problem_answer(request: SignedInRequest, pk: int) -> HttpResponse:
    problem = problem_or_404(request.user, pk)
    if problem.status != ProblemStatus.FIXED:
        messages.error(request, _("Mark the problem fixed before answering everyone."))
        return redirect("problem", pk=problem.pk)
    template = request.POST.get("template", str(DEFAULT_TEMPLATE))
    include_closed = request.POST.get("include_closed") == "on"
    if request.method == "POST":
        try:
            batch = do_draft_answers(
                problem,
                request.user,
                template,
                mailbox_ids=scope(request),
                include_closed=include_closed,
            )
        except ActionError as error:
            messages.error(request, str(error))
        else:
            return redirect("problem_answer_batch", pk=problem.pk, batch_pk=batch.pk)
    context = {
        "problem": problem,
        "template": template,
        "include_closed": include_closed,
        "open_count": len(answerable(problem, scope(request), False)),
        "variables": [f"{{{name}}}" for name in VARIABLES],
    }
    return render(request, "problems/answer.html", context)


def _batch_or_404(request: SignedInRequest, pk: int, batch_pk: int) -> AnswerBatch:
    """A batch is its author's: only they see its drafts, send or undo them."""
    try:
        return AnswerBatch.objects.select_related("problem").get(
            pk=batch_pk, problem_id=pk, actor=request.user
        )
    except AnswerBatch.DoesNotExist:
        raise Http404 from None


@agent_required
def problem_answer_batch(request: SignedInRequest, pk: int, batch_pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk, batch_pk)
    items = batch.items.select_related("conversation", "conversation__customer")
    context = {
        "batch": batch,
        "problem": batch.problem,
        "items": items,
        "progress": progress(batch),
    }
    return render(request, "problems/answer_batch.html", context)


@agent_required
@require_POST
def problem_answer_send(request: SignedInRequest, pk: int, batch_pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk, batch_pk)
    skip = [int(v) for v in request.POST.getlist("skip") if v.isdigit()]
    waiting = do_queue_answers(batch, request.user, skip=skip)
    messages.success(
        request,
        ngettext(
            "%(n)d reply is on its way: the worker sends it in a moment.",
            "%(n)d replies are on their way: the worker sends them one by one.",
            waiting,
        )
        % {"n": waiting},
    )
    return redirect("problem_answer_batch", pk=pk, batch_pk=batch.pk)


@agent_required
@require_POST
def problem_answer_undo(request: SignedInRequest, pk: int, batch_pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk, batch_pk)
    undone = do_undo_answers(batch, request.user)
    messages.success(
        request,
        ngettext("%(n)d reply taken back.", "%(n)d replies taken back.", undone) % {"n": undone},
    )
    return redirect("problem_answer_batch", pk=pk, batch_pk=batch.pk)


@agent_required
@require_POST
def problem_answer_undo_one(
    request: SignedInRequest, pk: int, batch_pk: int, item_pk: int
) -> HttpResponse:
    batch = _batch_or_404(request, pk, batch_pk)
    try:
        item = batch.items.get(pk=item_pk)
    except AnswerItem.DoesNotExist:
        raise Http404 from None
    if not do_undo_answer(item, request.user):
        messages.error(request, _("Too late: that reply has left."))
    return redirect("problem_answer_batch", pk=pk, batch_pk=batch.pk)
