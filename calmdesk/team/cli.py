"""``calmdesk rollup --since DATE``: rebuild the report rollups from that day (UTC) to
now, with a progress bar, and count again the kept emotional load of every conversation
a customer wrote in meanwhile. Safe to run at any time and as often as wanted: each hour is
rebuilt whole from the messages, events and ratings, so nothing counts twice. Run it
after an import of history or a restore; the worker keeps the recent hours itself."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD)") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_rollup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk rollup", description=__doc__)
    parser.add_argument("--since", type=_moment, required=True, help="YYYY-MM-DD (UTC)")
    parser.add_argument("--until", type=_moment, help="YYYY-MM-DD (UTC); default: now")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()
    from django.utils import timezone
    from tqdm import tqdm

    from calmdesk.team.kept_load import do_rebuild_loads
    from calmdesk.team.rollups import do_rebuild_rollups

    until = args.until or timezone.now()
    if until <= args.since:
        parser.error("--until must come after --since")
    with tqdm(unit="h", desc="rollups", disable=args.quiet or None) as bar:
        rows = do_rebuild_rollups(args.since, until, progress=_follow(bar))
    print(f"rollups rebuilt from {args.since:%Y-%m-%d %H:%M} UTC: {rows} rows")
    with tqdm(unit="conversation", desc="emotional load", disable=args.quiet or None) as bar:
        rows = do_rebuild_loads(args.since, until, progress=_follow(bar))
    print(f"emotional load counted again from {args.since:%Y-%m-%d %H:%M} UTC: {rows} rows")
    return 0


def _follow(bar: Any) -> Callable[[int, int], None]:
    """A progress callback (done, total) that moves the bar."""

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return progress
