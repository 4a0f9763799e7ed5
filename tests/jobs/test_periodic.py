"""The periodic-job table: a due job is run by one worker only, however many try at
once; a job whose worker died runs again once its lease is over; each run schedules
the next turn. Time is passed in, so nothing here depends on how fast the test runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from calmdesk.jobs.actions import (
    do_claim_due_job,
    do_claim_job,
    do_finish_job,
    do_run_due_jobs,
    do_sync_jobs,
    due_jobs,
    next_run,
)
from calmdesk.jobs.models import PeriodicJob
from calmdesk.jobs.registry import Job, register, unregister

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVERY = timedelta(minutes=5)
LEASE = timedelta(minutes=2)


@pytest.fixture
def ran() -> Iterator[list[tuple[str, datetime]]]:
    """Two registered jobs, rollup and wake; the list records each run."""
    calls: list[tuple[str, datetime]] = []

    def rollup(now: datetime) -> None:
        calls.append(("rollup", now))

    def wake(now: datetime) -> None:
        calls.append(("wake", now))

    register(Job("test.rollup", EVERY, rollup, LEASE))
    register(Job("test.wake", EVERY, wake, LEASE))
    yield calls
    unregister("test.rollup")
    unregister("test.wake")


def clock(*times: datetime):  # type: ignore[no-untyped-def]
    """Returns the given times one by one, then the last for ever."""
    left = list(times)

    def now() -> datetime:
        return left.pop(0) if len(left) > 1 else left[0]

    return now


def test_a_new_job_is_due_at_once_and_runs_every_turn(db, ran) -> None:  # type: ignore[no-untyped-def]
    assert do_run_due_jobs("w1", clock(T0)) == 2
    assert sorted(ran) == [("rollup", T0), ("wake", T0)]
    assert do_run_due_jobs("w1", clock(T0 + EVERY - timedelta(seconds=1))) == 0
    assert do_run_due_jobs("w1", clock(T0 + EVERY)) == 2
    rollup = PeriodicJob.objects.get(name="test.rollup")
    assert (rollup.runs, rollup.next_run_at, rollup.claimed_by) == (2, T0 + 2 * EVERY, "")


def test_two_claimers_reading_the_same_candidates_never_both_win(db, ran) -> None:  # type: ignore[no-untyped-def]
    do_sync_jobs(T0)
    seen_by_one, seen_by_two = due_jobs(T0), due_jobs(T0)
    assert len(seen_by_one) == len(seen_by_two) == 2
    wins = [do_claim_job(row, "w1", T0) for row in seen_by_one]
    wins += [do_claim_job(row, "w2", T0 + timedelta(seconds=1)) for row in seen_by_two]
    assert wins == [True, True, False, False]
    assert set(PeriodicJob.objects.values_list("claimed_by", flat=True)) == {"w1"}


def test_a_finished_job_is_not_claimed_again_from_a_stale_read(db, ran) -> None:  # type: ignore[no-untyped-def]
    do_sync_jobs(T0)
    stale = due_jobs(T0)
    row = do_claim_due_job("w1", T0)
    assert row is not None and do_finish_job(row, "w1", T0 + timedelta(seconds=3))
    assert not do_claim_job(next(r for r in stale if r.pk == row.pk), "w2", T0)


def test_a_crashed_job_runs_again_after_its_lease(db, ran) -> None:  # type: ignore[no-untyped-def]
    do_sync_jobs(T0)
    crashed = do_claim_due_job("w-dead", T0)  # its worker is killed: never finished
    assert crashed is not None
    during = T0 + LEASE - timedelta(seconds=1)
    assert do_claim_due_job("w2", during) is not None  # the other job only
    assert do_claim_due_job("w2", during) is None
    retry = do_claim_due_job("w3", T0 + LEASE)
    assert retry is not None and retry.name == crashed.name
    # The dead worker, should it come back, cannot release what it no longer holds.
    assert not do_finish_job(crashed, "w-dead", T0 + LEASE)
    assert do_finish_job(retry, "w3", T0 + LEASE)
    assert PeriodicJob.objects.get(pk=retry.pk).next_run_at == T0 + EVERY


def test_a_failing_job_keeps_its_error_and_runs_next_turn(db) -> None:  # type: ignore[no-untyped-def]
    def broken(now: datetime) -> None:
        raise RuntimeError("tracker unreachable")

    register(Job("test.broken", EVERY, broken, LEASE))
    try:
        assert do_run_due_jobs("w1", clock(T0)) == 1
        row = PeriodicJob.objects.get(name="test.broken")
        assert (row.failures, row.last_error) == (1, "RuntimeError: tracker unreachable")
        assert (row.claimed_by, row.next_run_at) == ("", T0 + EVERY)
    finally:
        unregister("test.broken")


def test_a_job_no_longer_registered_is_left_alone(db, ran) -> None:  # type: ignore[no-untyped-def]
    PeriodicJob.objects.create(name="test.gone", every_seconds=60, next_run_at=T0)
    assert do_run_due_jobs("w1", clock(T0)) == 2
    assert PeriodicJob.objects.get(name="test.gone").runs == 0


@pytest.mark.parametrize(
    "scheduled,now,expected",
    [
        (T0, T0, T0 + EVERY),  # on time
        (T0, T0 + timedelta(minutes=1), T0 + EVERY),  # a little late: the turn stays
        (T0, T0 + 3 * EVERY, T0 + 4 * EVERY),  # missed turns are not caught up
    ],
)
def test_the_next_turn(scheduled, now, expected) -> None:  # type: ignore[no-untyped-def]
    assert next_run(scheduled, EVERY, now) == expected


@pytest.mark.django_db(transaction=True)
def test_many_workers_at_once_run_each_job_once(ran) -> None:  # type: ignore[no-untyped-def]
    """Real concurrency: eight threads, each its own database connection, claim the same
    twenty due jobs. Each job is claimed exactly once."""
    for n in range(18):
        register(Job(f"test.many.{n}", EVERY, ran.append, LEASE))
    try:
        do_sync_jobs(T0)
        claims: list[tuple[str, str]] = []
        start = threading.Barrier(8, timeout=60)  # a thread that failed to start ends the wait

        def claimer(worker: str) -> None:
            start.wait()
            try:
                while True:
                    try:
                        row = do_claim_due_job(worker, T0)
                    except OperationalError:  # SQLite's shared test database: busy, retry
                        continue
                    if row is None:
                        return
                    claims.append((row.name, worker))
            finally:
                connection.close()  # this thread's own connection

        threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        names = [name for name, _worker in claims]
        assert sorted(names) == sorted(set(names)) and len(names) == 20
    finally:
        for n in range(18):
            unregister(f"test.many.{n}")


def test_an_admin_sees_the_jobs_and_cannot_change_them(admin_client, ran) -> None:  # type: ignore[no-untyped-def]
    do_sync_jobs(T0)
    page = admin_client.get(reverse("admin:jobs_periodicjob_changelist"))
    assert page.status_code == 200 and "test.rollup" in page.content.decode()
    assert admin_client.get(reverse("admin:jobs_periodicjob_add")).status_code == 403
