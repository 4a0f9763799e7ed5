"""An import writes in batches: customers found and created for a whole batch at once,
and conversations a source yields one message at a time (a mail archive in time order)
spread over many batches. However the batches fall, the desk ends the same: the same
conversations, counters and care rows as one batch would write, and as the desk's own
per-conversation rebuilds (``recount_conversation``, ``refresh_care``) say."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from calmdesk.desk.actions import recount_conversation
from calmdesk.desk.models import Conversation, Customer, MessageKind, Status
from calmdesk.empathy.actions import refresh_care
from calmdesk.empathy.models import ConversationCare
from calmdesk.importer.records import (
    FailureSink,
    ImportConversation,
    ImportCustomer,
    ImportMessage,
    Stream,
)
from calmdesk.importer.run import run_import
from tests.importer.conftest import dump, folders_agree

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
CUSTOMER_TEXTS = (
    "Hi, the export button does nothing since this morning.",
    "It is still broken and my accountant needs the file by Friday!",
    "Thanks, that fixed it.",
)


@dataclass
class Archive:
    """Five threads whose messages come in time order, interleaved, one per item, as a
    mail archive yields them; customers first when ``customers`` is set."""

    customers: tuple[ImportCustomer, ...] = ()
    name: str = "archive:test"

    def streams(self, fail: FailureSink) -> list[Stream]:
        return [
            Stream("customers", iter(self.customers)),
            Stream("messages", self._messages()),
        ]

    def _messages(self) -> Iterator[ImportConversation]:
        for turn in range(5):
            for thread in range(5):
                if turn >= 3 + thread % 3:
                    continue
                when = START + timedelta(hours=turn, minutes=thread)
                ours = turn % 2 == 1
                address = f"reader{thread % 3}@paper.example"
                text = "Sorry, fixed now." if ours else CUSTOMER_TEXTS[turn // 2 % 3]
                yield ImportConversation(
                    external_id=f"thread{thread}",
                    subject=("Re: " if turn else "") + f"Export {thread}",
                    status=Status.ACTIVE if thread % 2 else Status.CLOSED,
                    created_at=when,
                    customer_email=address,
                    customer_name=f"Reader {thread % 3}",
                    messages=(
                        ImportMessage(
                            f"thread{thread}.{turn}",
                            MessageKind.REPLY if ours else MessageKind.CUSTOMER,
                            when,
                            text,
                            author_email="alice@desk.example" if ours else "",
                            customer_email="" if ours else address,
                        ),
                    ),
                )


def _cares() -> list[dict]:
    fields = ["latest_tone", "latest_intensity", "stakes", "priority", "care_score"]
    return list(ConversationCare.objects.order_by("conversation_id").values(*fields))


def test_threads_spread_over_batches_end_as_one_batch_and_the_rebuilds_say(support) -> None:
    assert run_import(Archive(), support, batch=1000, progress=False).complete
    whole = dump()
    cares = _cares()
    Conversation.objects.all().delete()
    Customer.objects.all().delete()
    from calmdesk.desk.actions import recount_folders
    from calmdesk.desk.models import FolderCount
    from calmdesk.importer.models import ImportCheckpoint, ImportRecord

    ImportRecord.objects.all().delete()
    ImportCheckpoint.objects.all().delete()
    FolderCount.objects.all().delete()
    recount_folders()

    report = run_import(Archive(), support, batch=3, progress=False)
    assert report.complete, report.lines()
    assert dump() == whole
    assert _cares() == cares
    assert folders_agree()
    assert Customer.objects.count() == 3  # one per address, however the batches fell
    kept = list(Conversation.objects.order_by("id").values_list("message_count", "waiting_since"))
    scores = list(Conversation.objects.order_by("id").values_list("priority_score", flat=True))
    for conversation in Conversation.objects.all():
        recount_conversation(conversation.pk)
        refresh_care(conversation.pk)
    assert (
        list(Conversation.objects.order_by("id").values_list("message_count", "waiting_since"))
        == kept
    )
    assert _cares() == cares
    assert list(Conversation.objects.order_by("id").values_list("priority_score", flat=True)) == (
        scores
    )
    # And a second run, in batches again, changes nothing.
    assert run_import(Archive(), support, batch=3, progress=False).complete
    assert dump() == whole


def test_a_batchs_customers_are_found_once_and_shared_addresses_join(support) -> None:
    existing = Customer.objects.create(name="Reader Zero")
    existing.emails.create(email="reader0@paper.example")
    customers = (
        # Two records of the source sharing an address in one batch: one customer.
        ImportCustomer("c1", ("Reader1@paper.example",), name="Reader One"),
        ImportCustomer("c2", ("reader1@paper.example", "r1@home.example"), name="R. One"),
        # An address the desk knows: the new address joins that customer.
        ImportCustomer("c0", ("reader0@paper.example", "zero@home.example"), name="Zero"),
    )
    assert run_import(Archive(customers), support, batch=50, progress=False).complete
    one = Customer.objects.get(emails__email="reader1@paper.example")
    assert one.name == "Reader One"
    assert sorted(e.email for e in one.emails.all()) == ["r1@home.example", "reader1@paper.example"]
    assert sorted(e.email for e in existing.emails.all()) == [
        "reader0@paper.example",
        "zero@home.example",
    ]
    # The threads' customers are the same people, by address.
    assert Customer.objects.count() == 3
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == set(
        Customer.objects.values_list("id", flat=True)
    )


def test_a_batch_closes_at_its_message_limit(support, monkeypatch) -> None:
    from calmdesk.importer import run

    written: list[int] = []
    write = run._write

    def counting(writer, stream, items, position, report) -> None:  # type: ignore[no-untyped-def]
        written.append(sum(len(getattr(item, "messages", ())) for item in items))
        write(writer, stream, items, position, report)

    monkeypatch.setattr(run, "_write", counting)
    monkeypatch.setattr(run, "BATCH_MESSAGES", 4)
    assert run_import(Archive(), support, batch=1000, progress=False).complete
    # 19 messages, one an item: batches of four, and the rest.
    assert written == [4, 4, 4, 4, 3]
