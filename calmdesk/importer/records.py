"""The one interface every source speaks: normalised customers and conversations (with
their messages and attachments), each keyed by the source's own id. A source is read as
streams (customers first, then conversations), one item at a time, so an export of any
size is never held in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from calmdesk.desk.models import MessageKind, Status
from calmdesk.importer.models import RecordKind

# The tag a ticket deleted in the source carries here (imported closed, never dropped).
DELETED_TAG = "deleted-in-source"


@dataclass(frozen=True)
class ImportAttachment:
    external_id: str
    filename: str
    content_type: str = "application/octet-stream"
    # The bytes, read by the source before the write (an API's URL fetched while valid).
    data: bytes = b""
    content_id: str = ""
    inline: bool = False
    # The source's own link to the file, when the message's HTML shows it by that link
    # (an inline image); the desk's URL for the stored file takes its place.
    source_url: str = ""


@dataclass(frozen=True)
class ImportCustomer:
    external_id: str
    emails: tuple[str, ...]
    name: str = ""
    organisation: str = ""
    website: str = ""
    # Anything else the source knows (phone, time zone, ...), kept in the customer's notes.
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImportMessage:
    external_id: str
    kind: MessageKind  # CUSTOMER, REPLY or NOTE
    created_at: datetime  # aware; stored in UTC
    text: str
    html: str = ""
    # A reply's or note's author, matched to an agent by email (unknown ones reported).
    author_email: str = ""
    # Who wrote a customer message, when not the conversation's customer (someone copied).
    customer_email: str = ""
    customer_name: str = ""
    message_id: str = ""
    attachments: tuple[ImportAttachment, ...] = ()


@dataclass(frozen=True)
class ImportConversation:
    """A conversation and (some of) its messages. A source may yield the same external
    id again with more messages (a mail archive yields one message at a time): the
    import adds the ones it has not seen."""

    external_id: str
    subject: str
    status: Status
    created_at: datetime
    customer_email: str
    customer_name: str = ""
    customer_external_id: str = ""
    # The organisation the ticket names for its customer (Zendesk's organization_id,
    # Freshdesk's company_id): the customer's, if the contact record gave none.
    customer_organisation: str = ""
    assignee_email: str = ""
    tags: tuple[str, ...] = ()
    messages: tuple[ImportMessage, ...] = ()


# A source tells the import about a record it read but cannot give (kind, id, reason).
FailureSink = Callable[[RecordKind, str, str], None]


@dataclass
class Stream:
    name: str
    items: Iterator[ImportCustomer | ImportConversation]
    total: int | None = None  # for the progress bar's ETA, when the source knows it


class Source(Protocol):
    # The key's prefix: the same history read twice has the same name ("zendesk:acme").
    name: str

    def streams(self, fail: FailureSink) -> list[Stream]: ...


@dataclass
class SourceCounts:
    """What a source held, per kind, as it was read (failures included)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


def utc(moment: datetime) -> datetime:
    """A time normalised to UTC (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
