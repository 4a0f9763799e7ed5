"""``calmdesk import SOURCE PATH_OR_URL --mailbox NAME``: history from a mail archive or
another help desk. Unlike ``calmdesk ingest`` (live mail, which may answer), an import
never answers, notifies or rates anything. It ends with a count per kind, in the source
and imported, and exits 1 when they differ (each failure is listed with its reason)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from calmdesk.importer.sources.mail import KINDS as MAIL_KINDS

if TYPE_CHECKING:
    from calmdesk.desk.models import Mailbox
    from calmdesk.importer.records import Source

API_KINDS = ("zendesk", "helpscout", "freshdesk")
EX_DATAERR = 65
INCOMPLETE = 1
# The credentials each API source reads from the environment (never from the command line,
# where other users see them in the process list).
CREDENTIALS = {
    "zendesk": ("CALMDESK_IMPORT_ZENDESK_EMAIL", "CALMDESK_IMPORT_ZENDESK_TOKEN"),
    "helpscout": ("CALMDESK_IMPORT_HELPSCOUT_APP_ID", "CALMDESK_IMPORT_HELPSCOUT_APP_SECRET"),
    "freshdesk": ("CALMDESK_IMPORT_FRESHDESK_API_KEY",),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="calmdesk import", description=__doc__)
    parser.add_argument("source", choices=[*MAIL_KINDS, *API_KINDS])
    parser.add_argument("location", help="the file or folder, or the help desk's base URL")
    parser.add_argument("--mailbox", required=True, help="mailbox slug or name")
    parser.add_argument("--dry-run", action="store_true", help="read and count, write nothing")
    parser.add_argument("--since", type=_date, help="only what changed since (YYYY-MM-DD)")
    parser.add_argument(
        "--state", type=Path, help="folder for the raw API pages (a re-run reads them again)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (YYYY-MM-DD)") from None


def _credentials(kind: str) -> tuple[str, ...] | None:
    names = CREDENTIALS[kind]
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        print(f"calmdesk import: set {', '.join(missing)} in the environment", file=sys.stderr)
        return None
    return tuple(os.environ[name] for name in names)


def _source(args: argparse.Namespace, mailbox: Mailbox) -> Source | None:
    if args.source in MAIL_KINDS:
        from calmdesk.importer.actions import Team
        from calmdesk.importer.sources.mail import MailArchive

        ours = {mailbox.email, *Team.load().by_email}
        return MailArchive(args.source, Path(args.location), ours, since=args.since)
    credentials = _credentials(args.source)
    if credentials is None:
        return None
    state = args.state or Path(f"import-state-{args.source}")
    if args.source == "zendesk":
        from calmdesk.importer.sources.zendesk import Zendesk

        return Zendesk.over_http(args.location, credentials, state, since=args.since)
    if args.source == "freshdesk":
        from calmdesk.importer.sources.freshdesk import Freshdesk

        return Freshdesk.over_http(args.location, credentials, state, since=args.since)
    from calmdesk.importer.sources.helpscout import HelpScout

    return HelpScout.over_http(args.location, credentials, state, since=args.since)


def cmd_import(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.source in MAIL_KINDS and not Path(args.location).exists():
        print(f"calmdesk import: no such file or folder: {args.location}", file=sys.stderr)
        return EX_DATAERR

    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    ensure_migrated()
    from django.db.models import Q

    from calmdesk.desk.models import Mailbox
    from calmdesk.importer.run import run_import

    mailbox = Mailbox.objects.filter(Q(slug=args.mailbox) | Q(name=args.mailbox)).first()
    if mailbox is None:
        print(f"calmdesk import: no mailbox {args.mailbox!r}", file=sys.stderr)
        return EX_DATAERR
    source = _source(args, mailbox)
    if source is None:
        return EX_DATAERR
    report = run_import(
        source,
        mailbox,
        dry_run=args.dry_run,
        progress=not args.quiet and sys.stderr.isatty(),
        out=sys.stdout,
    )
    return 0 if report.complete else INCOMPLETE
