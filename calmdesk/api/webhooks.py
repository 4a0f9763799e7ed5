"""Webhooks: what happened on the desk, signed and posted to the URLs an admin set per
mailbox.

The desk needs no hook for it: a periodic job of the worker (``api.webhooks``) reads the
desk's rows after a cursor (Events, Messages, Ratings), turns each into the events a
mailbox's hooks subscribe to (one WebhookDelivery per hook and source, so a run again
adds nothing), and posts the due ones through the shared outbound client. Imported
history (``imported_at``) fires nothing.

Each delivery is signed: ``Calmdesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the hook's secret>``. A failed delivery is tried again after 30 s, 2,
8, 32 minutes… (at most ``MAX_ATTEMPTS`` tries); ``DISABLE_AFTER`` failed tries in a row
switch the hook off and tell the admins."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts.notify import do_notify_admins
from calmdesk.api.models import DeliveryState, Webhook, WebhookCursor, WebhookDelivery
from calmdesk.desk.models import Conversation, Event, EventKind, Message, MessageKind
from calmdesk.jobs.registry import periodic
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from calmdesk.outbound.errors import HTTPStatusError, OutboundError
from calmdesk.team.models import Rating

EVENTS = (
    "conversation.created",
    "message.received",
    "reply.sent",
    "note.added",
    "conversation.status_changed",
    "conversation.assigned",
    "problem.linked",
    "rating.received",
)
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
DISABLE_AFTER = 10  # failed tries in a row, over all of a hook's deliveries
BATCH = 500  # desk rows read per kind and run
SEND_LEASE = timedelta(minutes=5)  # a claimed delivery whose worker died is tried again
SIGNATURE_HEADER = "Calmdesk-Signature"
TOLERANCE = 300  # seconds: receivers should refuse an older signature (a replay)
_EVENT_NAMES = {
    EventKind.STATUS: "conversation.status_changed",
    EventKind.ASSIGN: "conversation.assigned",
    EventKind.PROBLEM_LINK: "problem.linked",
}


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance: int = TOLERANCE) -> bool:
    """What a receiver does (docs/api.md has it standalone)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# -- from desk rows to deliveries ------------------------------------------------------


def _conversation(c: Conversation, metadata_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.pk,
        "mailbox_id": c.mailbox_id,
        "customer_id": c.customer_id,
        "status": c.status,
        "assignee": c.assignee.username if c.assignee else None,
    }
    if not metadata_only:
        out["subject"] = c.subject
    return out


def _message(m: Message, metadata_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.pk,
        "kind": m.kind,
        "author": m.author.username if m.author else None,
        "customer_id": m.customer_id,
        "created_at": m.created_at.isoformat(),
    }
    if not metadata_only:
        out["body_text"] = m.body_text
    return out


class _Found:
    """One thing that happened: its event name, the desk row it comes from, its
    conversation and what the payload says of it beyond the conversation."""

    def __init__(
        self,
        event: str,
        source: str,
        conversation: Conversation,
        at: datetime,
        message: Message | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.event, self.source, self.conversation, self.at = event, source, conversation, at
        self.message, self.data = message, data or {}

    def payload(self, hook: Webhook) -> dict[str, Any]:
        out: dict[str, Any] = {
            "event": self.event,
            "created_at": self.at.isoformat(),
            "conversation": _conversation(self.conversation, hook.metadata_only),
        }
        if self.message is not None:
            out["message"] = _message(self.message, hook.metadata_only)
        if self.data:
            out["data"] = self.data
        return out


def _from_messages(after: int) -> tuple[list[_Found], int]:
    rows = list(
        Message.objects.filter(
            pk__gt=after, kind__in=[MessageKind.CUSTOMER, MessageKind.NOTE, MessageKind.REPLY]
        )
        .select_related("author", "conversation__assignee")
        .order_by("pk")[:BATCH]
    )
    first_ids = {
        row["conversation_id"]: row["first"]
        for row in Message.objects.filter(conversation_id__in={m.conversation_id for m in rows})
        .values("conversation_id")
        .annotate(first=Min("pk"))
    }
    found: list[_Found] = []
    for m in rows:
        if m.imported_at is not None:
            continue
        c = m.conversation
        if first_ids.get(c.pk) == m.pk and c.imported_at is None:
            found.append(_Found("conversation.created", f"m{m.pk}:created", c, m.created_at, m))
        if m.kind == MessageKind.CUSTOMER:
            found.append(_Found("message.received", f"m{m.pk}", c, m.created_at, m))
        elif m.kind == MessageKind.NOTE:
            found.append(_Found("note.added", f"m{m.pk}", c, m.created_at, m))
    return found, rows[-1].pk if rows else after


def _from_events(after: int) -> tuple[list[_Found], int]:
    rows = list(
        Event.objects.filter(pk__gt=after)
        .select_related("conversation__assignee")
        .order_by("pk")[:BATCH]
    )
    sent_ids = [e.data.get("sent") for e in rows if e.kind == EventKind.SEND]
    replies = {
        m.pk: m
        for m in Message.objects.filter(
            pk__in=[i for i in sent_ids if i], kind=MessageKind.REPLY
        ).select_related("author")
    }
    found: list[_Found] = []
    for e in rows:
        c = e.conversation
        if c is None:
            continue
        if e.kind == EventKind.SEND:
            reply = replies.get(e.data.get("sent"))
            if reply is not None and reply.imported_at is None:
                found.append(_Found("reply.sent", f"e{e.pk}", c, e.created_at, reply))
        elif e.kind in _EVENT_NAMES:
            found.append(_Found(_EVENT_NAMES[e.kind], f"e{e.pk}", c, e.created_at, data=e.data))  # type: ignore[index]
    return found, rows[-1].pk if rows else after


def _from_ratings(after: int) -> tuple[list[_Found], int]:
    rows = list(
        Rating.objects.filter(pk__gt=after)
        .select_related("reply__author", "reply__conversation__assignee")
        .order_by("pk")[:BATCH]
    )
    found = [
        _Found(
            "rating.received",
            f"r{r.pk}",
            r.reply.conversation,
            r.created_at,
            r.reply,
            {"score": r.score, "comment": r.comment},
        )
        for r in rows
        if r.reply.imported_at is None
    ]
    return found, rows[-1].pk if rows else after


def collect(now: datetime) -> int:
    """Turn the desk's new rows into deliveries; returns how many were added."""
    with transaction.atomic():
        cursor, _created = WebhookCursor.objects.select_for_update().get_or_create(pk=1)
        if _created:
            # A first run starts now: a new install's history is no news.
            cursor.last_event_id = (
                Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            cursor.last_message_id = (
                Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            cursor.last_rating_id = (
                Rating.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            cursor.save()
        messages, cursor.last_message_id = _from_messages(cursor.last_message_id)
        events, cursor.last_event_id = _from_events(cursor.last_event_id)
        ratings, cursor.last_rating_id = _from_ratings(cursor.last_rating_id)
        added = _deliveries(sorted([*messages, *events, *ratings], key=_when), now)
        cursor.save()
    return added


def _when(found: _Found) -> datetime:
    return found.at


def _deliveries(found: Iterable[_Found], now: datetime) -> int:
    hooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(is_active=True):
        hooks.setdefault(hook.mailbox_id, []).append(hook)
    rows = [
        WebhookDelivery(
            webhook=hook,
            event=item.event,
            source=item.source,
            payload=item.payload(hook),
            next_attempt_at=now,
            created_at=now,
        )
        for item in found
        for hook in hooks.get(item.conversation.mailbox_id, [])
        if item.event in hook.events
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# -- sending ---------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 2 min, 8 min, 32 min…"""
    return FIRST_RETRY * 4 ** (attempts - 1)


def client_for(hook: Webhook) -> Client:
    host = urlsplit(hook.url).hostname or ""
    allowance = Allowance.of([host]) if hook.allow_private_host else Allowance()
    # One try per run: the retries are the delivery's own, spread over the backoff.
    return Client(allowance=allowance, policy=Policy(timeout=10.0, attempts=1))


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {"id": delivery.pk, **delivery.payload}, ensure_ascii=False, separators=(",", ":")
    ).encode()


def deliver(delivery: WebhookDelivery, now: datetime) -> bool:
    """One try of a claimed delivery; records the answer. True when delivered."""
    hook = delivery.webhook
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(hook.secret, int(now.timestamp()), body),
        "Calmdesk-Event": delivery.event,
        "Calmdesk-Delivery": str(delivery.pk),
    }
    status: int | None = None
    error = ""
    try:
        response = client_for(hook).request("POST", hook.url, headers=headers, body=body)
        status = response.status
    except HTTPStatusError as failure:
        status, error = failure.response.status, str(failure)
    except OutboundError as failure:
        error = f"{failure.code}: {failure}"
    ok = status is not None and 200 <= status < 300
    _record(delivery, now, ok, status, error)
    return ok


def _record(
    delivery: WebhookDelivery, now: datetime, ok: bool, status: int | None, error: str
) -> None:
    hook = delivery.webhook
    if ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DELIVERED, last_status=status, last_error="", delivered_at=now
        )
        Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        return
    given_up = delivery.attempts >= MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.FAILED if given_up else DeliveryState.PENDING,
        last_status=status,
        last_error=error[:300],
        next_attempt_at=now + backoff(delivery.attempts),
    )
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = Webhook.objects.values_list("consecutive_failures", flat=True).get(pk=hook.pk)
    if failures >= DISABLE_AFTER:
        do_disable(hook, now)


def do_disable(hook: Webhook, now: datetime) -> bool:
    if not Webhook.objects.filter(pk=hook.pk, is_active=True).update(
        is_active=False, disabled_at=now
    ):
        return False
    do_notify_admins(
        _("A webhook was switched off after %(count)d failed deliveries: %(url)s")
        % {"count": DISABLE_AFTER, "url": hook.url},
        body=_("Its deliveries are kept; switch it on again in the admin once it answers."),
        url=reverse("admin:api_webhook_change", args=[hook.pk]),
        now=now,
    )
    return True


def do_enable(hook: Webhook) -> None:
    Webhook.objects.filter(pk=hook.pk).update(
        is_active=True, disabled_at=None, consecutive_failures=0
    )


def do_redeliver(delivery: WebhookDelivery, now: datetime | None = None) -> None:
    """Send it again at the next run, with a fresh count of tries (the admin's button)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=now or timezone.now()
    )


def claim_due(now: datetime, limit: int = 50) -> list[WebhookDelivery]:
    """The due deliveries of active hooks, each claimed by one conditional UPDATE (its
    next try moved past the lease, its tries counted) so two workers never both send."""
    due = WebhookDelivery.objects.filter(
        state=DeliveryState.PENDING, next_attempt_at__lte=now, webhook__is_active=True
    ).order_by("next_attempt_at", "pk")
    claimed = []
    for row in due.values("pk", "attempts", "next_attempt_at")[:limit]:
        if WebhookDelivery.objects.filter(
            pk=row["pk"], state=DeliveryState.PENDING, next_attempt_at=row["next_attempt_at"]
        ).update(next_attempt_at=now + SEND_LEASE, attempts=row["attempts"] + 1):
            claimed.append(row["pk"])
    return list(WebhookDelivery.objects.filter(pk__in=claimed).select_related("webhook"))


def deliver_due(now: datetime) -> int:
    return sum(deliver(d, now) for d in claim_due(now))


@periodic("api.webhooks", every=timedelta(seconds=10))
def run_webhooks(now: datetime) -> None:
    collect(now)
    deliver_due(now)
