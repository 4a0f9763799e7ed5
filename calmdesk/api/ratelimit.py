"""The per-token rate limit, counted in memory and written to the token's row now and
then, so a request costs no write most of the time.

Each web process counts a token's requests in the current minute itself and adds them to
the token's row (``window_start``, ``window_count``, one UPDATE that starts the next
window or adds to this one) when it first sees the token in a minute, every
``FLUSH_SECONDS`` after that, and whenever its estimate (the row's count at its last
write plus its own requests since) reaches the limit: the answer near the limit is the
database's, so processes agree there. Between two writes each process may let through
its own unwritten requests, at most ``FLUSH_SECONDS`` worth, past a limit another process
has used up. Once a window is known to be over, it stays refused without a query until
the minute ends. ``last_used_at`` is moved by the same write, so it may be that many
seconds behind."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, F, Value, When

from calmdesk.api.models import ApiToken

WINDOW = timedelta(minutes=1)
# How long a process keeps a token's count to itself before adding it to the row.
FLUSH_SECONDS = 5.0


def window_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


@dataclass
class _Window:
    start: datetime
    counted: int = 0  # the row's count at this process's last write (every process's)
    pending: int = 0  # this process's requests since that write
    written_at: datetime | None = None


class RateCounter:
    """One per process (``COUNTER``); tests make their own to play two processes."""

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def count(self, token: ApiToken, limit: int, now: datetime) -> int:
        """Count one request and return the seconds to wait before the next is allowed:
        0 when this one is within ``limit``."""
        start = window_of(now)
        with self._lock:
            window = self._windows.get(token.digest)
            if window is None or window.start != start:
                if window is not None or len(self._windows) > 1000:
                    # A new minute: the windows of the last one are over.
                    self._windows = {k: w for k, w in self._windows.items() if w.start == start}
                window = self._windows[token.digest] = _Window(start)
            window.pending += 1
            known_over = window.counted > limit
            due = (
                window.written_at is None
                or (now - window.written_at).total_seconds() >= FLUSH_SECONDS
                or window.counted + window.pending >= limit
            )
            adding = 0
            if due and not known_over:
                adding, window.pending = window.pending, 0
                window.written_at = now
        if adding:
            counted = _write(token, start, adding, now)
            with self._lock:
                window.counted = max(window.counted, counted)
        if window.counted + window.pending <= limit:
            return 0
        return max(1, int((start + WINDOW - now).total_seconds() + 0.999))


def _write(token: ApiToken, start: datetime, adding: int, now: datetime) -> int:
    """Add ``adding`` requests to the row's window (or start it) and read the total."""
    ApiToken.objects.filter(pk=token.pk).update(
        window_count=Case(
            When(window_start=start, then=F("window_count") + adding), default=Value(adding)
        ),
        window_start=start,
        last_used_at=now,
    )
    return ApiToken.objects.values_list("window_count", flat=True).get(pk=token.pk)


COUNTER = RateCounter()
