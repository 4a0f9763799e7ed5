"""Importing history (F17) from other help desks and mail archives: resumable, idempotent,
and every record that cannot be imported listed with its reason."""
