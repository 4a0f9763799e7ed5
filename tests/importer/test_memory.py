"""An import remembers a bounded number of keys, whatever the export's size: a mail
archive in time order (every thread spanning batches, each reply naming only its
parent, each customer writing several times) imported with room for five keys per map
ends exactly as with room for all of them; what the small maps forget is found in the
database, batch by batch."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from calmdesk.bench.importer import write_export
from calmdesk.desk.models import Customer, Mailbox
from calmdesk.importer.run import Report, run_import
from calmdesk.importer.sources.mail import MailArchive
from tests.importer.conftest import dump, folders_agree

BENCH_ADDRESS = "support@bench.example"

CONVERSATIONS = 90  # 360 messages from 31 customers, about 90 threads open at once
SMALL = 5  # keys per map: far fewer than the threads open or the customers


def _import(support: Mailbox, export: Path, recent: int) -> tuple[Report, MailArchive]:
    # The export's replies come from the bench's support address: ours here too.
    archive = MailArchive("mbox", export, {support.email, BENCH_ADDRESS}, recent=recent)
    # Batches of seven: a reply's thread was read sixty messages earlier, long written.
    report = run_import(archive, support, batch=7, progress=False, recent=recent)
    return report, archive


def test_a_small_key_cache_imports_the_same_as_one_holding_every_key(support, tmp_path) -> None:
    export = tmp_path / "export.mbox"
    messages = write_export(export, CONVERSATIONS, time_order=True)
    # Mail that names only its parent (In-Reply-To): a reply's thread is its parent's.
    lines = export.read_bytes().splitlines(keepends=True)
    export.write_bytes(b"".join(line for line in lines if not line.startswith(b"References:")))
    with transaction.atomic():
        roomy, roomy_archive = _import(support, export, recent=100_000)
        assert roomy.complete, roomy.lines()
        everything = dump()
        customers = Customer.objects.count()
        transaction.set_rollback(True)  # the same desk, empty again, for the small run
    assert len(roomy_archive.roots) == messages and roomy.remembered == customers > 4 * SMALL

    report, archive = _import(support, export, recent=SMALL)
    assert report.complete, report.lines()
    assert len(archive.roots) <= SMALL and report.remembered <= 4 * SMALL
    assert dump() == everything and len(everything) == CONVERSATIONS
    assert Customer.objects.count() == customers
    assert folders_agree()
