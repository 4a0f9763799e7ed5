"""The API's request and response shapes (they make the OpenAPI schema). Times are
ISO 8601 in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema, field_validator


class ErrorDetail(Schema):
    code: str
    message: str
    # With heated_reply and cooling_down: what the coach found and when Send opens.
    findings: list[dict[str, Any]] | None = None
    cooldown_ends_at: datetime | None = None
    # With conflict and changed_recently: the messages added since.
    added_message_ids: list[int] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 400: ErrorOut, 409: ErrorOut}


def _json_integer(value: Any) -> Any:
    # pydantic would read `true` as 1 and "5" as 5; JSON Schema's integer is neither
    # (5.0 is one, as pydantic reads it too).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    return value


# An id sent in a body: a JSON integer no larger than SQLite's INTEGER and PostgreSQL's
# bigint hold. A larger one is refused as invalid before it reaches a query (an `id__in`
# lookup fails on it: schemathesis sent one to answers/send and got a 500), as is `true`
# (schemathesis's problem linked to conversation 1).
Id = Annotated[int, Field(ge=1, le=2**63 - 1), BeforeValidator(_json_integer)]


def one_of(values: Iterable[int]) -> WithJsonSchema:
    """A number the route itself checks against ``values`` (its 422 names them), shown in
    the schema as their enum so that clients, and generated requests, know them."""
    return WithJsonSchema({"type": "integer", "enum": list(values)})


class MailboxOut(Schema):
    id: int
    name: str
    slug: str
    email: str


class TokenInfo(Schema):
    name: str
    scope: str
    expires_at: datetime | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    mailboxes: list[MailboxOut]
    token: TokenInfo


class TagOut(Schema):
    id: int
    name: str


class SavedReplyOut(Schema):
    id: int
    title: str
    body: str
    mailbox_id: int | None


class CustomerOut(Schema):
    id: int
    name: str
    emails: list[str]
    organisation: str | None
    website: str
    plan: str
    monthly_revenue: str | None
    revenue_currency: str
    notes: str
    erased: bool
    created_at: datetime


class CustomerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    website: str | None = Field(None, max_length=200)
    plan: str | None = Field(None, max_length=100)
    monthly_revenue: str | None = Field(None, max_length=20)
    revenue_currency: str | None = Field(None, max_length=3)
    notes: str | None = Field(None, max_length=20000)


class ConversationOut(Schema):
    id: int
    subject: str
    status: str
    snoozed_until: datetime | None
    mailbox_id: int
    customer_id: int
    assignee: str | None  # a username
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None
    message_count: int


class ConversationPage(Schema):
    items: list[ConversationOut]
    # Give it as ``cursor`` for the next page; null on the last. Opaque.
    next_cursor: str | None
    # Parts of ``q`` that meant nothing and were dropped (an unknown tag…).
    problems: list[str]


class MessageOut(Schema):
    id: int
    kind: str
    author: str | None  # a username; null for the customer's messages
    customer_id: int | None
    body_text: str
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class ReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=100_000)
    # The time of the newest message the client saw: a message added after it refuses
    # the reply (409 conflict). Without it, a change in the last minute refuses it.
    if_unchanged_since: datetime | None = None
    acknowledge_findings: bool = False
    then_status: Literal["", "active", "pending", "closed"] = ""


class ReplyOut(MessageOut):
    send_at: datetime  # it leaves then unless undone on the desk


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=100_000)


class AssignIn(Schema):
    assignee: str | None = Field(None, max_length=150)  # a username; null for nobody


class StatusIn(Schema):
    status: Literal["active", "pending", "closed", "spam"]


class TagsIn(Schema):
    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)


class MergeIn(Schema):
    into: Id  # the conversation that keeps both threads


class ErasedOut(Schema):
    removed_messages: int


class SnoozeIn(Schema):
    until: datetime | None  # null wakes it now


class AnalyzeIn(Schema):
    text: str = Field(..., max_length=100_000)
    # Take quoted replies and the signature off first (calmdesk read --email).
    email: bool = False


class ThreadMessage(Schema):
    role: Literal["customer", "agent"]
    text: str = Field(..., max_length=100_000)


class ThreadIn(Schema):
    customer_name: str = Field("", max_length=200)
    product: str = Field("", max_length=200)
    reproduced: Literal["not_tried", "reproduced", "not_reproduced"] = "not_tried"
    messages: list[ThreadMessage] = Field(default_factory=list, max_length=200)


class CheckIn(Schema):
    draft: str = Field(..., max_length=100_000)
    thread: ThreadIn = Field(default_factory=lambda: ThreadIn.model_validate({}))
    disable: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("thread", mode="before")
    @classmethod
    def _thread_is_an_object(cls, value: Any) -> Any:
        # ninja reads any other value as an object without fields, so `null` or `5`
        # became an empty thread (schemathesis sent `null`); leave it out for none.
        if not isinstance(value, dict | ThreadIn):
            raise ValueError("must be an object")
        return value


class CheckOut(Schema):
    findings: list[dict[str, Any]]


class WebhookConversation(Schema):
    id: int
    mailbox_id: int
    customer_id: int
    status: str
    assignee: str | None
    subject: str | None = None  # left out by a metadata-only hook


class WebhookMessage(Schema):
    id: int
    kind: str
    author: str | None
    customer_id: int | None
    created_at: datetime
    body_text: str | None = None  # left out by a metadata-only hook


class WebhookPayload(Schema):
    """The body of every webhook delivery, signed in its Calmdesk-Signature header."""

    id: int  # the delivery's; a redelivery sends the same
    event: str
    created_at: datetime
    conversation: WebhookConversation
    message: WebhookMessage | None = None
    # conversation.status_changed: old, new; conversation.assigned: old, new, name;
    # problem.linked: the problem; rating.received: score, comment.
    data: dict[str, Any] | None = None


class NewConversationIn(Schema):
    """A conversation the agent starts: its first message is a reply to ``to``."""

    mailbox_id: Id  # one the token's agent works in
    to: str = Field(..., min_length=3, max_length=254)
    subject: str = Field(..., min_length=1, max_length=500)
    body: str = Field(..., min_length=1, max_length=100_000)
    cc: list[str] = Field(default_factory=list, max_length=20)
    bcc: list[str] = Field(default_factory=list, max_length=20)
    acknowledge_findings: bool = False
    then_status: Literal["", "active", "pending", "closed"] = ""


class NewConversationOut(Schema):
    conversation: ConversationOut
    message: ReplyOut


class ProblemOut(Schema):
    """A problem and what it costs, counted over the mailboxes the token's agent sees."""

    id: int
    title: str
    kind: Literal["bug", "feature", "docs", "other"]
    status: Literal["open", "planned", "in_progress", "fixed", "wont_fix"]
    description: str
    owner: str | None  # a username
    created_at: datetime
    updated_at: datetime
    fixed_at: datetime | None
    customers: int  # distinct customers affected
    conversations: int
    # Monthly revenue of the affected customers, by currency ("USD": "49.00").
    monthly_revenue: dict[str, str]
    first_seen: datetime | None
    last_seen: datetime | None
    # New conversations in the last 4 weeks minus the 4 weeks before.
    trend: int


class AffectedCustomerOut(Schema):
    customer_id: int
    name: str
    conversations: int
    first_seen: datetime
    last_seen: datetime


class ProblemDetail(ProblemOut):
    conversation_ids: list[int]  # the linked ones the agent sees, newest first
    affected: list[AffectedCustomerOut]  # highest monthly revenue first


class ProblemIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Literal["bug", "feature", "docs", "other"] = "bug"
    description: str = Field("", max_length=20_000)
    conversation_id: Id | None = None  # link it to this conversation at once


class ProblemPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["bug", "feature", "docs", "other"] | None = None
    description: str | None = Field(None, max_length=20_000)
    owner: str | None = Field(None, max_length=150)  # a username; null for nobody


class ProblemStatusIn(Schema):
    status: Literal["open", "planned", "in_progress", "fixed", "wont_fix"]


class ProblemLinkIn(Schema):
    problem_id: Id


class LinkedProblemOut(Schema):
    id: int
    title: str
    status: str


class ReportPeriodOut(Schema):
    """One day or week of the report (or the whole period)."""

    start: str  # the first local day, YYYY-MM-DD
    new: int
    replied: int
    closed: int
    first_response_median_hours: float | None
    first_response_p90_hours: float | None
    resolution_median_hours: float | None
    resolution_p90_hours: float | None
    replies_per_closed_conversation: float | None
    ratings: dict[str, int]  # great, okay, bad
    tones: dict[str, int]  # customer messages by tone
    stakes: dict[str, int]  # customer messages by what is at stake


class ReportOut(Schema):
    start: str
    end: str
    time_zone: str
    grain: Literal["day", "week"]
    mailbox_ids: list[int]
    # The agent whose figures these are; null for the whole team. An agent without the
    # team reports capability always gets their own.
    agent_id: int | None
    tag_id: int | None
    total: ReportPeriodOut
    previous: ReportPeriodOut  # the period as long just before
    periods: list[ReportPeriodOut]


class ProductReportOut(Schema):
    """Problems ranked by customers affected (then revenue), as the product report."""

    period_days: int | None
    items: list[ProblemOut]


class AnswerAllIn(Schema):
    """One answer to every open conversation linked to a fixed problem: a template with
    the saved replies' variables ({customer.first_name}, {agent.name}…)."""

    template: str = Field(..., min_length=1, max_length=20_000)
    include_closed: bool = False  # closed conversations too


class AnswerItemOut(Schema):
    id: int
    conversation_id: int
    state: Literal["pending", "sent", "skipped", "failed", "undone"]
    body: str  # the template filled in for this conversation
    findings: list[dict[str, Any]]  # the coach's on this draft: code, severity, message
    error: str
    reply_id: int | None


class AnswerBatchOut(Schema):
    """The drafts (state drafted) until sent; the worker then sends each with the
    author's undo window, and ``progress`` counts the items by state."""

    id: int
    problem_id: int
    state: Literal["drafted", "sending", "done", "undone"]
    template: str
    include_closed: bool
    created_at: datetime
    progress: dict[str, int]
    items: list[AnswerItemOut]


class AnswerSendIn(Schema):
    skip: list[Id] = Field(default_factory=list, max_length=10_000)  # conversation ids
