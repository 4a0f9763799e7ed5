"""One-off mail jobs for the task framework (run by the DB worker inside ``calmdesk
worker``). The loops that must never stop (outbox, IMAP) are not tasks: the framework
has no schedules and no cancel."""

from __future__ import annotations

from django_tasks import task

from calmdesk.mail.ingest import retry_quarantine


@task()
def retry_quarantined(ids: list[int]) -> str:
    return retry_quarantine(ids).line()
