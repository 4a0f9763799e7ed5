"""Which problems a person may see: one with a linked conversation in their mailboxes,
or with none yet (just written down); every problem for those who see every mailbox.
What a visible problem counts is still only their mailboxes' (``stats``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404

from calmdesk.desk.access import sees_every_mailbox, visible_mailbox_ids
from calmdesk.problems.models import Problem, ProblemLink


def visible_problems(actor: User) -> QuerySet[Problem]:
    if sees_every_mailbox(actor):
        return Problem.objects.all()
    linked_here = ProblemLink.objects.filter(
        conversation__mailbox_id__in=visible_mailbox_ids(actor)
    ).values("problem_id")
    linked = ProblemLink.objects.values("problem_id")
    return Problem.objects.filter(Q(pk__in=linked_here) | ~Q(pk__in=linked))


def problem_or_404(actor: User, pk: int) -> Problem:
    try:
        return visible_problems(actor).select_related("owner").get(pk=pk)
    except Problem.DoesNotExist:
        raise Http404 from None
