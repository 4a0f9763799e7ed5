"""``calmdesk doctor``: integrity checks over the database and the stored files.

Each check has a code (``DR01`` …), finds the rows or files at fault and, where a
repair cannot lose anything, repairs them under ``--fix``. The report names each
fault with a few examples; the exit status is 1 when anything is wrong after the
repairs, so a cron job or a restore test can rely on it."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.core.files.storage import Storage
from django.db.models import Q
from django.utils import timezone

# Files younger than this may belong to an ingest or an upload that has not committed
# yet: no row naming one is no fault until it is older.
FILE_GRACE = timedelta(hours=1)
# How many examples of one fault the report prints.
SHOWN = 10


@dataclass
class Context:
    now: datetime
    _files: dict[str, dict[str, datetime | None]] = field(default_factory=dict)

    def files(self, kind: str) -> dict[str, datetime | None]:
        """Every file of ``kind`` ("raw" or "attachments"): name -> modified time."""
        if kind not in self._files:
            where, top = _storage_of(kind)
            self._files[kind] = {name: _modified(where, name) for name in walk(where, top)}
        return self._files[kind]

    def settled_files(self, kind: str) -> list[str]:
        """Files older than FILE_GRACE (a younger one may belong to an ingest or upload
        about to commit its row), and files whose age the storage cannot say."""
        return [
            name
            for name, modified in self.files(kind).items()
            if modified is None or modified < self.now - FILE_GRACE
        ]


def _storage_of(kind: str) -> tuple[Storage, str]:
    from calmdesk.desk.models import Attachment
    from calmdesk.mail import rawstore

    if kind == "raw":
        return rawstore.storage(), ""
    return Attachment._meta.get_field("file").storage, "attachments"


def walk(where: Storage, top: str) -> Iterator[str]:
    """Every file name under ``top`` in a storage, through the storage API only."""
    try:
        folders, files = where.listdir(top)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{top}/{name}" if top else name
    for folder in folders:
        yield from walk(where, f"{top}/{folder}" if top else folder)


def _modified(where: Storage, name: str) -> datetime | None:
    try:
        return where.get_modified_time(name)
    except (NotImplementedError, OSError):
        return None


# -- the checks: each returns the faults it finds, as short strings ----------------------


def dangling_references(ctx: Context) -> list[str]:
    """Rows that point at a row that does not exist (a foreign key checked late, or a
    database copied without its constraints)."""
    found: list[str] = []
    for model in apps.get_models(include_auto_created=True):
        for fk in model._meta.concrete_fields:
            parent = fk.related_model
            if not fk.is_relation or parent is None or isinstance(parent, str):
                continue
            target = fk.target_field.attname  # type: ignore[attr-defined]
            bad = (
                model._default_manager.filter(**{f"{fk.attname}__isnull": False})
                .exclude(**{f"{fk.attname}__in": parent._default_manager.values(target)})
                .values_list("pk", flat=True)
            )
            found += [f"{model._meta.label} {pk}: {fk.name} missing" for pk in bad[:SHOWN]]
    return found


def empty_conversations(ctx: Context) -> list[str]:
    from calmdesk.desk.models import Conversation

    # A merged conversation's messages moved into the one it was merged into.
    rows = Conversation.objects.filter(
        messages__isnull=True, customer__erased_at__isnull=True, merged_into__isnull=True
    )
    return [f"conversation {pk}" for pk in rows.values_list("pk", flat=True).distinct()]


def raw_mail_missing(ctx: Context) -> list[str]:
    from calmdesk.mail.models import Bounce, InboundMail, Quarantine

    # Rows first, files after: a message stored meanwhile wrote its file before its row.
    rows = [
        (f"message {m}", path)
        for m, path in InboundMail.objects.values_list("message_id", "raw_path")
    ]
    rows += [
        (f"quarantine {pk}", path) for pk, path in Quarantine.objects.values_list("pk", "raw_path")
    ]
    rows += [(f"bounce {pk}", path) for pk, path in Bounce.objects.values_list("pk", "raw_path")]
    have = ctx.files("raw")
    return [f"{what}: {path}" for what, path in rows if path not in have]


def raw_mail_unreferenced(ctx: Context) -> list[str]:
    from calmdesk.mail.models import Bounce, InboundMail, Quarantine

    files = ctx.settled_files("raw")  # files first: a row committed meanwhile is seen
    named = set(InboundMail.objects.values_list("raw_path", flat=True))
    named |= set(Quarantine.objects.values_list("raw_path", flat=True))
    named |= set(Bounce.objects.values_list("raw_path", flat=True))
    return sorted(name for name in files if name not in named)


def attachments_missing(ctx: Context) -> list[str]:
    from calmdesk.desk.models import Attachment

    rows = list(Attachment.objects.values_list("pk", "message_id", "file"))  # rows first
    have = ctx.files("attachments")
    return [
        f"attachment {pk} of message {message_id}: {name}"
        for pk, message_id, name in rows
        if name not in have
    ]


def attachments_unreferenced(ctx: Context) -> list[str]:
    from calmdesk.desk.models import Attachment

    files = ctx.settled_files("attachments")
    named = set(Attachment.objects.values_list("file", flat=True))
    return sorted(name for name in files if name not in named)


def counters_differ(ctx: Context) -> list[str]:
    from itertools import groupby

    from calmdesk.desk.actions import Counters, counters_of, kept_counters_differ
    from calmdesk.desk.models import Conversation, Message

    # Both read in conversation order and walked side by side: one conversation's
    # messages in memory at a time, however large the desk.
    messages = groupby(
        Message.objects.order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "kind", "created_at")
        .iterator(chunk_size=5000),
        key=lambda row: row[0],
    )
    pending = next(messages, None)
    fields = ("pk", "message_count", "customer_message_count", "waiting_since", "last_message_at")
    found = []
    for pk, *kept in Conversation.objects.order_by("pk").values_list(*fields).iterator(5000):
        while pending is not None and pending[0] < pk:
            pending = next(messages, None)  # messages of a missing conversation: DR01's
        rows: list[tuple[str, datetime]] = []
        if pending is not None and pending[0] == pk:
            rows = [(kind, when) for _id, kind, when in pending[1]]
            pending = next(messages, None)
        if kept_counters_differ(Counters(*kept), counters_of(rows)):
            found.append(f"conversation {pk}")
    return found


def folder_counts_differ(ctx: Context) -> list[str]:
    from calmdesk.desk.actions import counted_folders
    from calmdesk.desk.models import FolderCount

    want = counted_folders()  # a snoozed active conversation counts in its own folder
    kept = {
        (mailbox_id, status, assignee): count
        for mailbox_id, status, assignee, count in FolderCount.objects.exclude(count=0).values_list(
            "mailbox_id", "status", "assignee_key", "count"
        )
    }
    return [
        f"mailbox {key[0]} {key[1]} assignee {key[2]}: kept {kept.get(key, 0)}, "
        f"counted {want.get(key, 0)}"
        for key in sorted(set(want) | set(kept))
        if want.get(key, 0) != kept.get(key, 0)
    ]


def outbox_stuck(ctx: Context) -> list[str]:
    from calmdesk.mail.models import Outbox, OutboxState
    from calmdesk.mail.outbox import _claim_is_dead

    rows = Outbox.objects.filter(state=OutboxState.SENDING)
    return [
        f"outbox {pk} (message {message_id}) held by {holder or '?'}"
        for pk, message_id, holder, claimed_at in rows.values_list(
            "pk", "message_id", "claimed_by", "claimed_at"
        )
        if _claim_is_dead(holder, claimed_at, ctx.now)
    ]


def readings_outdated(ctx: Context) -> list[str]:
    from calmdesk.desk.models import Message, MessageKind
    from calmdesk.engine.version import ENGINE_VERSION

    rows = Message.objects.filter(kind=MessageKind.CUSTOMER).filter(
        Q(reading__isnull=True) | ~Q(reading__engine_version=ENGINE_VERSION)
    )
    return [
        f"message {pk}: {version or 'no reading'}"
        for pk, version in rows.values_list("pk", "reading__engine_version")
    ]


def quarantine_unreviewed(ctx: Context) -> list[str]:
    from calmdesk.mail.models import Quarantine

    rows = Quarantine.objects.filter(resolved_message__isnull=True).order_by("created_at")
    return [
        f"quarantine {pk} ({cause}, {when:%Y-%m-%d})"
        for pk, cause, when in rows.values_list("pk", "cause", "created_at")
    ]


# -- the safe repairs: each returns how many it repaired -------------------------------


def _delete_old_files(kind: str) -> Callable[[Context, list[str]], int]:
    """A file no row names is a leftover: of an ingest that died before its commit (the
    mail source delivers it again), of a rolled-back upload, or of an erasure whose
    deletes did not finish. Deleting it loses nothing (only settled files are found)."""

    def repair(ctx: Context, names: list[str]) -> int:
        where, _top = _storage_of(kind)
        for name in names:
            where.delete(name)
        return len(names)

    return repair


def _recount(ctx: Context, found: list[str]) -> int:
    from calmdesk.desk.actions import recount_conversation

    for item in found:
        recount_conversation(int(item.split()[-1]))
    return len(found)


def _recount_folders(ctx: Context, found: list[str]) -> int:
    from calmdesk.desk.actions import recount_folders

    recount_folders()
    return len(found)


def _recover_outbox(ctx: Context, found: list[str]) -> int:
    from calmdesk.mail.outbox import recover

    # Back in the queue, or failed when two attempts ended unanswered (never a double).
    recover(ctx.now)
    return len(found)


def _reread(ctx: Context, found: list[str]) -> int:
    from calmdesk.empathy.reanalyze import reanalyze

    return reanalyze(progress=False)


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    what: str
    find: Callable[[Context], list[str]]
    repair: Callable[[Context, list[str]], int] | None = None


CHECKS: tuple[Check, ...] = (
    Check("DR01", "dangling-reference", "rows pointing at a missing row", dangling_references),
    Check("DR02", "empty-conversation", "conversations without messages", empty_conversations),
    Check("DR03", "raw-mail-missing", "received mail whose raw bytes are gone", raw_mail_missing),
    Check(
        "DR04",
        "raw-mail-unreferenced",
        "raw mail files no row names",
        raw_mail_unreferenced,
        _delete_old_files("raw"),
    ),
    Check("DR05", "attachment-missing", "attachments whose file is gone", attachments_missing),
    Check(
        "DR06",
        "attachment-unreferenced",
        "attachment files no row names",
        attachments_unreferenced,
        _delete_old_files("attachments"),
    ),
    Check(
        "DR07",
        "counters-differ",
        "conversation counters that disagree with their messages",
        counters_differ,
        _recount,
    ),
    Check(
        "DR08",
        "folder-counts-differ",
        "inbox folder counts that disagree with the conversations",
        folder_counts_differ,
        _recount_folders,
    ),
    Check(
        "DR09",
        "outbox-stuck",
        "replies held in sending by a worker that is gone",
        outbox_stuck,
        _recover_outbox,
    ),
    Check(
        "DR10",
        "reading-outdated",
        "customer messages without a reading of the current engine",
        readings_outdated,
        _reread,
    ),
    Check(
        "DR11", "quarantine-unreviewed", "quarantined mail not yet resolved", quarantine_unreviewed
    ),
)


@dataclass
class Result:
    check: Check
    found: list[str]
    repaired: int = 0
    left: list[str] = field(default_factory=list)


def examine(*, fix: bool = False, now: datetime | None = None) -> list[Result]:
    """Run every check (and, with ``fix``, its safe repair, then the check again)."""
    results = []
    ctx = Context(now=now or timezone.now())
    for check in CHECKS:
        found = check.find(ctx)
        result = Result(check, found, left=found)
        if fix and found and check.repair is not None:
            result.repaired = check.repair(ctx, found)
            result.left = check.find(Context(now=ctx.now))
        results.append(result)
    return results


def report(results: list[Result]) -> list[str]:
    lines = []
    for result in results:
        check = result.check
        if not result.found:
            lines.append(f"ok    {check.code} {check.name}")
            continue
        state = "FIXED" if not result.left else "FAULT"
        repaired = f", {result.repaired} repaired" if result.repaired else ""
        lines.append(
            f"{state} {check.code} {check.name}: {len(result.found)} {check.what}{repaired}"
        )
        lines += [f"        {item}" for item in result.left[:SHOWN]]
        if len(result.left) > SHOWN:
            lines.append(f"        … and {len(result.left) - SHOWN} more")
    return lines


def cmd_doctor(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk doctor", description=__doc__)
    parser.add_argument("--fix", action="store_true", help="make the safe repairs")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()
    results = examine(fix=args.fix)
    print("\n".join(report(results)))
    faults = [r for r in results if r.left]
    print(f"doctor: {len(faults)} fault(s)" if faults else "doctor: no faults")
    return 1 if faults else 0
