"""Every write to problems and their links. Each one bumps ``ProblemsVersion`` so the
suggester's index, cached per web process, is rebuilt on the next request that needs it
(``calmdesk.problems.suggest``)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.actions import ActionError
from calmdesk.desk.models import Conversation, Event, EventKind
from calmdesk.problems.models import (
    Problem,
    ProblemKind,
    ProblemLink,
    ProblemStatus,
    ProblemsVersion,
)


def bump_version() -> None:
    """One row; created on the first change (a fresh database has none)."""
    if ProblemsVersion.objects.filter(pk=1).update(number=F("number") + 1) == 0:
        try:
            with transaction.atomic():
                ProblemsVersion.objects.create(pk=1, number=1)
        except IntegrityError:  # another process created it first
            ProblemsVersion.objects.filter(pk=1).update(number=F("number") + 1)


def current_version() -> int:
    row = ProblemsVersion.objects.filter(pk=1).values_list("number", flat=True).first()
    return row or 0


def _event(conversation_id: int, kind: str, actor: User | None, problem: Problem, **data: object):
    return Event(
        conversation_id=conversation_id,
        kind=kind,
        actor=actor,
        data={"problem": problem.pk, "title": problem.title, **data},
        created_at=timezone.now(),
    )


@transaction.atomic
def do_create_problem(
    actor: User | None,
    title: str,
    *,
    kind: str = ProblemKind.BUG,
    description: str = "",
    owner: User | None = None,
    conversation: Conversation | None = None,
    now: datetime | None = None,
) -> Problem:
    """A new open problem, linked at once to ``conversation`` when created from one."""
    title = " ".join(title.split())
    if not title:
        raise ActionError(_("A problem needs a title."))
    if kind not in ProblemKind.values:
        raise ActionError(_("Unknown kind of problem."))
    now = now or timezone.now()
    problem = Problem.objects.create(
        title=title[:200],
        kind=kind,
        description=description.strip(),
        owner=owner,
        created_at=now,
        updated_at=now,
    )
    bump_version()
    if conversation is not None:
        do_link_problem(problem, conversation, actor, now=now)
    return problem


@transaction.atomic
def do_update_problem(
    problem: Problem, actor: User | None, *, title: str, kind: str, description: str, owner
) -> Problem:
    title = " ".join(title.split())
    if not title:
        raise ActionError(_("A problem needs a title."))
    if kind not in ProblemKind.values:
        raise ActionError(_("Unknown kind of problem."))
    Problem.objects.filter(pk=problem.pk).update(
        title=title[:200],
        kind=kind,
        description=description.strip(),
        owner=owner,
        updated_at=timezone.now(),
    )
    bump_version()
    problem.refresh_from_db()
    return problem


@transaction.atomic
def do_link_problem(
    problem: Problem,
    conversation: Conversation,
    actor: User | None,
    *,
    now: datetime | None = None,
) -> ProblemLink | None:
    """Link once: linking an already linked conversation changes nothing (None)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            link = ProblemLink.objects.create(
                problem=problem, conversation=conversation, linked_by=actor, at=now
            )
    except IntegrityError:
        return None
    Problem.objects.filter(pk=problem.pk).update(updated_at=now)
    _event(conversation.pk, EventKind.PROBLEM_LINK, actor, problem).save()
    bump_version()
    return link


@transaction.atomic
def do_unlink_problem(problem: Problem, conversation: Conversation, actor: User | None) -> bool:
    deleted, _rows = ProblemLink.objects.filter(problem=problem, conversation=conversation).delete()
    if not deleted:
        return False
    Problem.objects.filter(pk=problem.pk).update(updated_at=timezone.now())
    _event(conversation.pk, EventKind.PROBLEM_UNLINK, actor, problem).save()
    bump_version()
    return True


@transaction.atomic
def do_set_problem_status(
    problem: Problem, actor: User | None, status: str, *, now: datetime | None = None
) -> Problem:
    """A new status, told in the thread of every linked conversation. Marking it fixed
    stamps ``fixed_at``; leaving fixed clears it."""
    if status not in ProblemStatus.values:
        raise ActionError(_("Unknown status of a problem."))
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if locked.status == status:
        return locked
    now = now or timezone.now()
    old = locked.status
    fixed_at = (locked.fixed_at or now) if status == ProblemStatus.FIXED else None
    Problem.objects.filter(pk=locked.pk).update(status=status, fixed_at=fixed_at, updated_at=now)
    conversation_ids = locked.links.values_list("conversation_id", flat=True)
    Event.objects.bulk_create(
        [
            _event(
                cid,
                EventKind.PROBLEM_STATUS,
                actor,
                locked,
                old=old,
                new=status,
                label=str(ProblemStatus(status).label),
            )
            for cid in conversation_ids
        ],
        batch_size=500,
    )
    bump_version()
    problem.refresh_from_db()
    return problem
