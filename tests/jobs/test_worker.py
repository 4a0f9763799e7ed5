"""``calmdesk worker`` runs the due periodic jobs in its pass (here ``--once``, in this
process, on the test database)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from calmdesk.jobs.models import PeriodicJob
from calmdesk.jobs.registry import Job, register, unregister
from calmdesk.mail import bootstrap
from calmdesk.mail.worker import cmd_worker


@pytest.fixture
def in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django is set up and the test database migrated already."""
    monkeypatch.setattr(bootstrap, "setup_django", lambda: None)
    monkeypatch.setattr(bootstrap, "ensure_migrated", lambda: None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_this_process")
def test_a_worker_pass_runs_the_due_jobs() -> None:
    ran: list[datetime] = []
    register(Job("test.worker", timedelta(hours=1), ran.append))
    try:
        assert cmd_worker(["--once", "--no-outbox", "--no-imap", "--no-tasks"]) == 0
        assert len(ran) == 1
        assert cmd_worker(["--once", "--no-outbox", "--no-imap", "--no-tasks"]) == 0
        assert len(ran) == 1  # not due again for an hour
        assert cmd_worker(["--once", "--no-outbox", "--no-imap", "--no-tasks", "--no-jobs"]) == 0
        assert PeriodicJob.objects.get(name="test.worker").runs == 1
    finally:
        unregister("test.worker")
