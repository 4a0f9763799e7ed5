"""``calmdesk reanalyze``: re-read stored customer messages after an engine upgrade.

It works in batches over messages whose reading is missing or from another engine
version, each batch one transaction, so an interrupted run resumes where it stopped."""

from __future__ import annotations

import argparse
import os


def reanalyze(*, batch: int = 500, everything: bool = False, progress: bool = True) -> int:
    """Read every customer message without a current reading; returns how many."""
    from django.db.models import Q
    from tqdm import tqdm

    from calmdesk.desk.models import Message, MessageKind
    from calmdesk.empathy.actions import do_read_many
    from calmdesk.engine import ENGINE_VERSION

    todo = Message.objects.filter(kind=MessageKind.CUSTOMER)
    if not everything:
        todo = todo.filter(Q(reading__isnull=True) | ~Q(reading__engine_version=ENGINE_VERSION))
    done = 0
    last_id = 0
    with tqdm(total=todo.count(), unit="msg", desc="reading", disable=not progress) as bar:
        while True:
            chunk = list(todo.filter(id__gt=last_id).order_by("id")[:batch])
            if not chunk:
                break
            do_read_many(chunk)
            last_id = chunk[-1].id
            done += len(chunk)
            bar.update(len(chunk))
    return done


def cmd_reanalyze(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk reanalyze", description=__doc__)
    parser.add_argument("--batch", type=int, default=500, help="messages per transaction")
    parser.add_argument("--all", action="store_true", help="re-read even current readings")
    args = parser.parse_args(argv)
    if args.batch < 1:
        parser.error("--batch must be at least 1")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()
    from calmdesk.engine import ENGINE_VERSION

    done = reanalyze(batch=args.batch, everything=args.all, progress=None)  # type: ignore[arg-type]
    print(f"reanalyzed: {done} messages with engine {ENGINE_VERSION}")
    return 0
