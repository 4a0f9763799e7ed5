"""Answer all runs in the worker (calmdesk/jobs), not in the request: the page queues the
batch and shows how far it got; a run killed midway neither loses nor doubles a reply."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk.models import Message, MessageKind
from calmdesk.jobs.registry import job_named
from calmdesk.mail.models import Outbox
from calmdesk.problems.actions import do_create_problem, do_link_problem, do_set_problem_status
from calmdesk.problems.answer import (
    do_draft_answers,
    do_queue_answers,
    do_undo_answers,
    progress,
    send_queued_answers,
)
from calmdesk.problems.models import AnswerBatch, BatchState, ItemState, ProblemStatus

from .conftest import receive


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, nothing commits."""


@pytest.fixture
def batch(desk, settings):  # type: ignore[no-untyped-def]
    settings.DEFAULT_UNDO_SECONDS = 600
    problem = do_create_problem(desk.admin, "Sync times out", conversation=desk.conversation)
    for n, name in enumerate(["Lee Park", "Ana Ruiz", "Tom Berg"]):
        message = receive(desk.support, f"c{n}@store.example", "Sync broken", "Sync", name=name)
        do_link_problem(problem, message.conversation, desk.admin)
    do_set_problem_status(problem, desk.admin, ProblemStatus.FIXED)
    return do_draft_answers(
        problem, desk.alice, "Hi {customer.first_name}, it is fixed.", mailbox_ids=None
    )


def replies_per_conversation() -> dict[int, int]:
    counts: dict[int, int] = {}
    for conversation_id in Message.objects.filter(kind=MessageKind.REPLY).values_list(
        "conversation_id", flat=True
    ):
        counts[conversation_id] = counts.get(conversation_id, 0) + 1
    return counts


def test_the_request_queues_and_the_worker_sends(desk, batch):
    client = desk.client_for(desk.alice)
    url = reverse("problem_answer_send", args=[batch.problem_id, batch.pk])
    response = client.post(url, follow=True)
    assert "4 replies are on their way" in response.content.decode()
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()  # not in the request
    page = response.content.decode()
    assert "Sending: 0 of 4 sent." in page and 'hx-trigger="every 2s"' in page

    job = job_named("problems.answer_all")  # what `calmdesk worker` runs when it is due
    assert job is not None and job.run is send_queued_answers
    job.run(timezone.now())
    assert replies_per_conversation() == dict.fromkeys(
        batch.items.values_list("conversation_id", flat=True), 1
    )
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE
    page = client.get(reverse("problem_answer_batch", args=[batch.problem_id, batch.pk]))
    text = page.content.decode()
    assert "Sent 4, taken back 0, left out 0, not sent 0." in text
    assert "every 2s" not in text  # nothing left to poll for


def test_a_run_killed_midway_neither_loses_nor_doubles(desk, batch):
    do_queue_answers(batch, desk.alice)
    calls: list[str] = []

    def kill_on_second(where: str) -> None:
        calls.append(where)
        if len(calls) == 2:  # the second reply is written, its item not yet marked sent
            raise Killed

    with pytest.raises(Killed):
        send_queued_answers(timezone.now(), pause=kill_on_second)
    assert progress(batch)["sent"] == 1
    assert sum(replies_per_conversation().values()) == 1  # the second one rolled back
    assert Outbox.objects.count() == 1

    assert send_queued_answers(timezone.now()) == 3  # the next run sends the rest
    assert send_queued_answers(timezone.now()) == 0  # and nothing again
    conversations = set(batch.items.values_list("conversation_id", flat=True))
    assert replies_per_conversation() == dict.fromkeys(conversations, 1)
    assert Outbox.objects.count() == 4
    assert set(batch.items.values_list("state", flat=True)) == {ItemState.SENT}


def test_undo_all_while_sending_withdraws_the_waiting_ones(desk, batch):
    do_queue_answers(batch, desk.alice, skip=[desk.conversation.pk])
    first = batch.items.filter(state=ItemState.PENDING).order_by("pk").first()
    from calmdesk.problems.answer import _send_one

    assert _send_one(first.pk, desk.alice)  # the worker got one out so far
    assert do_undo_answers(batch, desk.alice) == 1
    assert send_queued_answers(timezone.now()) == 0  # nothing waits any more
    states = dict(batch.items.values_list("conversation_id", "state"))
    assert states[desk.conversation.pk] == ItemState.SKIPPED
    assert sorted(states.values()).count(ItemState.SKIPPED) == 3
    assert AnswerBatch.objects.get(pk=batch.pk).state == BatchState.UNDONE
