"""/api/v1: the agent's identity, customers, mailboxes, saved replies and tags, each read
through desk.access as the pages read them."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router

from calmdesk.accounts.models import Capability
from calmdesk.api import schemas as s
from calmdesk.api.auth import ENGINE, READ, WRITE, ApiError
from calmdesk.api.conversations import MAX_LIMIT, conversation_out
from calmdesk.desk.access import (
    agent_of,
    customer_or_404,
    visible_conversations,
    visible_mailbox_ids,
    visible_mailboxes,
)
from calmdesk.desk.actions import ActionError, do_erase_customer, do_update_customer
from calmdesk.desk.models import Customer, SavedReply, Tag

router = Router()


@router.get("/me", response={200: s.MeOut, **s.ERRORS}, auth=ENGINE, tags=["me"])
def me(request: HttpRequest) -> dict:
    """Who the token acts as. An engine-only token sees no mailboxes here."""
    user: User = request.user  # type: ignore[assignment]
    agent = agent_of(user)
    token = request.auth  # type: ignore[attr-defined]
    engine_only = token.scope == "engine"
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "email": user.email,
        "role": agent.role if agent is not None else "",
        "mailboxes": [] if engine_only else list(visible_mailboxes(user)),
        "token": {"name": token.name, "scope": token.scope, "expires_at": token.expires_at},
    }


def customer_out(c: Customer) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "emails": [e.email for e in c.emails.order_by("id")],
        "organisation": c.organisation.name if c.organisation else None,
        "website": c.website,
        "plan": c.plan,
        "monthly_revenue": None if c.monthly_revenue is None else str(c.monthly_revenue),
        "revenue_currency": c.revenue_currency,
        "notes": c.notes,
        "erased": c.erased_at is not None,
        "created_at": c.created_at,
    }


@router.get(
    "/customers/{pk}", response={200: s.CustomerOut, **s.ERRORS}, auth=READ, tags=["customers"]
)
def read_customer(request: HttpRequest, pk: int) -> dict:
    return customer_out(customer_or_404(request.user, pk))  # type: ignore[arg-type]


@router.patch(
    "/customers/{pk}",
    response={200: s.CustomerOut, **s.WRITE_ERRORS},
    auth=WRITE,
    tags=["customers"],
)
def update_customer(request: HttpRequest, pk: int, payload: s.CustomerPatch) -> dict:
    """Change the given attributes (name, website, plan, monthly_revenue,
    revenue_currency, notes); the others stay."""
    customer = customer_or_404(request.user, pk)  # type: ignore[arg-type]
    changes = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "monthly_revenue"}
    try:
        customer = do_update_customer(customer, request.user, **changes)  # type: ignore[arg-type]
    except ActionError as problem:
        raise ApiError(400, "refused", str(problem)) from None
    return customer_out(customer)


@router.post(
    "/customers/{pk}/erase",
    response={200: s.ErasedOut, **s.WRITE_ERRORS},
    auth=WRITE,
    tags=["customers"],
)
def erase_customer(request: HttpRequest, pk: int) -> dict:
    """A data-protection erasure (admins): every message of the customer goes, their
    conversations stay closed and without a subject. It cannot be undone."""
    customer = customer_or_404(request.user, pk)  # type: ignore[arg-type]
    agent = agent_of(request.user)
    if agent is None or not agent.can(Capability.ERASE_CUSTOMERS):
        raise ApiError(403, "forbidden")
    try:
        removed = do_erase_customer(customer, request.user)  # type: ignore[arg-type]
    except ActionError as problem:
        raise ApiError(400, "refused", str(problem)) from None
    return {"removed_messages": removed}


@router.get(
    "/customers/{pk}/conversations",
    response={200: list[s.ConversationOut], **s.ERRORS},
    auth=READ,
    tags=["customers"],
)
def customer_conversations(
    request: HttpRequest, pk: int, limit: int = Query(30, ge=1, le=MAX_LIMIT)
) -> list[dict]:
    """Their conversations in mailboxes the token's agent sees, newest first."""
    customer = customer_or_404(request.user, pk)  # type: ignore[arg-type]
    rows = (
        visible_conversations(request.user)  # type: ignore[arg-type]
        .filter(customer=customer, merged_into__isnull=True)
        .select_related("assignee")
        .prefetch_related("tags")
        .order_by("-last_message_at", "-id")[:limit]
    )
    return [conversation_out(c) for c in rows]


@router.get("/mailboxes", response={200: list[s.MailboxOut], **s.ERRORS}, auth=READ, tags=["desk"])
def mailboxes(request: HttpRequest) -> list:
    return list(visible_mailboxes(request.user))  # type: ignore[arg-type]


@router.get(
    "/saved-replies", response={200: list[s.SavedReplyOut], **s.ERRORS}, auth=READ, tags=["desk"]
)
def saved_replies(request: HttpRequest) -> list:
    """The desk's own (no mailbox) and those of the mailboxes the agent sees."""
    ids = visible_mailbox_ids(request.user)  # type: ignore[arg-type]
    return list(SavedReply.objects.filter(Q(mailbox=None) | Q(mailbox_id__in=ids)))


@router.get("/tags", response={200: list[s.TagOut], **s.ERRORS}, auth=READ, tags=["desk"])
def tags(request: HttpRequest) -> list:
    return list(Tag.objects.all())
