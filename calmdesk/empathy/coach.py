"""The reply coach on the desk: the thread a draft answers, the mailbox's switched-off
rules, the agent's dismissals, and the cool-down before a heated draft can go (F5, F6)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.contrib.auth.models import User

from calmdesk.accounts.models import DEFAULT_COOLDOWN_SECONDS
from calmdesk.desk.access import SignedInRequest
from calmdesk.desk.models import Conversation, Mailbox, Message, MessageKind
from calmdesk.empathy.models import ConversationCare, FindingDismissal, Reproduction
from calmdesk.engine import Finding, Thread, check_reply
from calmdesk.engine.types import SEVERITY_RANK

# Findings that mean the draft itself reads heated: Send waits for a re-read (F6).
HEATED_RULES = frozenset(
    {"defensive", "blame", "bad-intent", "dismissive", "sarcasm", "reactive-tone"}
)
# How many recent messages the coach reads: enough for names, questions and details,
# bounded so a 200-message thread still checks in milliseconds.
THREAD_WINDOW = 30


@dataclass(frozen=True)
class Coaching:
    findings: tuple[Finding, ...]
    heated: bool
    cooldown_left: int  # seconds before Send is allowed again; 0 when it is


def thread_for(conversation: Conversation) -> Thread:
    rows = list(
        # What the customer has seen: no notes, no reply taken back or never delivered.
        Message.objects.filter(
            conversation_id=conversation.pk, kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY]
        )
        .order_by("-created_at", "-id")
        .values_list("kind", "body_text", "analysis_text")[:THREAD_WINDOW]
    )
    rows.reverse()
    turns = tuple(
        ("customer", analysis or body) if kind == MessageKind.CUSTOMER else ("agent", body)
        for kind, body, analysis in rows
    )
    care = ConversationCare.objects.filter(conversation=conversation).first()
    customer = conversation.customer
    return Thread(
        customer_name=customer.name if customer.erased_at is None else "",
        messages=turns,  # type: ignore[arg-type]
        reproduced=care.reproduction if care else Reproduction.NOT_TRIED,  # type: ignore[arg-type]
    )


def disabled_rules(conversation: Conversation, actor: User) -> set[str]:
    disabled = set(conversation.mailbox.disabled_rules or [])
    disabled |= set(
        FindingDismissal.objects.filter(conversation=conversation, agent=actor).values_list(
            "code", flat=True
        )
    )
    return disabled


def _cooldown_key(conversation: Conversation) -> str:
    return f"calmdesk.cooldown.{conversation.pk}"


def clock() -> float:
    """Seconds since the epoch: the cool-down's clock (tests replace it)."""
    return time.time()


def coach_draft(
    request: SignedInRequest, conversation: Conversation, draft: str, *, now: float | None = None
) -> Coaching:
    """Check a draft, and start (or continue) the cool-down if it reads heated. The
    cool-down's start is kept in the session, so the server enforces it on Send too.
    ``now`` is the time of the check (``clock()`` unless given)."""
    findings = tuple(
        check_reply(
            draft, thread_for(conversation), disabled=disabled_rules(conversation, request.user)
        )
    )
    return _with_cooldown(request, _cooldown_key(conversation), findings, now)


def coach_first_message(
    request: SignedInRequest, mailbox: Mailbox, draft: str, *, now: float | None = None
) -> Coaching:
    """Check the first message of a conversation the agent starts: no thread to answer
    yet, the mailbox's switched-off rules, and the same cool-down as a reply's."""
    findings = tuple(check_reply(draft, Thread(), disabled=set(mailbox.disabled_rules or [])))
    return _with_cooldown(request, f"calmdesk.cooldown.new.{mailbox.pk}", findings, now)


def _with_cooldown(
    request: SignedInRequest, key: str, findings: tuple[Finding, ...], now: float | None
) -> Coaching:
    # Only what the coach is sure of (warning or above) holds Send: an unsure finding
    # ("info") is shown, never a reason to wait.
    heated = any(
        f.name in HEATED_RULES and SEVERITY_RANK[f.severity] >= SEVERITY_RANK["warning"]
        for f in findings
    )
    if not heated:
        request.session.pop(key, None)
        return Coaching(findings, heated=False, cooldown_left=0)
    now = clock() if now is None else now
    started = request.session.get(key)
    if started is None:
        request.session[key] = started = now
    agent = getattr(request.user, "agent", None)
    pause = agent.cooldown_seconds if agent is not None else DEFAULT_COOLDOWN_SECONDS
    left = max(0, math.ceil(pause - (now - float(started))))
    return Coaching(findings, heated=True, cooldown_left=left)
