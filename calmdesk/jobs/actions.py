"""Every write to the periodic-job table: the registry copied in, a due job claimed by
one conditional UPDATE (STYLE.md #5), run, and rescheduled. ``calmdesk worker`` calls
``do_run_due_jobs`` in a loop; any number of workers may do so at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from calmdesk.jobs.models import PeriodicJob
from calmdesk.jobs.registry import DEFAULT_LEASE, job_named, registered

log = logging.getLogger(__name__)

# Due jobs looked at per claim, and run per pass of the worker loop.
BATCH = 20


def do_sync_jobs(now: datetime) -> None:
    """A row for every registered job, due at once when new; a changed interval is
    taken over. Two workers may do this at the same time: a row is made only once."""
    jobs = registered()
    PeriodicJob.objects.bulk_create(
        [
            PeriodicJob(name=job.name, every_seconds=_seconds(job.every), next_run_at=now)
            for job in jobs
        ],
        ignore_conflicts=True,
    )
    for job in jobs:
        PeriodicJob.objects.filter(name=job.name).exclude(every_seconds=_seconds(job.every)).update(
            every_seconds=_seconds(job.every)
        )


def _seconds(every: timedelta) -> int:
    return max(1, round(every.total_seconds()))


def _free(now: datetime) -> Q:
    """Nobody holds it, or its holder's lease is over (the holder is presumed dead)."""
    return Q(lease_until__isnull=True) | Q(lease_until__lte=now)


def due_jobs(now: datetime, limit: int = BATCH) -> list[PeriodicJob]:
    """Candidates only: a job in this list may be claimed by another worker first."""
    names = [job.name for job in registered()]
    return list(
        PeriodicJob.objects.filter(_free(now), next_run_at__lte=now, name__in=names).order_by(
            "next_run_at", "id"
        )[:limit]
    )


def do_claim_job(row: PeriodicJob, worker: str, now: datetime) -> bool:
    """Claim ``row`` for ``worker`` until its lease ends. One conditional UPDATE: of any
    number of workers trying at once, exactly one finds it free and due."""
    job = job_named(row.name)
    lease_until = now + (job.lease if job is not None else DEFAULT_LEASE)
    claimed = PeriodicJob.objects.filter(_free(now), pk=row.pk, next_run_at__lte=now).update(
        claimed_by=worker, lease_until=lease_until, last_started_at=now
    )
    if claimed != 1:
        return False
    row.claimed_by, row.lease_until, row.last_started_at = worker, lease_until, now
    return True


def do_claim_due_job(worker: str, now: datetime) -> PeriodicJob | None:
    for row in due_jobs(now):
        if do_claim_job(row, worker, now):
            return row
    return None


def next_run(scheduled: datetime, every: timedelta, now: datetime) -> datetime:
    """The turn after ``scheduled``; turns missed while no worker ran are not caught up."""
    following = scheduled + every
    return following if following > now else now + every


def do_finish_job(row: PeriodicJob, worker: str, now: datetime, *, error: str = "") -> bool:
    """Release a job ``worker`` ran and schedule its next turn. False if the claim was
    lost meanwhile (the lease ran out and another worker took the job over; that worker
    reschedules it)."""
    changes: dict[str, object] = {
        "claimed_by": "",
        "lease_until": None,
        "last_finished_at": now,
        "next_run_at": next_run(row.next_run_at, timedelta(seconds=row.every_seconds), now),
        "runs": F("runs") + 1,
        "last_error": error[:2000],
    }
    if error:
        changes["failures"] = F("failures") + 1
    finished = PeriodicJob.objects.filter(
        pk=row.pk, claimed_by=worker, lease_until=row.lease_until
    ).update(**changes)
    return finished == 1


def do_run_due_jobs(
    worker: str,
    clock: Callable[[], datetime] = timezone.now,
    limit: int = BATCH,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Run every job that is due, each by one worker only. Returns how many ran here.
    A job that raises is logged, its error kept on its row, and it runs again next turn.
    ``stop`` is asked before each claim: a stopping worker takes no further job."""
    do_sync_jobs(clock())
    ran = 0
    while ran < limit and not stop():
        now = clock()
        row = do_claim_due_job(worker, now)
        if row is None:
            break
        job = job_named(row.name)
        error = ""
        try:
            if job is not None:
                job.run(now)
        except Exception as exc:
            log.exception("periodic job %s failed", row.name)
            error = f"{type(exc).__name__}: {exc}"
        if not do_finish_job(row, worker, clock(), error=error):
            log.warning("periodic job %s outran its lease; another worker took it over", row.name)
        ran += 1
    return ran
