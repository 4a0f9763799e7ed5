"""``calmdesk ingest``: raw mail from an MTA pipe (stdin) or from files, folders and mbox
files. Ends with one line, ``ingested: N stored, M quarantined, K duplicates``."""

from __future__ import annotations

import argparse
import mailbox as mbox_lib
import sys
from collections.abc import Iterator
from pathlib import Path

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later
EX_DATAERR = 65
EX_IOERR = 74  # some input could not be read: not every input is accounted for
MBOX_SUFFIXES = {".mbox", ".mbx"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="calmdesk ingest", description=__doc__)
    parser.add_argument("paths", nargs="*", help="files, folders (recursively) or mbox files")
    parser.add_argument("--mailbox", help="mailbox slug or name (default: the default mailbox)")
    parser.add_argument(
        "--retry", action="store_true", help="parse and store the quarantined mail again"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    # Where the crash tests stop it (STEP:MARKER, STEP#N:MARKER for the Nth time).
    parser.add_argument("--pause-at", default="", help=argparse.SUPPRESS)
    return parser


def _without_envelope(raw: bytes) -> bytes:
    # A single message saved from an mbox starts with the "From sender date" line,
    # which is not a header and would end the header block for the parser.
    if raw.startswith(b"From "):
        return raw.partition(b"\n")[2]
    return raw


def iter_messages(
    paths: list[Path], unreadable: list[str] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) of every message: each regular file in a folder is one
    message, an mbox file (by its suffix) many. A file that cannot be read has no bytes
    to quarantine: it is named in ``unreadable`` and the walk goes on."""
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                if file.suffix.lower() in MBOX_SUFFIXES:
                    box = mbox_lib.mbox(file, create=False)
                    try:
                        for key in box.iterkeys():
                            yield f"{file}#{key}", box.get_bytes(key)
                    finally:
                        box.close()
                else:
                    yield str(file), _without_envelope(file.read_bytes())
            except OSError as exc:
                if unreadable is None:
                    raise
                unreadable.append(f"{file}: {exc.strerror or exc}")


def _count(paths: list[Path]) -> int | None:
    try:
        return sum(
            sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 1 for path in paths
        )
    except OSError:
        return None


def cmd_ingest(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"calmdesk ingest: no such file: {', '.join(missing)}", file=sys.stderr)
        return EX_DATAERR

    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    from django.db import InterfaceError, OperationalError

    from calmdesk.desk.models import Mailbox
    from calmdesk.mail.ingest import (
        MailStoreUnavailable,
        Tally,
        default_mailbox,
        ingest_groups,
        ingest_raw,
        retry_quarantine,
    )
    from calmdesk.mail.worker import pause_hook

    try:
        ensure_migrated()
        if args.mailbox:
            target = (
                Mailbox.objects.filter(slug=args.mailbox).first()
                or Mailbox.objects.filter(name=args.mailbox).first()
            )
            if target is None:
                print(f"calmdesk ingest: no mailbox {args.mailbox!r}", file=sys.stderr)
                return EX_DATAERR
        else:
            target = default_mailbox()
        if args.retry:
            tally = retry_quarantine()
        elif not paths:
            tally = Tally()
            tally.add(ingest_raw(sys.stdin.buffer.read(), target, source="pipe"))
        else:
            from tqdm import tqdm

            tally = Tally()
            unreadable: list[str] = []
            quiet = args.quiet or not sys.stderr.isatty()
            raws = (raw for _label, raw in iter_messages(paths, unreadable))
            pause = pause_hook(args.pause_at)
            with tqdm(total=_count(paths), unit="msg", disable=quiet, file=sys.stderr) as bar:
                # A group is counted only once it has committed (ingest_groups).
                for outcomes in ingest_groups(raws, target, source="file", pause=pause):
                    for outcome in outcomes:
                        tally.add(outcome)
                    bar.update(len(outcomes))
    except (MailStoreUnavailable, OperationalError, InterfaceError) as exc:
        # The message text of a driver error can name the host; never credentials.
        print(f"calmdesk ingest: database unavailable ({type(exc).__name__})", file=sys.stderr)
        return EX_TEMPFAIL
    except OSError as exc:
        print(f"calmdesk ingest: cannot keep the raw mail: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    print(tally.line())
    if not args.retry and paths and unreadable:
        for problem in unreadable:
            print(f"calmdesk ingest: unreadable, not ingested: {problem}", file=sys.stderr)
        return EX_IOERR
    sys.stdout.flush()
    return 0
