"""Outbound HTTP: the one client every integration uses (issue trackers, webhooks, API
importers), with timeouts, retries that honour Retry-After, and private addresses refused."""
