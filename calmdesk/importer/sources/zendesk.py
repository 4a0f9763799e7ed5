"""Zendesk through its time-based incremental export API (``/api/v2/incremental/…``):
organisations and users first (end users become customers; agents are matched here by
email), then tickets, each with its comments (``/api/v2/tickets/{id}/comments``, paged)
and their attachments. A page is followed by the next one from its ``end_time`` until
``end_of_stream``. Every page and file is kept in the state folder first (``PageStore``).

Statuses: new and open are active, pending and hold pending, solved and closed closed;
a deleted ticket is imported closed with the ``deleted-in-source`` tag. A public comment
by an agent is a reply, a private one a note, an end user's a customer message."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from calmdesk.outbound.errors import OutboundError

STATUSES = {
    "new": Status.ACTIVE,
    "open": Status.ACTIVE,
    "pending": Status.PENDING,
    "hold": Status.PENDING,
    "solved": Status.CLOSED,
    "closed": Status.CLOSED,
    "deleted": Status.CLOSED,
}
# The export's first moment: what Zendesk's own importers ask for (0 is refused).
EPOCH = 1


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    agent: bool


def _time(value: str) -> datetime:
    return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


class Zendesk:
    def __init__(self, base: str, pages: PageStore, since: datetime | None = None) -> None:
        self.api = base.rstrip("/") + "/api/v2"
        self.pages = pages
        self.start = int(since.timestamp()) if since else EPOCH
        self.name = f"zendesk:{urlsplit(base).hostname}"
        self.people: dict[int, Person] = {}
        self.organisations: dict[int, str] = {}

    @classmethod
    def over_http(
        cls,
        base: str,
        credentials: tuple[str, ...],
        state: Path,
        *,
        since: datetime | None = None,
        client: Client | None = None,
    ) -> Zendesk:
        email, token = credentials
        secret = base64.b64encode(f"{email}/token:{token}".encode()).decode()
        host = urlsplit(base).hostname or ""
        client = client or Client(allowance=Allowance.of([host]) if host else Allowance())
        pages = PageStore(state, client, {"Authorization": f"Basic {secret}"})
        return cls(base, pages, since)

    def streams(self, fail: FailureSink) -> list[Stream]:
        return [
            Stream("customers", self._customers()),
            Stream("conversations", self._tickets(fail)),
        ]

    def _export(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every record of one incremental export, page after page."""
        start = self.start
        while True:
            page = self.pages.json(
                f"{kind}-{start}", f"{self.api}/incremental/{kind}?start_time={start}"
            )
            yield from page.get(kind) or []
            end = page.get("end_time")
            if page.get("end_of_stream") or not end or end == start:
                return
            start = end

    def _customers(self) -> Iterator[ImportCustomer]:
        for organisation in self._export("organizations"):
            self.organisations[organisation["id"]] = organisation.get("name") or ""
        for user in self._export("users"):
            email = (user.get("email") or "").strip().lower()
            agent = user.get("role") in {"agent", "admin"}
            self.people[user["id"]] = Person(email, user.get("name") or "", agent)
            if agent:
                continue
            yield ImportCustomer(
                external_id=str(user["id"]),
                emails=(email,) if email else (),
                name=user.get("name") or "",
                organisation=self.organisations.get(user.get("organization_id") or 0, ""),
                attributes=tuple(
                    (key, str(user[key])) for key in ("phone", "iana_time_zone") if user.get(key)
                ),
            )

    def _tickets(self, fail: FailureSink) -> Iterator[ImportConversation]:
        for ticket in self._export("tickets"):
            try:
                messages = tuple(self._comments(ticket, fail))
            except Gone as error:
                if ticket.get("status") != "deleted":
                    fail(RecordKind.CONVERSATION, str(ticket["id"]), f"comments: {error}")
                    continue
                # A deleted ticket's comments are gone: its description was the first.
                messages = (self._description(ticket),)
            except OutboundError as error:
                fail(RecordKind.CONVERSATION, str(ticket["id"]), f"comments: {error}")
                continue
            yield self._conversation(ticket, messages)

    def _description(self, ticket: dict[str, Any]) -> ImportMessage:
        requester = self.people.get(ticket.get("requester_id") or 0)
        agent = requester is not None and requester.agent
        return ImportMessage(
            external_id=f"{ticket['id']}:description",
            kind=MessageKind.NOTE if agent else MessageKind.CUSTOMER,
            created_at=_time(ticket["created_at"]),
            text=ticket.get("description") or "",
            author_email=requester.email if agent and requester else "",
        )

    def _conversation(
        self, ticket: dict[str, Any], messages: tuple[ImportMessage, ...]
    ) -> ImportConversation:
        requester = self.people.get(ticket.get("requester_id") or 0)
        assignee = self.people.get(ticket.get("assignee_id") or 0)
        tags = tuple(ticket.get("tags") or ())
        if ticket.get("status") == "deleted":
            tags += (DELETED_TAG,)
        return ImportConversation(
            external_id=str(ticket["id"]),
            subject=ticket.get("subject") or (ticket.get("description") or "")[:80],
            status=STATUSES.get(ticket.get("status") or "", Status.ACTIVE),
            created_at=_time(ticket["created_at"]),
            customer_email=requester.email if requester else "",
            customer_name=requester.name if requester else "",
            customer_external_id=str(ticket.get("requester_id") or ""),
            customer_organisation=self.organisations.get(ticket.get("organization_id") or 0, ""),
            assignee_email=assignee.email if assignee else "",
            tags=tags,
            messages=messages,
        )

    def _comments(self, ticket: dict[str, Any], fail: FailureSink) -> Iterator[ImportMessage]:
        url: str | None = f"{self.api}/tickets/{ticket['id']}/comments"
        page = 1
        requester = ticket.get("requester_id")
        while url:
            data = self.pages.json(f"comments-{ticket['id']}-{page}", url)
            for comment in data.get("comments") or []:
                yield self._message(comment, requester, fail)
            url, page = data.get("next_page"), page + 1

    def _message(
        self, comment: dict[str, Any], requester: int | None, fail: FailureSink
    ) -> ImportMessage:
        author = self.people.get(comment.get("author_id") or 0) or Person("", "", False)
        if author.agent:
            kind = MessageKind.REPLY if comment.get("public") else MessageKind.NOTE
        else:
            kind = MessageKind.CUSTOMER
        other = kind == MessageKind.CUSTOMER and comment.get("author_id") != requester
        return ImportMessage(
            external_id=str(comment["id"]),
            kind=kind,
            created_at=_time(comment["created_at"]),
            text=comment.get("plain_body") or comment.get("body") or "",
            html=comment.get("html_body") or "",
            author_email=author.email if author.agent else "",
            customer_email=author.email if other else "",
            customer_name=author.name if other else "",
            attachments=tuple(self._attachments(comment, fail)),
        )

    def _attachments(
        self, comment: dict[str, Any], fail: FailureSink
    ) -> Iterator[ImportAttachment]:
        for attachment in comment.get("attachments") or []:
            key = f"attachment-{attachment['id']}"
            try:
                data = self.pages.blob(key, attachment["content_url"])
            except OutboundError as error:
                fail(RecordKind.ATTACHMENT, str(attachment["id"]), str(error))
                continue
            yield ImportAttachment(
                external_id=str(attachment["id"]),
                filename=attachment.get("file_name") or "attachment",
                content_type=attachment.get("content_type") or "application/octet-stream",
                data=data,
                inline=bool(attachment.get("inline")),
                # An inline image is shown in the comment's HTML by this link.
                source_url=attachment["content_url"] if attachment.get("inline") else "",
            )
