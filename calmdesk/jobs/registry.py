"""Which functions are periodic jobs. An app registers its jobs when it is ready:

    @periodic("snooze.wake", every=timedelta(minutes=1))
    def wake_snoozed(now: datetime) -> None: ...

A job takes the time of its run (so tests pass a clock) and must be safe to run again:
a worker that dies mid-run leaves it to be run again once its lease is over."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

JobFunction = Callable[[datetime], object]

# Longer than any run should take; a run still going then is presumed dead.
DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFunction
    lease: timedelta = DEFAULT_LEASE


_JOBS: dict[str, Job] = {}

Pause = Callable[[str], None]


def _no_pause(_step: str) -> None:
    return None


# Crash tests stop a job at a named step and SIGKILL the worker there (``calmdesk worker
# --pause-at``). The worker sets the hook in its jobs thread's context, so a job function
# keeps its one argument; outside those tests it does nothing.
JOB_PAUSE: ContextVar[Pause] = ContextVar("job_pause", default=_no_pause)


def register(job: Job) -> Job:
    if job.every <= timedelta(0) or job.lease <= timedelta(0):
        raise ValueError(f"job {job.name!r}: its interval and lease must be positive")
    known = _JOBS.get(job.name)
    if known is not None and known.run is not job.run:
        raise ValueError(f"two jobs are named {job.name!r}")
    _JOBS[job.name] = job
    return job


def periodic(
    name: str, *, every: timedelta, lease: timedelta = DEFAULT_LEASE
) -> Callable[[JobFunction], JobFunction]:
    def decorate(run: JobFunction) -> JobFunction:
        register(Job(name, every, run, lease))
        return run

    return decorate


def unregister(name: str) -> None:
    _JOBS.pop(name, None)


def job_named(name: str) -> Job | None:
    return _JOBS.get(name)


def registered() -> list[Job]:
    return sorted(_JOBS.values(), key=_name_of)


def _name_of(job: Job) -> str:
    return job.name
