"""Freshdesk through its API v2: companies, agents (matched here by email) and contacts
(customers, blocked and deleted ones too), then tickets listed by ``updated_since`` in
ascending ``updated_at``, each read whole (``/tickets/{id}``: the description and its
files) with its conversations (``/tickets/{id}/conversations``, paged).

Freshdesk's list endpoints stop at page 300: when a window of tickets fills its last
page, the next window starts from the last ``updated_at`` seen (tickets on the border
are read once). Attachment URLs are signed for five minutes: a ticket's files are
fetched right after its page, and when a saved page's URLs have expired (a run resumed
later) the page is asked again for fresh ones. Everything goes through the state folder.

Statuses: 2 open is active; 3 pending and any custom status pending; 4 resolved and 5
closed closed; spam stays spam; a deleted ticket comes closed, tagged
``deleted-in-source``. A private conversation is a note; one an agent wrote a reply."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from calmdesk.desk.models import MessageKind, Status
from calmdesk.importer.models import RecordKind
from calmdesk.importer.records import (
    DELETED_TAG,
    FailureSink,
    ImportAttachment,
    ImportConversation,
    ImportCustomer,
    ImportMessage,
    Stream,
    utc,
)
from calmdesk.importer.sources.pages import Gone, PageStore
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client
from calmdesk.outbound.errors import HTTPStatusError, OutboundError

STATUSES = {2: Status.ACTIVE, 3: Status.PENDING, 4: Status.CLOSED, 5: Status.CLOSED}
EPOCH = "1970-01-01"
FIRST_DAY = date(2010, 1, 1)  # Freshdesk began in 2010: no contact is older
ONE_DAY = timedelta(days=1)
# An inline image in a ticket's HTML: Freshdesk's own link and the attachment id.
INLINE_IMAGE = re.compile(r"""<img[^>]*?src="([^"]+)"[^>]*?data-id="(\d+)\"""")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    agent: bool
    organisation: str = ""  # a contact's company, for one asked alone (never yielded)


def _once(rows: list[dict[str, Any]], read: set[int]) -> Iterator[dict[str, Any]]:
    for row in rows:
        if row["id"] not in read:
            read.add(row["id"])
            yield row


def _time(value: str) -> datetime:
    return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


class Freshdesk:
    per_page = 100
    max_pages = 300  # Freshdesk answers no page past this on a list endpoint
    # The filter API (/search/contacts) answers 30 results a page and at most 10 pages.
    search_per_page = 30
    search_pages = 10

    def __init__(self, base: str, pages: PageStore, since: datetime | None = None) -> None:
        self.api = base.rstrip("/") + "/api/v2"
        self.pages = pages
        self.since = since.strftime("%Y-%m-%dT%H:%M:%SZ") if since else EPOCH
        self.name = f"freshdesk:{urlsplit(base).hostname}"
        self.people: dict[int, Person] = {}
        self.companies: dict[int, str] = {}
        self.today = datetime.now(UTC).date()  # the last day contacts can be created

    @classmethod
    def over_http(
        cls,
        base: str,
        credentials: tuple[str, ...],
        state: Path,
        *,
        since: datetime | None = None,
        client: Client | None = None,
    ) -> Freshdesk:
        secret = base64.b64encode(f"{credentials[0]}:X".encode()).decode()
        host = urlsplit(base).hostname or ""
        client = client or Client(allowance=Allowance.of([host]) if host else Allowance())
        return cls(base, PageStore(state, client, {"Authorization": f"Basic {secret}"}), since)

    def streams(self, fail: FailureSink) -> list[Stream]:
        return [
            Stream("customers", self._customers(fail)),
            Stream("conversations", self._tickets(fail)),
        ]

    def _list(self, what: str, **query: str) -> Iterator[dict[str, Any]]:
        """Every row of a plain list endpoint, page after page."""
        page = 0
        while True:
            page += 1
            params = urlencode({"page": page, "per_page": self.per_page, **query})
            key = "-".join([what.replace("/", "_"), *query.values(), str(page)])
            rows = self.pages.json(key, f"{self.api}/{what}?{params}") or []
            yield from rows
            if len(rows) < self.per_page:
                return

    def _customers(self, fail: FailureSink) -> Iterator[ImportCustomer]:
        for company in self._list("companies"):
            self.companies[company["id"]] = company.get("name") or ""
        for agent in self._list("agents"):
            contact = agent.get("contact") or {}
            email = (contact.get("email") or "").lower()
            self.people[agent["id"]] = Person(email, contact.get("name") or "", True)
        for contact in self._contact_rows(fail):
            yield self._customer(contact)

    def _contact_rows(self, fail: FailureSink) -> Iterator[dict[str, Any]]:
        """Every contact, blocked and deleted ones too, once each. The contact list can be
        neither ordered nor bounded above in time, so a list that fills its last page
        (the 300-page ceiling) is read again through the filter API in windows of
        creation days, each small enough for the filter API's own ceiling. A requester
        no list gave is still asked for alone (``_person``)."""
        read: set[int] = set()
        capped = []
        for state in ("", "blocked", "deleted"):
            query = {"state": state} if state else {}
            for page in range(1, self.max_pages + 1):
                params = urlencode({"page": page, "per_page": self.per_page, **query})
                key = "-".join(["contacts", *query.values(), str(page)])
                rows = self.pages.json(key, f"{self.api}/contacts?{params}") or []
                yield from _once(rows, read)
                if len(rows) < self.per_page:
                    break
            else:
                capped.append(state)
        if "deleted" in capped:  # the filter API leaves deleted contacts out
            reason = f"over {self.max_pages} pages of deleted contacts; the rest cannot be listed"
            fail(RecordKind.CUSTOMER, "deleted contacts", reason)
        if capped:
            for rows in self._contacts_created(FIRST_DAY, self.today, fail):
                yield from _once(rows, read)

    def _contacts_created(
        self, first: date, last: date, fail: FailureSink
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of the contacts created from ``first`` to ``last`` (the filter API's :>
        and :< count their own day), a window halved until the filter API can answer all
        of it: it gives 30 a page and 10 pages at most."""
        query = f"\"created_at:>'{first}' AND created_at:<'{last}'\""
        answer = self._search(query, first, last, 1)
        total = int(answer.get("total") or 0)
        limit = self.search_per_page * self.search_pages
        if total > limit and first < last:
            middle = first + (last - first) // 2
            yield from self._contacts_created(first, middle, fail)
            yield from self._contacts_created(middle + ONE_DAY, last, fail)
            return
        if total > limit:
            reason = f"{total} contacts created that day; the filter API answers {limit}"
            fail(RecordKind.CUSTOMER, f"contacts created {first}", reason)
        page = 1
        while True:
            yield answer.get("results") or []
            if page >= self.search_pages or page * self.search_per_page >= total:
                return
            page += 1
            answer = self._search(query, first, last, page)

    def _search(self, query: str, first: date, last: date, page: int) -> dict[str, Any]:
        url = f"{self.api}/search/contacts?{urlencode({'query': query, 'page': page})}"
        return self.pages.json(f"contacts-created-{first}-{last}-{page}", url) or {}

    def _person(self, person_id: int | None) -> Person | None:
        """Someone a ticket names: known from the lists, else asked for alone (a contact
        the lists did not give), else nobody (deleted for good)."""
        if not person_id:
            return None
        if person_id not in self.people:
            try:
                contact = self.pages.json(
                    f"contact-{person_id}", f"{self.api}/contacts/{person_id}"
                )
            except Gone:
                return None
            self._customer(contact)
        return self.people.get(person_id)

    def _customer(self, contact: dict[str, Any]) -> ImportCustomer:
        emails = [contact.get("email"), *(contact.get("other_emails") or [])]
        cleaned = tuple(e.strip().lower() for e in emails if e and e.strip())
        name = contact.get("name") or ""
        company = self.companies.get(contact.get("company_id") or 0, "")
        self.people[contact["id"]] = Person(cleaned[0] if cleaned else "", name, False, company)
        return ImportCustomer(
            external_id=str(contact["id"]),
            emails=cleaned,
            name=name,
            organisation=company,
            attributes=tuple(
                (key, str(contact[key]))
                for key in ("phone", "mobile", "time_zone", "job_title")
                if contact.get(key)
            ),
        )

    def _ticket_rows(self) -> Iterator[dict[str, Any]]:
        """The ticket list in windows of at most ``max_pages`` pages each."""
        since, read = self.since, set()
        while True:
            last = since
            for page in range(1, self.max_pages + 1):
                query = {"order_by": "updated_at", "order_type": "asc", "page": page}
                query.update(per_page=self.per_page, updated_since=since)
                url = f"{self.api}/tickets?{urlencode(query)}"
                rows = self.pages.json(f"tickets-{since}-{page}", url) or []
                for row in rows:
                    if row["id"] not in read:
                        read.add(row["id"])
                        yield row
                if len(rows) < self.per_page:
                    return
                last = rows[-1]["updated_at"]
            if last == since:  # a whole window of one moment: nothing later to ask from
                return
            since = last

    def _tickets(self, fail: FailureSink) -> Iterator[ImportConversation]:
        for row in self._ticket_rows():
            try:
                yield self._ticket(row["id"], fail)
            except OutboundError as error:
                fail(RecordKind.CONVERSATION, str(row["id"]), str(error))

    def _ticket(self, ticket_id: int, fail: FailureSink) -> ImportConversation:
        key = f"ticket-{ticket_id}"
        ticket = self.pages.json(key, f"{self.api}/tickets/{ticket_id}")
        try:
            files = self._files(ticket, ticket.get("description") or "")
        except HTTPStatusError:
            # Its file links expired (a page saved by an earlier run): ask for fresh ones.
            self.pages.forget(key)
            ticket = self.pages.json(key, f"{self.api}/tickets/{ticket_id}")
            files = self._files(ticket, ticket.get("description") or "")
        messages = [self._description(ticket, files)]
        for item in self._list(f"tickets/{ticket_id}/conversations"):
            messages.append(self._conversation_message(ticket, item, fail))
        requester = self._person(ticket.get("requester_id"))
        responder = self._person(ticket.get("responder_id"))
        tags = tuple(ticket.get("tags") or ())
        status = STATUSES.get(ticket.get("status") or 0, Status.PENDING)
        if ticket.get("deleted"):
            status, tags = Status.CLOSED, (*tags, DELETED_TAG)
        if ticket.get("spam"):
            status = Status.SPAM
        return ImportConversation(
            external_id=str(ticket_id),
            subject=ticket.get("subject") or "",
            status=status,
            created_at=_time(ticket["created_at"]),
            customer_email=requester.email if requester else "",
            customer_name=requester.name if requester else "",
            customer_external_id=str(ticket.get("requester_id") or ""),
            customer_organisation=self.companies.get(ticket.get("company_id") or 0, "")
            or (requester.organisation if requester else ""),
            assignee_email=responder.email if responder and responder.agent else "",
            tags=tags,
            messages=tuple(messages),
        )

    def _description(
        self, ticket: dict[str, Any], files: tuple[ImportAttachment, ...]
    ) -> ImportMessage:
        requester = self._person(ticket.get("requester_id"))
        by_agent = requester is not None and requester.agent
        return ImportMessage(
            external_id=f"{ticket['id']}:description",
            kind=MessageKind.REPLY if by_agent else MessageKind.CUSTOMER,
            created_at=_time(ticket["created_at"]),
            text=ticket.get("description_text") or "",
            html=ticket.get("description") or "",
            author_email=requester.email if by_agent and requester else "",
            attachments=files,
        )

    def _conversation_message(
        self, ticket: dict[str, Any], item: dict[str, Any], fail: FailureSink
    ) -> ImportMessage:
        person = self._person(item.get("user_id")) or Person("", "", False)
        if item.get("private"):
            kind = MessageKind.NOTE
        elif item.get("incoming") or not person.agent:
            kind = MessageKind.CUSTOMER
        else:
            kind = MessageKind.REPLY
        other = kind == MessageKind.CUSTOMER and item.get("user_id") != ticket.get("requester_id")
        try:
            files = self._files(item, item.get("body") or "")
        except OutboundError as error:
            fail(RecordKind.ATTACHMENT, f"{item['id']}:files", str(error))
            files = ()
        return ImportMessage(
            external_id=str(item["id"]),
            kind=kind,
            created_at=_time(item["created_at"]),
            text=item.get("body_text") or "",
            html=item.get("body") or "",
            author_email=person.email if kind != MessageKind.CUSTOMER else "",
            customer_email=person.email if other else "",
            customer_name=person.name if other else "",
            attachments=files,
        )

    def _files(self, record: dict[str, Any], html: str) -> tuple[ImportAttachment, ...]:
        """A ticket's or conversation's files and the images inline in its HTML, fetched
        now, while their signed links are valid."""
        files = []
        for attachment in record.get("attachments") or []:
            data = self.pages.blob(f"file-{attachment['id']}", attachment["attachment_url"])
            files.append(
                ImportAttachment(
                    external_id=str(attachment["id"]),
                    filename=attachment.get("name") or "attachment",
                    content_type=attachment.get("content_type") or "application/octet-stream",
                    data=data,
                )
            )
        for url, image_id in INLINE_IMAGE.findall(html):
            link = url.replace("&amp;", "&")
            data = self.pages.blob(f"file-{image_id}", link)
            kind = _image_type(data)
            name = f"image-{image_id}.{kind.partition('/')[2] or 'bin'}"
            files.append(
                ImportAttachment(
                    image_id,
                    name,
                    kind or "application/octet-stream",
                    data,
                    inline=True,
                    source_url=link,
                )
            )
        return tuple(files)


def _image_type(data: bytes) -> str:
    """An inline image's type from its first bytes (its link says nothing)."""
    for magic, kind in (
        (b"\x89PNG", "image/png"),
        (b"\xff\xd8", "image/jpeg"),
        (b"GIF8", "image/gif"),
    ):
        if data.startswith(magic):
            return kind
    return ""
