"""IMAP polling. A mailbox's poll is claimed like an outbox row (one conditional
UPDATE on its settings) so two workers never poll it at once.

Messages are fetched with BODY.PEEK[], which leaves them unseen; \\Seen is set only
after the message's transaction committed. A crash in between means the next poll
fetches it again, and the ingest's fingerprint makes that a duplicate, not a copy.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient

from calmdesk.mail import secrets
from calmdesk.mail.claims import holder_is_gone
from calmdesk.mail.ingest import MailStoreUnavailable, Tally, ingest_raw
from calmdesk.mail.models import MailboxMailSettings, Security

log = logging.getLogger(__name__)

# A poll that takes longer than this is presumed dead and may be claimed again.
POLL_LEASE = timedelta(minutes=10)
FETCH_BATCH = 25
IMAP_TIMEOUT = 30


def _connect(settings: MailboxMailSettings) -> IMAPClient:
    context = ssl.create_default_context()
    client = IMAPClient(
        settings.imap_host,
        port=settings.imap_port,
        ssl=settings.imap_security == Security.TLS,
        ssl_context=context,
        timeout=IMAP_TIMEOUT,
    )
    if settings.imap_security == Security.STARTTLS:
        client.starttls(context)
    client.login(settings.imap_user, secrets.decrypt(settings.imap_password_encrypted))
    return client


def claim_poll(settings_id: int, worker: str, now: datetime) -> bool:
    rows = MailboxMailSettings.objects.filter(id=settings_id)
    free = Q(poll_claimed_until__isnull=True) | Q(poll_claimed_until__lt=now)
    if rows.filter(free).update(poll_claimed_until=now + POLL_LEASE, poll_claimed_by=worker):
        return True
    holder = rows.values_list("poll_claimed_by", flat=True).first()
    if holder and holder_is_gone(holder):
        return (
            rows.filter(poll_claimed_by=holder).update(
                poll_claimed_until=now + POLL_LEASE, poll_claimed_by=worker
            )
            == 1
        )
    return False


def due_polls(now: datetime) -> list[int]:
    return list(
        MailboxMailSettings.objects.exclude(imap_host="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .values_list("id", flat=True)
    )


def _never() -> bool:
    return False


def poll_mailbox(
    settings: MailboxMailSettings,
    pause: Callable[[str], None] = lambda step: None,
    stop: Callable[[], bool] = _never,
) -> Tally:
    """Take every unseen message of the mailbox's folder. Raises on connection errors;
    ``MailStoreUnavailable`` stops the poll with the rest left unseen, as ``stop``
    does when it says so between two messages (a stopping worker)."""
    tally = Tally()
    client = _connect(settings)
    try:
        client.select_folder(settings.imap_folder)
        uids = client.search(["UNSEEN"])
        for start in range(0, len(uids), FETCH_BATCH):
            if stop():
                break
            batch = uids[start : start + FETCH_BATCH]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                if stop():
                    return tally  # the rest stays unseen for the next poll
                data = fetched.get(uid, {})
                raw = data.get(b"BODY[]")
                if raw is None:
                    continue  # expunged meanwhile
                outcome = ingest_raw(bytes(raw), settings.mailbox, source="imap")
                tally.add(outcome)
                pause("after-commit")
                # Stored, duplicate or quarantined: accounted for either way.
                client.add_flags([uid], [b"\\Seen"])
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    return tally


def run_once(
    worker: str, pause: Callable[[str], None] = lambda step: None, stop: Callable[[], bool] = _never
) -> Tally:
    """Poll every mailbox that is due and not being polled elsewhere. A poll ``stop``
    cuts short releases its claim like any other."""
    total = Tally()
    now = timezone.now()
    for settings_id in due_polls(now):
        if stop():
            break
        if not claim_poll(settings_id, worker, now):
            continue
        settings = MailboxMailSettings.objects.select_related("mailbox").get(pk=settings_id)
        error = ""
        try:
            tally = poll_mailbox(settings, pause, stop)
            total.stored += tally.stored
            total.quarantined += tally.quarantined
            total.duplicates += tally.duplicates
            total.bounces += tally.bounces
        except MailStoreUnavailable:
            error = "database unavailable; the rest stays unseen for the next poll"
        except Exception as exc:
            # Never the exception's arguments alone: only its type and message, which
            # imaplib keeps free of the credentials it sent.
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("IMAP poll of %s failed: %s", settings.mailbox, error)
        finished = timezone.now()
        MailboxMailSettings.objects.filter(id=settings_id, poll_claimed_by=worker).update(
            poll_claimed_until=None,
            poll_claimed_by="",
            last_poll_at=finished,
            next_poll_at=finished + timedelta(seconds=settings.poll_seconds),
            last_poll_error=error,
        )
    return total
