"""Answer all when fixed: one template, filled in per conversation by the saved-reply
renderer, each draft checked by the coach (its findings listed before anything is sent),
then each sent through the mail layer's ``do_send_reply``, so every reply waits out its
undo window like any other.

Sending happens outside the request: ``do_queue_answers`` marks the batch *sending* and
the worker's periodic job ``problems.answer_all`` (calmdesk/jobs, every few seconds)
sends its pending items, a bounded number a run; the batch's page shows how far it got.

Nothing is sent twice and nothing is lost: an item is sent in the same transaction that
marks it sent (its row locked), so a worker that dies anywhere leaves every item either
sent with its reply or pending without one, and the next run (this worker's or another's
once the lease is over) sends only what is still pending. Undo takes back the whole batch
or one reply, while their windows are open; undoing the whole batch also withdraws what
was still waiting to be sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.actions import ActionError
from calmdesk.desk.models import Conversation, Status
from calmdesk.desk.saved_replies import SavedReplyError, check_saved_reply, render_for
from calmdesk.empathy.coach import disabled_rules, thread_for
from calmdesk.engine import check_reply
from calmdesk.jobs.registry import JOB_PAUSE, Pause, periodic
from calmdesk.mail.actions import do_send_reply, do_undo_send
from calmdesk.problems.models import AnswerBatch, AnswerItem, BatchState, ItemState, Problem

OPEN_STATUSES = (Status.ACTIVE, Status.PENDING)
# The worker's job: how often it looks for batches to send, how many items one run sends
# at most (so a run stays well inside its lease), and the lease after which another
# worker takes over from one that died.
SEND_EVERY = timedelta(seconds=5)
SEND_PER_RUN = 200
SEND_LEASE = timedelta(minutes=2)

# ``pause("answer-sent")`` is called inside each item's transaction after its reply is
# written, before the item is marked sent: tests stop the run there, as a worker killed
# at that moment would stop.


def _no_pause(_where: str) -> None:
    return None


def answerable(
    problem: Problem, mailbox_ids: Sequence[int] | None, include_closed: bool
) -> list[Conversation]:
    """The linked conversations the actor may answer: open ones (and closed ones on
    request), never spam, never an erased customer's."""
    statuses = [*OPEN_STATUSES, Status.CLOSED] if include_closed else list(OPEN_STATUSES)
    found = Conversation.objects.filter(
        problem_links__problem=problem,
        status__in=statuses,
        customer__erased_at__isnull=True,
    )
    if mailbox_ids is not None:
        found = found.filter(mailbox_id__in=mailbox_ids)
    return list(found.select_related("customer", "mailbox").order_by("pk"))


@transaction.atomic
def do_draft_answers(
    problem: Problem,
    actor: User,
    template: str,
    *,
    mailbox_ids: Sequence[int] | None,
    include_closed: bool = False,
) -> AnswerBatch:
    """A batch with one drafted item per answerable conversation, each filled in and
    coached. Nothing is sent."""
    if not template.strip():
        raise ActionError(_("Write the answer first."))
    try:
        check_saved_reply(template)
    except SavedReplyError as error:
        raise ActionError(str(error)) from None
    conversations = answerable(problem, mailbox_ids, include_closed)
    if not conversations:
        raise ActionError(_("No open conversation you can see is linked to this problem."))
    batch = AnswerBatch.objects.create(
        problem=problem,
        actor=actor,
        template=template,
        include_closed=include_closed,
        created_at=timezone.now(),
    )
    items = []
    for conversation in conversations:
        body = render_for(template, conversation, actor)
        findings = check_reply(
            body, thread_for(conversation), disabled=disabled_rules(conversation, actor)
        )
        items.append(
            AnswerItem(
                batch=batch,
                conversation=conversation,
                mailbox_id=conversation.mailbox_id,
                body=body,
                findings=[
                    {"code": f.code, "severity": str(f.severity), "message": f.message}
                    for f in findings
                ],
            )
        )
    AnswerItem.objects.bulk_create(items)
    return batch


def _send_one(item_id: int, actor: User | None, pause: Pause = _no_pause) -> bool:
    with transaction.atomic():
        item = AnswerItem.objects.select_for_update().get(pk=item_id)
        if item.state != ItemState.PENDING:
            return False
        try:
            if actor is None:
                raise ActionError(_("The agent who wrote this answer is gone."))
            reply = do_send_reply(item.conversation, actor, item.body)
        except ActionError as error:
            AnswerItem.objects.filter(pk=item.pk).update(
                state=ItemState.FAILED, error=str(error)[:300]
            )
            return False
        pause("answer-sent")
        AnswerItem.objects.filter(pk=item.pk).update(state=ItemState.SENT, reply=reply)
        return True


def _skip(batch: AnswerBatch, skip: Sequence[int]) -> None:
    if skip:
        AnswerItem.objects.filter(
            batch=batch, state=ItemState.PENDING, conversation_id__in=list(skip)
        ).update(state=ItemState.SKIPPED)


def do_queue_answers(batch: AnswerBatch, actor: User, *, skip: Sequence[int] = ()) -> int:
    """Hand the batch to the worker: those in ``skip`` (by conversation id) are left out,
    the rest wait for ``problems.answer_all``. Returns how many are waiting. Queuing a
    batch again (after a failure) sends only what is still pending."""
    with transaction.atomic():
        _skip(batch, skip)
        waiting = batch.items.filter(state=ItemState.PENDING).count()
        if waiting:
            AnswerBatch.objects.filter(pk=batch.pk).exclude(state=BatchState.UNDONE).update(
                state=BatchState.SENDING
            )
    batch.refresh_from_db()
    return waiting


def do_send_answers(
    batch: AnswerBatch,
    actor: User | None,
    *,
    skip: Sequence[int] = (),
    limit: int | None = None,
    pause: Pause = _no_pause,
) -> int:
    """Send the pending items now, at most ``limit`` (those in ``skip``, by conversation
    id, are skipped). Each in its own transaction; a re-run sends only what is still
    pending. The batch is done once nothing is pending. Returns how many went into the
    outbox now. The worker's job calls this; so does the demo."""
    _skip(batch, skip)
    AnswerBatch.objects.filter(pk=batch.pk).exclude(state=BatchState.UNDONE).update(
        state=BatchState.SENDING
    )
    sent = 0
    pending = batch.items.filter(state=ItemState.PENDING).values_list("pk", flat=True)
    for item_id in list(pending[:limit] if limit is not None else pending):
        sent += _send_one(item_id, actor, pause)
    if not batch.items.filter(state=ItemState.PENDING).exists():
        AnswerBatch.objects.filter(pk=batch.pk, state=BatchState.SENDING).update(
            state=BatchState.DONE
        )
    batch.refresh_from_db()
    return sent


@periodic("problems.answer_all", every=SEND_EVERY, lease=SEND_LEASE)
def send_queued_answers(now: datetime, *, pause: Pause | None = None) -> int:
    """The worker's part of answer all: send the waiting items of every batch queued by
    ``do_queue_answers``, oldest batch first, at most ``SEND_PER_RUN`` items a run (the
    rest next run). Returns how many went into the outbox. ``pause`` defaults to the
    worker's crash-test hook (``JOB_PAUSE``)."""
    pause = pause or JOB_PAUSE.get()
    sent, budget = 0, SEND_PER_RUN
    batches = AnswerBatch.objects.filter(state=BatchState.SENDING).select_related("actor")
    for batch in batches.order_by("pk"):
        if budget <= 0:
            break
        done = do_send_answers(batch, batch.actor, limit=budget, pause=pause)
        sent += done
        budget -= max(done, 1)
    return sent


def progress(batch: AnswerBatch) -> dict[str, int]:
    """How many of the batch's items are in each state, how many in all and how many
    the worker is done with (``handled``: all but the waiting ones)."""
    counts = dict.fromkeys(ItemState.values, 0)
    rows = batch.items.order_by().values("state").annotate(n=Count("pk"))
    for state, count in rows.values_list("state", "n"):
        counts[state] = count
    counts["total"] = sum(counts.values())
    counts["handled"] = counts["total"] - counts[ItemState.PENDING]
    return counts


def do_undo_answer(item: AnswerItem, actor: User) -> bool:
    """Take one reply back while its window is open."""
    with transaction.atomic():
        locked = AnswerItem.objects.select_for_update().get(pk=item.pk)
        if locked.state != ItemState.SENT or locked.reply is None:
            return False
        if not do_undo_send(locked.reply, actor):
            return False
        AnswerItem.objects.filter(pk=locked.pk).update(state=ItemState.UNDONE)
        return True


def do_undo_answers(batch: AnswerBatch, actor: User) -> int:
    """Take back every reply of the batch whose window is still open; what the worker
    has not sent yet is withdrawn first (it will not be sent)."""
    AnswerItem.objects.filter(batch=batch, state=ItemState.PENDING).update(state=ItemState.SKIPPED)
    undone = sum(do_undo_answer(item, actor) for item in batch.items.filter(state=ItemState.SENT))
    if not batch.items.filter(state=ItemState.SENT).exists():
        AnswerBatch.objects.filter(pk=batch.pk).update(state=BatchState.UNDONE)
    return undone
