"""Help Scout through the Mailbox API 2.0: an OAuth token by client credentials
(``POST /v2/oauth2/token``), users (matched here by email), customers with their
emails, then conversations with ``status=all`` (the API lists only active ones without
it) and ``embed=threads``, page after page by their ``_links.next``; each thread's
files come base64 from ``/v2/conversations/{id}/attachments/{id}/data``. The account's
one rate limit answers 429 with ``X-RateLimit-Retry-After``, which the page store waits
out. Pages and files are kept in the state folder first; the token never is.

Threads: ``customer`` is the customer's message, ``message`` an agent's reply,
``note`` (and a forward) a note; ``lineitem`` threads are the conversation's history
(status changes, moves), not messages, and drafts were never sent: both are left out.
Statuses: active, pending and closed as they are; spam stays spam."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from calmdesk.desk.models import MessageKind, Status
from calmdesk.importer.models import RecordKind
from calmdesk.importer.records import (
    FailureSink,
    ImportAttachment,
    ImportConversation,
    ImportCustomer,
    ImportMessage,
    Stream,
    utc,
)
from calmdesk.importer.sources.pages import PageStore
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client
from calmdesk.outbound.errors import OutboundError

DEFAULT_BASE = "https://api.helpscout.net"
STATUSES = {
    "active": Status.ACTIVE,
    "pending": Status.PENDING,
    "closed": Status.CLOSED,
    "spam": Status.SPAM,
}
KINDS = {
    "customer": MessageKind.CUSTOMER,
    "message": MessageKind.REPLY,
    "note": MessageKind.NOTE,
    "forwardparent": MessageKind.NOTE,
    "forwardchild": MessageKind.NOTE,
}
# Threads that are no message: the conversation's own history, and unsent drafts.
NOT_MESSAGES = frozenset({"lineitem"})


@dataclass(frozen=True)
class User:
    email: str


def _time(value: str) -> datetime:
    return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _name(person: dict[str, Any]) -> str:
    first = person.get("first") or person.get("firstName") or ""
    last = person.get("last") or person.get("lastName") or ""
    return f"{first} {last}".strip()


def token_for(client: Client, base: str, app_id: str, secret: str) -> str:
    """An access token by OAuth client credentials (Help Scout's app id and secret)."""
    form = urlencode(
        {"grant_type": "client_credentials", "client_id": app_id, "client_secret": secret}
    )
    answer = client.request(
        "POST",
        f"{base}/v2/oauth2/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=form.encode(),
        retry_unsafe=True,  # asking for a token twice is harmless
    ).json()
    return str(answer["access_token"])


class HelpScout:
    def __init__(self, base: str, pages: PageStore, since: datetime | None = None) -> None:
        self.api = base.rstrip("/") + "/v2"
        self.pages = pages
        self.since = since.strftime("%Y-%m-%dT%H:%M:%SZ") if since else ""
        self.name = f"helpscout:{urlsplit(base).hostname}"
        self.users: dict[int, User] = {}

    @classmethod
    def over_http(
        cls,
        base: str,
        credentials: tuple[str, ...],
        state: Path,
        *,
        since: datetime | None = None,
        client: Client | None = None,
    ) -> HelpScout:
        base = (base or DEFAULT_BASE).rstrip("/")
        host = urlsplit(base).hostname or ""
        client = client or Client(allowance=Allowance.of([host]) if host else Allowance())
        token = token_for(client, base, *credentials)
        return cls(base, PageStore(state, client, {"Authorization": f"Bearer {token}"}), since)

    def streams(self, fail: FailureSink) -> list[Stream]:
        return [
            Stream("customers", self._customers()),
            Stream("conversations", self._conversations(fail)),
        ]

    def _pages(self, what: str, key: str, first: str) -> Iterator[dict[str, Any]]:
        """Every embedded ``what`` of a paged list, following ``_links.next``."""
        url: str | None = first
        number = 1
        while url:
            page = self.pages.json(f"{key}-{number}", url)
            yield from (page.get("_embedded") or {}).get(what) or []
            url = ((page.get("_links") or {}).get("next") or {}).get("href")
            number += 1

    def _customers(self) -> Iterator[ImportCustomer]:
        for user in self._pages("users", "users", f"{self.api}/users"):
            self.users[user["id"]] = User((user.get("email") or "").lower())
        query = f"?{urlencode({'modifiedSince': self.since})}" if self.since else ""
        for customer in self._pages("customers", "customers", f"{self.api}/customers{query}"):
            emails = (customer.get("_embedded") or {}).get("emails") or []
            yield ImportCustomer(
                external_id=str(customer["id"]),
                emails=tuple(e["value"].strip().lower() for e in emails if e.get("value")),
                name=_name(customer),
                organisation=customer.get("organization") or "",
                attributes=tuple(
                    (key, str(customer[key]))
                    for key in ("jobTitle", "location", "background")
                    if customer.get(key)
                ),
            )

    def _conversations(self, fail: FailureSink) -> Iterator[ImportConversation]:
        query = {"status": "all", "embed": "threads", "sortField": "modifiedAt", "sortOrder": "asc"}
        if self.since:
            query["modifiedSince"] = self.since
        first = f"{self.api}/conversations?{urlencode(query)}"
        for conversation in self._pages("conversations", "conversations", first):
            try:
                yield self._conversation(conversation, fail)
            except OutboundError as error:
                fail(RecordKind.CONVERSATION, str(conversation["id"]), str(error))

    def _conversation(self, item: dict[str, Any], fail: FailureSink) -> ImportConversation:
        threads = (item.get("_embedded") or {}).get("threads") or []
        customer = item.get("primaryCustomer") or item.get("customer") or {}
        created_by = item.get("createdBy") or {}
        email = customer.get("email") or (
            created_by.get("email") if created_by.get("type") == "customer" else ""
        )
        messages = [
            self._message(item["id"], thread, customer.get("id"), fail)
            for thread in sorted(threads, key=lambda t: (t.get("createdAt") or "", t["id"]))
            if thread.get("type") not in NOT_MESSAGES and thread.get("state") != "draft"
        ]
        assignee = item.get("assignee") or {}
        return ImportConversation(
            external_id=str(item["id"]),
            subject=item.get("subject") or "",
            status=STATUSES.get(item.get("status") or "", Status.ACTIVE),
            created_at=_time(item["createdAt"]),
            customer_email=(email or "").lower(),
            customer_name=_name(customer),
            customer_external_id=str(customer.get("id") or ""),
            assignee_email=(assignee.get("email") or "").lower(),
            tags=tuple(t["tag"] for t in item.get("tags") or [] if t.get("tag")),
            messages=tuple(messages),
        )

    def _message(
        self, conversation_id: int, thread: dict[str, Any], customer_id: object, fail: FailureSink
    ) -> ImportMessage:
        author = thread.get("createdBy") or {}
        by_user = author.get("type") == "user"
        kind = KINDS.get(thread.get("type") or "")
        if kind is None:  # chat, phone: whoever wrote it
            kind = MessageKind.REPLY if by_user else MessageKind.CUSTOMER
        email = (author.get("email") or "").lower()
        if by_user and not email:
            email = self.users.get(author.get("id") or 0, User("")).email
        other = kind == MessageKind.CUSTOMER and author.get("id") not in (None, customer_id)
        return ImportMessage(
            external_id=str(thread["id"]),
            kind=kind,
            created_at=_time(thread["createdAt"]),
            text="",
            html=thread.get("body") or "",
            author_email=email if by_user else "",
            customer_email=email if other else "",
            customer_name=_name(author) if other else "",
            attachments=tuple(self._files(conversation_id, thread, fail)),
        )

    def _files(
        self, conversation_id: int, thread: dict[str, Any], fail: FailureSink
    ) -> Iterator[ImportAttachment]:
        for attachment in (thread.get("_embedded") or {}).get("attachments") or []:
            url = f"{self.api}/conversations/{conversation_id}/attachments/{attachment['id']}/data"
            try:
                answer = self.pages.json(f"file-{attachment['id']}", url)
                data = base64.b64decode(answer.get("data") or "", validate=True)
            except (OutboundError, binascii.Error) as error:
                fail(RecordKind.ATTACHMENT, str(attachment["id"]), str(error))
                continue
            yield ImportAttachment(
                external_id=str(attachment["id"]),
                filename=attachment.get("filename") or "attachment",
                content_type=attachment.get("mimeType") or "application/octet-stream",
                data=data,
            )
