"""Periodic jobs: one table of recurring work (snooze wake-ups, rollups, webhook
retries, tracker polling…) that ``calmdesk worker`` runs. Each due job is claimed by one
conditional UPDATE, so however many workers run, a job runs once per turn; a job whose
worker died is taken over when its lease runs out. One-off work goes to the task API
instead (django-tasks). Part of the help-desk core: it imports no other calmdesk app."""
