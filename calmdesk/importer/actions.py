"""The bulk import action: one batch of normalised records written in one transaction,
upserted on their (source, kind, external id) key. A record already imported is left as
it is, so a second run changes nothing. Counters follow the desk's one rule
(``counters_of``), folder counts are kept as the batch goes, and the engine reads every
new customer message of the batch at once (``do_read_imported``).

Imported rows carry ``imported_at``; nothing here calls the actions that tell people or
answer (notifications, auto-replies): history is written, never received."""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from calmdesk.desk.actions import (
    ActionError,
    ReceivedFile,
    bump_folders,
    clean_tag_name,
    counters_of,
    do_attach_received,
)
from calmdesk.desk.models import (
    Attachment,
    Conversation,
    Customer,
    CustomerEmail,
    Mailbox,
    Message,
    MessageKind,
    Organisation,
    Status,
    Tag,
    folder_of,
)
from calmdesk.desk.rows import insert_returning, insert_rows, update_rows
from calmdesk.empathy.actions import do_read_imported
from calmdesk.importer.keys import RECENT_KEYS, Recent
from calmdesk.importer.models import ImportCheckpoint, ImportRecord, RecordKind
from calmdesk.importer.records import ImportConversation, ImportCustomer, ImportMessage, utc
from calmdesk.mail.htmltext import html_to_text, sanitise
from calmdesk.mail.quoting import analysed_text


@dataclass
class Team:
    """The agents an import may match, by lowercased email; addresses it met that match
    nobody are kept to report (never invented as agents)."""

    by_email: dict[str, User]
    unknown: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> Team:
        users = User.objects.filter(agent__isnull=False).exclude(email="")
        return cls({user.email.lower(): user for user in users})

    def find(self, email: str) -> User | None:
        address = email.strip().lower()
        if not address:
            return None
        user = self.by_email.get(address)
        if user is None:
            self.unknown.add(address)
        return user


def digest_of(*values: object) -> str:
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def _records(source: str, kind: RecordKind, external_ids: list[str]) -> dict[str, ImportRecord]:
    rows = ImportRecord.objects.filter(source=source, kind=kind, external_id__in=external_ids)
    return {row.external_id: row for row in rows}


def _record(
    source: str, kind: RecordKind, external_id: str, pk: int, now: datetime, digest: str = ""
) -> ImportRecord:
    return ImportRecord(
        source=source,
        kind=kind,
        external_id=external_id[:255],
        object_id=pk,
        digest=digest,
        imported_at=now,
    )


def insert_records(records: list[ImportRecord]) -> None:
    """Key a batch's rows with one statement (``bulk_create`` took a tenth of an import
    preparing these plain strings and numbers)."""
    insert_rows(
        ImportRecord,
        records,
        ["source", "kind", "external_id", "object_id", "digest", "imported_at"],
    )


def save_checkpoint(source: str, stream: str, position: int, now: datetime) -> None:
    ImportCheckpoint.objects.update_or_create(
        source=source, stream=stream, defaults={"position": position, "updated_at": now}
    )


@dataclass
class BatchCustomers:
    """The customers one batch's conversations and messages belong to."""

    by_email: dict[str, int] = field(default_factory=dict)
    by_external: dict[str, int] = field(default_factory=dict)
    # The organisation each new conversation's ticket names for its customer.
    organisations: dict[int, str] = field(default_factory=dict)


def _recall(recent: Recent[str, int], keys: list[str], into: dict[str, int]) -> None:
    for key in keys:
        pk = recent.get(key)
        if pk is not None:
            into[key] = pk


class Writer:
    """Writes batches of one source into one mailbox."""

    def __init__(
        self, source: str, mailbox: Mailbox, team: Team, now: datetime, recent: int = RECENT_KEYS
    ) -> None:
        self.source = source
        self.mailbox = mailbox
        self.team = team
        self.now = now
        # Recently used rows by name or key, so a repeating one costs no query; the rest
        # are looked up batch by batch, never all kept (an export's worth would grow).
        self.organisations: Recent[str, Organisation] = Recent(recent)
        self.tags: Recent[str, Tag] = Recent(recent)
        self.by_email: Recent[str, int] = Recent(recent)
        self.by_external: Recent[str, int] = Recent(recent)
        # The customers of the batch being written, by address and by the source's id.
        self.batch = BatchCustomers()

    def forget(self) -> None:
        """Drop what this run remembered: a batch rolled back, and its rows with it."""
        for cache in (self.organisations, self.tags, self.by_email, self.by_external):
            cache.clear()
        self.batch = BatchCustomers()

    def remembered(self) -> int:
        """How many keys this writer holds between batches (bounded by ``recent`` each)."""
        caches = (self.organisations, self.tags, self.by_email, self.by_external)
        return sum(len(cache) for cache in caches)

    # -- customers -----------------------------------------------------------------------

    def _organisation(self, name: str) -> Organisation | None:
        name = name.strip()[:200]
        if not name:
            return None
        organisation = self.organisations.get(name)
        if organisation is None:
            found = Organisation.objects.filter(name=name).order_by("id").first()
            organisation = found or Organisation.objects.create(name=name)
            self.organisations[name] = organisation
        return organisation

    def _existing_by_email(self, emails: list[str]) -> dict[str, int]:
        rows = CustomerEmail.objects.filter(email__in=emails).select_related("customer")
        found = {}
        for row in rows:
            customer = row.customer
            while customer.merged_into_id is not None:
                customer = customer.merged_into  # type: ignore[assignment]
            found[row.email] = customer.pk
        return found

    def _create_customers(self, new: list[tuple[Customer, list[str]]]) -> None:
        """Write new customers and their addresses: one INSERT each for the batch."""
        Customer.objects.bulk_create([customer for customer, _emails in new], batch_size=500)
        CustomerEmail.objects.bulk_create(
            [CustomerEmail(customer=c, email=email) for c, emails in new for email in emails],
            batch_size=500,
        )

    @transaction.atomic
    def write_customers(self, customers: list[ImportCustomer]) -> None:
        known = _records(self.source, RecordKind.CUSTOMER, [c.external_id for c in customers])
        wanted: dict[str, list[str]] = {}
        for item in customers:
            if item.external_id not in known and item.external_id not in wanted:
                wanted[item.external_id] = sorted(
                    {e.strip().lower() for e in item.emails if e.strip()}
                )
        # Who owns each address: the desk's customers, then those this batch creates.
        owners: dict[str, int | Customer] = dict(
            self._existing_by_email(sorted({e for emails in wanted.values() for e in emails}))
        )
        new: list[tuple[Customer, list[str]]] = []
        added: list[tuple[int | Customer, str]] = []
        chosen: dict[str, int | Customer] = {}
        for item in customers:
            if item.external_id not in wanted or item.external_id in chosen:
                continue
            emails = wanted[item.external_id]
            owned = [owners[e] for e in emails if e in owners]
            if owned:
                owner = owned[0]
                # Addresses the desk has not seen join the customer it already knows.
                added += [(owner, e) for e in emails if e not in owners]
            else:
                notes = "\n".join(f"{key}: {value}" for key, value in item.attributes if value)
                owner = Customer(
                    name=item.name.strip()[:200],
                    organisation=self._organisation(item.organisation),
                    website=item.website[:200],
                    notes=notes,
                )
                new.append((owner, emails))
            owners.update((e, owner) for e in emails if e not in owners)
            chosen[item.external_id] = owner
        self._create_customers(new)
        CustomerEmail.objects.bulk_create(
            [CustomerEmail(customer_id=_pk(owner), email=email) for owner, email in added],
            batch_size=500,
        )
        insert_records(
            [
                _record(self.source, RecordKind.CUSTOMER, external_id, _pk(owner), self.now)
                for external_id, owner in chosen.items()
            ]
        )

    def _find_customers(self, wanted: list[tuple[str, str, str]]) -> None:
        """Find or create, for the whole batch at once, the customers its conversations
        and messages belong to ((source id, address, name) each): by the source's id, else
        by address, else a new one. ``_customer_for`` then looks them up."""
        batch = self.batch = BatchCustomers()
        ids = sorted({e for e, _a, _n in wanted if e})
        _recall(self.by_external, ids, batch.by_external)
        missing = [e for e in ids if e not in batch.by_external]
        for external_id, row in _records(self.source, RecordKind.CUSTOMER, missing).items():
            batch.by_external[external_id] = row.object_id
        addresses = sorted({a for e, a, _n in wanted if a and e not in batch.by_external})
        _recall(self.by_email, addresses, batch.by_email)
        missing = [a for a in addresses if a not in batch.by_email]
        if missing:
            batch.by_email.update(self._existing_by_email(missing))
        new: dict[str, tuple[Customer, str, str]] = {}  # by address, else by source id
        new_ids = set()
        for external_id, address, name in wanted:
            if external_id in batch.by_external or address in batch.by_email:
                continue
            key = address or external_id
            if not key or key in new or (external_id and external_id in new_ids):
                continue
            new[key] = (Customer(name=name.strip()[:200]), address, external_id)
            new_ids.add(external_id)
        self._create_customers([(c, [a] if a else []) for c, a, _e in new.values()])
        records = []
        for customer, address, external_id in new.values():
            if address:
                batch.by_email[address] = customer.pk
            if external_id:
                batch.by_external[external_id] = customer.pk
                records.append(
                    _record(self.source, RecordKind.CUSTOMER, external_id, customer.pk, self.now)
                )
        insert_records(records)
        self.by_external.update(batch.by_external.items())
        self.by_email.update(batch.by_email.items())

    def _customer_for(self, external_id: str, email: str, name: str) -> int:
        """The customer ``_find_customers`` found or created; one without address or id
        of the source gets a new one of its own."""
        address = email.strip().lower()
        if external_id and external_id in self.batch.by_external:
            return self.batch.by_external[external_id]
        if address in self.batch.by_email:
            return self.batch.by_email[address]
        customer = Customer(name=name.strip()[:200])
        self._create_customers([(customer, [])])
        return customer.pk

    # -- conversations -------------------------------------------------------------------

    @transaction.atomic
    def write_conversations(self, items: list[ImportConversation]) -> None:
        merged = _merge_repeats(items)
        known = _records(self.source, RecordKind.CONVERSATION, list(merged))
        seen = _records(
            self.source,
            RecordKind.MESSAGE,
            [m.external_id for item in merged.values() for m in item.messages],
        )
        self._find_customers(
            [
                (item.customer_external_id, item.customer_email.strip().lower(), item.customer_name)
                for item in merged.values()
                if item.external_id not in known
            ]
            + [
                ("", m.customer_email.strip().lower(), m.customer_name)
                for item in merged.values()
                for m in item.messages
                if m.kind == MessageKind.CUSTOMER and m.customer_email and m.external_id not in seen
            ]
        )
        folders: Counter[tuple[int, str, int | None]] = Counter()
        fresh: list[tuple[Conversation, ImportConversation, list[ImportMessage]]] = []
        touched: list[tuple[Conversation, list[ImportMessage]]] = []
        # Conversations imported before, locked with one query.
        before = Conversation.objects.select_for_update().in_bulk(
            [known[e].object_id for e in merged if e in known]
        )
        for external_id, item in merged.items():
            new_messages = _unseen(item.messages, seen)
            record = known.get(external_id)
            if record is None:
                if not new_messages:
                    raise ActionError(f"conversation {external_id} has no messages")
                fresh.append((self._conversation_row(item, new_messages), item, new_messages))
            else:
                conversation = before[record.object_id]
                touched.append((self._update(conversation, record, item, folders), new_messages))
        opened = self._open([(row, item) for row, item, _messages in fresh], folders)
        self._give_organisations()
        rows: list[Message] = []
        sources: list[ImportMessage] = []
        for conversation, messages in [(c, m) for c, _i, m in fresh] + touched:
            rows += [self._message_row(conversation, message) for message in messages]
            sources += messages
        # One INSERT for the batch's messages (the search triggers index them as they go).
        insert_returning(Message, rows, MESSAGE_FIELDS)
        written = list(zip(rows, sources, strict=True))
        _recount([conversation for conversation, messages in touched if messages])
        bump_folders(dict(folders))
        self._attach_and_record(written)
        do_read_imported([message for message, _item in written], opened)

    def _give_organisations(self) -> None:
        """Customers without an organisation take the one their tickets name (a contact
        created from a ticket, or whose record came without it): one UPDATE a name."""
        by_name: dict[str, list[int]] = {}
        for customer_id, name in self.batch.organisations.items():
            by_name.setdefault(name, []).append(customer_id)
        for name, customer_ids in sorted(by_name.items()):
            organisation = self._organisation(name)
            if organisation is not None:
                Customer.objects.filter(pk__in=customer_ids, organisation__isnull=True).update(
                    organisation=organisation
                )

    def _conversation_row(
        self, item: ImportConversation, messages: list[ImportMessage]
    ) -> Conversation:
        customer_id = self._customer_for(
            item.customer_external_id, item.customer_email, item.customer_name
        )
        if item.customer_organisation:
            self.batch.organisations.setdefault(customer_id, item.customer_organisation)
        fields = _counters(((m.kind, utc(m.created_at)) for m in messages), item.status)
        fields["last_message_at"] = fields["last_message_at"] or utc(item.created_at)
        return Conversation(
            mailbox=self.mailbox,
            customer_id=customer_id,
            subject=item.subject[:500],
            status=item.status,
            assignee=self.team.find(item.assignee_email),
            token=uuid.uuid4().hex[:12],
            created_at=utc(item.created_at),
            updated_at=self.now,
            imported_at=self.now,
            **fields,
        )

    def _open(
        self,
        fresh: list[tuple[Conversation, ImportConversation]],
        folders: Counter[tuple[int, str, int | None]],
    ) -> set[int]:
        """Write the batch's new conversations with one INSERT, count them into their
        folders, tag them and key them; returns their ids."""
        Conversation.objects.bulk_create([row for row, _item in fresh], batch_size=500)
        records = []
        for conversation, item in fresh:
            folder = folder_of(conversation.status, None)
            folders[(self.mailbox.pk, folder, conversation.assignee_id)] += 1
            self._tag(conversation, item.tags)
            records.append(
                _record(
                    self.source,
                    RecordKind.CONVERSATION,
                    item.external_id,
                    conversation.pk,
                    self.now,
                    _conversation_digest(item),
                )
            )
        insert_records(records)
        return {conversation.pk for conversation, _item in fresh}

    def _update(
        self,
        conversation: Conversation,
        record: ImportRecord,
        item: ImportConversation,
        folders: Counter[tuple[int, str, int | None]],
    ) -> Conversation:
        """A conversation imported before: what the source changed since (status,
        assignee, tags) is applied; the same record again changes nothing."""
        digest = _conversation_digest(item)
        if record.digest == digest or not record.digest:
            return conversation
        assignee = self.team.find(item.assignee_email)
        assignee_id = assignee.pk if assignee else None
        old = (conversation.mailbox_id, folder_of(conversation.status, conversation.snoozed_until))
        folders[(*old, conversation.assignee_id)] -= 1
        conversation.status = item.status
        conversation.assignee_id = assignee_id
        new = folder_of(item.status, conversation.snoozed_until)
        folders[(conversation.mailbox_id, new, assignee_id)] += 1
        Conversation.objects.filter(pk=conversation.pk).update(
            status=item.status, assignee_id=assignee_id, updated_at=self.now
        )
        self._tag(conversation, item.tags)
        ImportRecord.objects.filter(pk=record.pk).update(digest=digest, imported_at=self.now)
        return conversation

    def _tag(self, conversation: Conversation, names: tuple[str, ...]) -> None:
        cleaned = set()
        for name in names:
            try:
                cleaned.add(clean_tag_name(name))
            except ActionError:
                continue
        tags = []
        for name in sorted(cleaned):
            tag = self.tags.get(name)
            if tag is None:
                tag = self.tags[name] = Tag.objects.get_or_create(name=name)[0]
            tags.append(tag)
        if tags:
            conversation.tags.add(*tags)

    def _message_row(self, conversation: Conversation, item: ImportMessage) -> Message:
        text = item.text or html_to_text(item.html)
        html = sanitise(_mark_inline_images(item), {}) if item.html else ""
        author = customer_id = None
        analysis = ""
        if item.kind == MessageKind.CUSTOMER:
            customer_id = conversation.customer_id
            if item.customer_email:
                customer_id = self._customer_for("", item.customer_email, item.customer_name)
            analysis = analysed_text(text)
        elif item.author_email.lower() != self.mailbox.email.lower():
            author = self.team.find(item.author_email)  # the mailbox's own address is nobody
        return Message(
            conversation=conversation,
            kind=item.kind,
            author=author,
            customer_id=customer_id,
            body_text=text,
            body_html=html,
            analysis_text=analysis,
            message_id=item.message_id[:998],
            created_at=utc(item.created_at),
            imported_at=self.now,
        )

    def _attach_and_record(self, written: list[tuple[Message, ImportMessage]]) -> None:
        records = []
        shown: list[Message] = []  # messages whose HTML shows their own images
        for message, item in written:
            records.append(
                _record(self.source, RecordKind.MESSAGE, item.external_id, message.pk, self.now)
            )
            if not item.attachments:
                continue
            stored = do_attach_received(
                message,
                (
                    ReceivedFile(a.filename, a.content_type, a.data, a.content_id, a.inline)
                    for a in item.attachments
                ),
            )
            records += [
                _record(self.source, RecordKind.ATTACHMENT, a.external_id, row.pk, self.now)
                for a, row in zip(item.attachments, stored, strict=True)
            ]
            html = _show_inline_images(message.body_html, stored)
            if html != message.body_html:
                message.body_html = html
                shown.append(message)
        insert_records(records)
        update_rows(Message, shown, ["body_html"])


# An image of the message itself in its HTML: <img src="cid:…"> in mail, or the source's
# own link to the file (a help desk's signed URL, which expires).
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
# Where such an image points while the HTML is cleaned (the cleaner keeps only images the
# desk serves, under /mail/), until its file is stored and has the desk's own URL.
_INLINE_MARK = "/mail/inline/imported/{}/"


def _mark_inline_images(item: ImportMessage) -> str:
    """The message's HTML with each image that is one of its attachments marked by the
    attachment's place; other images are left for the cleaner to drop."""
    places: dict[str, int] = {}
    for index, attachment in enumerate(item.attachments):
        if attachment.content_id:
            places.setdefault("cid:" + attachment.content_id.strip("<>"), index)
        if attachment.source_url:
            places.setdefault(attachment.source_url, index)
    if not places:
        return item.html

    def mark(match: re.Match[str]) -> str:
        place = places.get(html_lib.unescape(match.group(3)).strip())
        if place is None:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{_INLINE_MARK.format(place)}{match.group(2)}"

    return _IMG_SRC.sub(mark, item.html)


def _show_inline_images(html: str, stored: list[Attachment]) -> str:
    """Marked images pointed at their stored files (the desk's attachment URL)."""
    for index, attachment in enumerate(stored):
        mark = _INLINE_MARK.format(index)
        if mark in html:
            html = html.replace(f'"{mark}"', f'"{reverse("attachment", args=[attachment.pk])}"')
    return html


def _counters(messages: Iterable[tuple[str, datetime]], status: str) -> dict[str, object]:
    """An imported conversation's counters, by the desk's rule (``counters_of``); nobody
    waits on a conversation the source had finished."""
    counters = counters_of(messages)
    if status != Status.ACTIVE:
        counters = replace(counters, waiting_since=None)
    return counters.fields()


# Every column of an imported message (``insert_returning`` names them all; bulk_create
# spent a fifth of an import's CPU preparing their values).
MESSAGE_FIELDS = [
    "conversation",
    "kind",
    "author",
    "customer",
    "body_text",
    "body_html",
    "analysis_text",
    "message_id",
    "created_at",
    "imported_at",
]
COUNTERS = ["message_count", "customer_message_count", "waiting_since", "last_message_at"]


def _recount(conversations: list[Conversation]) -> None:
    """Conversations imported before that got messages in this batch, counted again from
    all their messages (they may be older than those kept): one query reads the messages,
    one statement writes the counters."""
    if not conversations:
        return
    messages: dict[int, list[tuple[str, datetime]]] = {c.pk: [] for c in conversations}
    rows = (
        Message.objects.filter(conversation_id__in=list(messages))
        .order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "kind", "created_at")
    )
    for conversation_id, kind, when in rows:
        messages[conversation_id].append((kind, when))
    for conversation in conversations:
        fields = _counters(messages[conversation.pk], conversation.status)
        fields["last_message_at"] = fields["last_message_at"] or conversation.last_message_at
        for name, value in fields.items():
            setattr(conversation, name, value)
    update_rows(Conversation, sorted(conversations, key=lambda c: c.pk), COUNTERS)


def _pk(customer: int | Customer) -> int:
    return customer if isinstance(customer, int) else customer.pk


def _conversation_digest(item: ImportConversation) -> str:
    # What ``_update`` applies, and only that: a mail thread's later message ("Re: …")
    # is no change to the conversation.
    return digest_of(item.status, item.assignee_email.lower(), sorted(item.tags))


def _merge_repeats(items: list[ImportConversation]) -> dict[str, ImportConversation]:
    """One item per conversation: a source that yields a conversation again (one message
    at a time) has its messages joined, and its latest state kept."""
    merged: dict[str, ImportConversation] = {}
    for item in items:
        before = merged.get(item.external_id)
        if before is not None:
            item = replace(item, messages=before.messages + item.messages)
            if before.created_at < item.created_at:
                item = replace(item, created_at=before.created_at, subject=before.subject)
        merged[item.external_id] = item
    return merged


def _unseen(messages: tuple[ImportMessage, ...], seen: dict[str, ImportRecord]) -> list:
    """The messages not imported before, once each, in time order."""
    fresh: dict[str, ImportMessage] = {}
    for message in messages:
        if message.external_id not in seen and message.external_id not in fresh:
            fresh[message.external_id] = message
    return sorted(fresh.values(), key=lambda m: utc(m.created_at))
