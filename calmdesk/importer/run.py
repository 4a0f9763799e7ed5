"""Running an import: each stream of a source read in order, written in batches through
the bulk import action, its position saved with every batch (so a killed import resumes
where it stopped), a failing record retried alone and listed with its reason, and a
final report comparing what the source held with what the desk now has, per kind."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from calmdesk.desk.models import Mailbox
from calmdesk.importer.actions import Team, Writer, save_checkpoint
from calmdesk.importer.keys import RECENT_KEYS, SeenKeys
from calmdesk.importer.models import ImportCheckpoint, ImportFailure, ImportRecord, RecordKind
from calmdesk.importer.records import ImportConversation, ImportCustomer, Source, Stream

log = logging.getLogger(__name__)

# A batch is written in one transaction: bigger batches pay fewer statements and commits
# per message, and hold more in memory. It closes at whichever limit comes first.
BATCH = 500  # items (a customer, or a conversation with its messages)
BATCH_MESSAGES = 2000
BATCH_BYTES = 32 * 1024 * 1024  # attachment bytes, held until the batch is written
KINDS = (RecordKind.CUSTOMER, RecordKind.CONVERSATION, RecordKind.MESSAGE, RecordKind.ATTACHMENT)
Item = ImportCustomer | ImportConversation


@dataclass
class Failure:
    kind: str
    external_id: str
    reason: str


@dataclass
class Report:
    source: str
    dry_run: bool = False
    # The distinct records of each kind the source held (its failures included).
    seen: SeenKeys = field(default_factory=SeenKeys)
    imported: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    unknown_agents: set[str] = field(default_factory=set)
    # The most keys the writer held between batches: bounded, whatever the export's size.
    remembered: int = 0

    def count(self, item: Item) -> None:
        if isinstance(item, ImportCustomer):
            self.seen.add(RecordKind.CUSTOMER, item.external_id)
            return
        self.seen.add(RecordKind.CONVERSATION, item.external_id)
        for message in item.messages:
            self.seen.add(RecordKind.MESSAGE, message.external_id)
            for attachment in message.attachments:
                self.seen.add(RecordKind.ATTACHMENT, attachment.external_id)

    def held(self, kind: str) -> int:
        return self.seen.count(kind)

    @property
    def complete(self) -> bool:
        return self.dry_run or all(self.imported.get(kind, 0) == self.held(kind) for kind in KINDS)

    def lines(self) -> list[str]:
        lines = [f"import of {self.source}{' (dry run: nothing written)' if self.dry_run else ''}"]
        for kind in KINDS:
            held = self.held(kind)
            if self.dry_run:
                lines.append(f"  {kind + 's':<14} {held:>8} in the source")
                continue
            got = self.imported.get(kind, 0)
            mark = "" if got == held else f"   MISSING {held - got}"
            lines.append(f"  {kind + 's':<14} {held:>8} in the source {got:>8} imported{mark}")
        for failure in self.failures:
            lines.append(f"  failed {failure.kind} {failure.external_id}: {failure.reason}")
        if self.unknown_agents:
            names = ", ".join(sorted(self.unknown_agents))
            lines.append(f"  agents not found here (left unassigned, no author): {names}")
        return lines


def run_import(
    source: Source,
    mailbox: Mailbox,
    *,
    dry_run: bool = False,
    batch: int = BATCH,
    progress: bool = True,
    now: datetime | None = None,
    out: TextIO | None = None,
    recent: int = RECENT_KEYS,
) -> Report:
    now = now or timezone.now()
    report = Report(source.name, dry_run=dry_run)
    team = Team.load()
    writer = Writer(source.name, mailbox, team, now, recent)

    def fail(kind: RecordKind, external_id: str, reason: str) -> None:
        report.seen.add(kind, external_id)
        _fail(report, source.name, kind, external_id, reason, dry_run, now)

    for stream in source.streams(fail):
        _run_stream(stream, writer, report, dry_run=dry_run, batch=batch, progress=progress)
    report.unknown_agents = team.unknown
    if not dry_run:
        report.imported = _imported_counts(source.name, report)
    for line in report.lines():
        print(line, file=out)
    return report


def _run_stream(
    stream: Stream, writer: Writer, report: Report, *, dry_run: bool, batch: int, progress: bool
) -> None:
    source = writer.source
    done = 0
    if not dry_run:
        row = ImportCheckpoint.objects.filter(source=source, stream=stream.name).first()
        done = row.position if row else 0
    bar = tqdm(total=stream.total, desc=stream.name, unit=" items", disable=not progress)
    position = messages = size = 0
    pending: list[Item] = []
    for item in stream.items:
        position += 1
        report.count(item)
        bar.update(1)
        if dry_run or position <= done:
            continue  # written by an earlier run (its checkpoint says so)
        pending.append(item)
        if isinstance(item, ImportConversation):
            messages += len(item.messages)
            size += sum(len(a.data) for m in item.messages for a in m.attachments)
        if len(pending) >= batch or messages >= BATCH_MESSAGES or size >= BATCH_BYTES:
            _write(writer, stream.name, pending, position, report)
            pending, messages, size = [], 0, 0
            report.remembered = max(report.remembered, writer.remembered())
    if pending:
        _write(writer, stream.name, pending, position, report)
    bar.close()


def _write(writer: Writer, stream: str, items: list[Item], position: int, report: Report) -> None:
    """One batch in one transaction with its checkpoint; if it fails, each item alone, so
    one bad record fails by itself, with its reason."""
    try:
        with transaction.atomic():
            _write_items(writer, items)
            save_checkpoint(writer.source, stream, position, writer.now)
        return
    except Exception:
        writer.forget()
        log.info("a batch of %s failed; writing its items one by one", stream, exc_info=True)
    for item in items:
        try:
            with transaction.atomic():
                _write_items(writer, [item])
        except Exception as exc:
            writer.forget()
            kind = RecordKind.CUSTOMER if isinstance(item, ImportCustomer) else "conversation"
            _fail(report, writer.source, kind, item.external_id, repr(exc)[:500], False, writer.now)
    save_checkpoint(writer.source, stream, position, writer.now)


def _write_items(writer: Writer, items: list[Item]) -> None:
    customers = [item for item in items if isinstance(item, ImportCustomer)]
    conversations = [item for item in items if isinstance(item, ImportConversation)]
    if customers:
        writer.write_customers(customers)
    if conversations:
        writer.write_conversations(conversations)


def _fail(
    report: Report,
    source: str,
    kind: str,
    external_id: str,
    reason: str,
    dry_run: bool,
    now: datetime,
) -> None:
    report.failures.append(Failure(kind, external_id, reason))
    if not dry_run:
        ImportFailure.objects.create(
            source=source, kind=kind, external_id=external_id[:255], reason=reason, created_at=now
        )


def _imported_counts(source: str, report: Report) -> dict[str, int]:
    """How many of the records the source held the desk has now, per kind."""
    counts: dict[str, int] = {}
    for kind in KINDS:
        rows = ImportRecord.objects.filter(source=source, kind=kind)
        chunks = report.seen.chunks(kind)
        counts[kind] = sum(rows.filter(external_id__in=chunk).count() for chunk in chunks)
    return counts
