"""An import killed halfway and started again ends identical to one never stopped; a
conversation or customer changed in the source since is updated, the same one again
changes nothing; imported history notifies nobody."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from calmdesk.accounts.models import Notification
from calmdesk.desk.models import Conversation, MessageKind, Status
from calmdesk.importer.models import ImportCheckpoint, ImportFailure
from calmdesk.importer.records import (
    FailureSink,
    ImportAttachment,
    ImportConversation,
    ImportCustomer,
    ImportMessage,
    Stream,
)
from calmdesk.importer.run import run_import
from tests.importer.conftest import dump, folders_agree

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Killed(Exception):
    pass


def conversation(n: int, status: Status = Status.CLOSED) -> ImportConversation:
    when = START + timedelta(hours=n)
    return ImportConversation(
        external_id=f"t{n}",
        subject=f"Order {n} never arrived",
        status=status,
        created_at=when,
        customer_email=f"buyer{n % 7}@shop.example",
        customer_external_id=f"u{n % 7}",
        assignee_email="alice@desk.example" if n % 2 else "gone@desk.example",
        tags=("shipping", "deleted-in-source") if n % 5 == 0 else ("shipping",),
        messages=(
            ImportMessage(f"m{n}a", MessageKind.CUSTOMER, when, "My order is late and I am upset."),
            ImportMessage(
                f"m{n}b",
                MessageKind.REPLY,
                when + timedelta(hours=1),
                "Sorry, it ships today.",
                author_email="alice@desk.example",
                attachments=(ImportAttachment(f"a{n}", "label.pdf", "application/pdf", b"%PDF-1"),),
            ),
            ImportMessage(
                f"m{n}c", MessageKind.NOTE, when + timedelta(hours=2), "Carrier lost it."
            ),
        ),
    )


@dataclass
class Synthetic:
    """A small help desk export; ``kill_after`` stops the reading after that many items."""

    conversations: list[ImportConversation]
    kill_after: int | None = None
    name: str = "synthetic:test"

    def streams(self, fail: FailureSink) -> list[Stream]:
        customers = [
            ImportCustomer(
                f"u{i}", (f"buyer{i}@shop.example",), name=f"Buyer {i}", organisation="Shop"
            )
            for i in range(7)
        ]
        return [
            Stream("customers", self._killing(iter(customers)), total=7),
            Stream("conversations", self._killing(iter(self.conversations))),
        ]

    def _killing(self, items: Iterator) -> Iterator:
        for item in items:
            if self.kill_after is not None:
                if self.kill_after == 0:
                    raise Killed
                self.kill_after -= 1
            yield item


def test_killed_halfway_and_restarted_ends_identical(support) -> None:
    items = [conversation(n, Status.ACTIVE if n % 3 == 0 else Status.CLOSED) for n in range(23)]
    whole = Synthetic(items)
    assert run_import(whole, support, batch=5, progress=False).complete
    uninterrupted = dump()
    _wipe()
    with pytest.raises(Killed):
        run_import(Synthetic(items, kill_after=19), support, batch=5, progress=False)
    stopped = ImportCheckpoint.objects.get(stream="conversations").position
    assert 0 < stopped < len(items)
    report = run_import(Synthetic(items), support, batch=5, progress=False)
    assert report.complete, report.lines()
    assert dump() == uninterrupted
    assert folders_agree()
    assert not ImportFailure.objects.exists()


def _wipe() -> None:
    from calmdesk.desk.actions import recount_folders
    from calmdesk.desk.models import Customer, FolderCount, Organisation
    from calmdesk.importer.models import ImportRecord

    Conversation.objects.all().delete()
    Customer.objects.all().delete()
    Organisation.objects.all().delete()
    ImportRecord.objects.all().delete()
    ImportCheckpoint.objects.all().delete()
    FolderCount.objects.all().delete()
    recount_folders()


def test_a_second_run_changes_nothing_and_a_changed_ticket_is_updated(support) -> None:
    items = [conversation(n) for n in range(4)]
    first = run_import(Synthetic(items), support, progress=False)
    assert first.complete
    assert first.unknown_agents == {"gone@desk.example"}
    before = dump()
    assert run_import(Synthetic(items), support, progress=False).complete
    assert dump() == before
    ImportCheckpoint.objects.all().delete()  # as a new incremental export would
    changed = replace(items[1], status=Status.PENDING, tags=("shipping", "refund"))
    assert run_import(
        Synthetic([*items[:1], changed, *items[2:]]), support, progress=False
    ).complete
    updated = Conversation.objects.get(subject="Order 1 never arrived")
    assert updated.status == Status.PENDING
    assert {t.name for t in updated.tags.all()} == {"shipping", "refund"}
    assert updated.message_count == 3
    assert folders_agree()


def test_imported_history_is_marked_and_notifies_nobody(support) -> None:
    report = run_import(Synthetic([conversation(1), conversation(3)]), support, progress=False)
    assert report.complete
    assert not Notification.objects.exists()
    for row in Conversation.objects.all():
        assert row.imported_at is not None and row.assignee.username == "alice"
        assert all(m.imported_at is not None for m in row.messages.all())
        assert row.messages.get(kind=MessageKind.CUSTOMER).reading is not None
    assert report.imported == {"customer": 7, "conversation": 2, "message": 6, "attachment": 2}


def test_care_rows_built_in_memory_equal_a_rebuild_from_the_table(support) -> None:
    from calmdesk.empathy.actions import refresh_care
    from calmdesk.empathy.models import ConversationCare

    later = START + timedelta(days=3)
    items = []
    for n in range(6):
        item = conversation(n, Status.ACTIVE)
        chaser = ImportMessage(
            f"m{n}d",
            MessageKind.CUSTOMER,
            later,
            "Still nothing. I need it by Friday or I lose the client!",
        )
        items.append(replace(item, messages=(*item.messages, chaser)))
    assert run_import(Synthetic(items), support, batch=4, progress=False).complete
    fields = [
        "conversation_id",
        "latest_tone",
        "latest_intensity",
        "latest_language",
        "latest_unsure",
        "stakes",
        "priority",
        "care_score",
    ]
    built = list(ConversationCare.objects.order_by("conversation_id").values(*fields))
    scores = list(Conversation.objects.order_by("id").values_list("priority_score", flat=True))
    for row in built:
        refresh_care(row["conversation_id"])
    assert list(ConversationCare.objects.order_by("conversation_id").values(*fields)) == built
    assert (
        list(Conversation.objects.order_by("id").values_list("priority_score", flat=True)) == scores
    )
    assert len(built) == 6 and all(s >= 0 for s in scores)
