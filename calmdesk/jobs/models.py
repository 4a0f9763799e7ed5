from __future__ import annotations

from django.db import models


class PeriodicJob(models.Model):
    """The schedule and the claim of one registered job (``calmdesk.jobs.registry``).
    Free when ``lease_until`` is empty or past; due when ``next_run_at`` has come."""

    name = models.CharField(max_length=100, unique=True)
    every_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["next_run_at"], name="job_due")]

    def __str__(self) -> str:
        return self.name
