"""The conversation page's one poll: its pulse.

An open conversation asks every few seconds whether anything it shows has changed: a
reply's send state, new messages or events, a teammate viewing or typing. The answer is
conditional: the ETag is a hash of a cheap change marker (the conversation's row with its
newest message and event ids, the replies still on their way, who else is here), read in
three small queries, so an unchanged conversation gets a 304 without rendering anything.
When something changed, the answer carries out-of-band swaps of the partials the page
already has. The same request says the agent is viewing (calmdesk.accounts.presence)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from calmdesk.accounts.models import PresenceState
from calmdesk.accounts.presence import Presences, do_mark_presence, needs_refresh, presences
from calmdesk.desk.access import (
    SignedInRequest,
    agent_required,
    sees_every_mailbox,
    visible_mailbox_ids,
)
from calmdesk.desk.models import Conversation, Event, Message, MessageKind
from calmdesk.mail import sendstate
from calmdesk.mail.models import Outbox, OutboxState
from calmdesk.mail.sendstate import is_counting_down, send_state_context, shown_marker

# Seconds between asks: while a reply counts down (or is being sent) the page shows the
# seconds; otherwise a few seconds is soon enough for a new message or a teammate.
EVERY_MOVING = 1
EVERY_IDLE = 3
# The replies whose send state a changed answer brings again (the newest).
MAX_REPLIES = 20
PENDING = [OutboxState.SCHEDULED, OutboxState.SENDING]
# Replies with an outbox row: on their way, sent, taken back or failed.
SENT_KINDS = [MessageKind.REPLY, MessageKind.WITHDRAWN, MessageKind.FAILED]
MARKER_FIELDS = (
    "id",
    "mailbox_id",
    "status",
    "assignee_id",
    "snoozed_until",
    "last_message",
    "last_event",
)


# The marker, on the path every open page takes every few seconds: the ORM's compiling of
# these queries cost ten times their running (about 4 ms against 0.3; `calmdesk bench
# poll`), so they are written out once. The newest ids are grouped so that PostgreSQL reads
# the conversation's rows by its index rather than walking the primary key back for MAX.
_MARKER_SQL = """
SELECT c.id, c.mailbox_id, c.status, c.assignee_id, c.snoozed_until,
  (SELECT MAX(m.id) FROM {message} m WHERE m.conversation_id = c.id
   GROUP BY m.conversation_id) AS last_message,
  (SELECT MAX(e.id) FROM {event} e WHERE e.conversation_id = c.id
   GROUP BY e.conversation_id) AS last_event
FROM {conversation} c WHERE c.id = %s{scope}
"""
_MOVING_SQL = """
SELECT o.id, o.message_id, o.state, o.send_at, o.last_error
FROM {outbox} o INNER JOIN {message} m ON m.id = o.message_id
WHERE m.conversation_id = %s AND o.state IN (%s, %s) ORDER BY o.message_id
"""


def _seen(request: SignedInRequest, name: str) -> int | None:
    """The newest id the page showed when it was rendered (None: not said)."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _marker_row(request: SignedInRequest, pk: int) -> dict[str, object]:
    """The conversation (if the agent may see it) with its newest message and event."""
    scope, params = "", [pk]
    if not sees_every_mailbox(request.user):
        ids = visible_mailbox_ids(request.user) or [0]
        scope = f" AND c.mailbox_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    sql = _MARKER_SQL.format(
        conversation=Conversation._meta.db_table,
        message=Message._meta.db_table,
        event=Event._meta.db_table,
        scope=scope,
    )
    found = list(Conversation.objects.raw(sql, params))
    if not found:
        raise Http404
    row = found[0]
    return {field: getattr(row, field) for field in MARKER_FIELDS}


def _moving(pk: int) -> list[Outbox]:
    """The conversation's replies still on their way."""
    sql = _MOVING_SQL.format(outbox=Outbox._meta.db_table, message=Message._meta.db_table)
    return list(Outbox.objects.raw(sql, [pk, *PENDING]))


def _etag(*parts: object) -> str:
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


@agent_required
@require_GET
def pulse(request: SignedInRequest, pk: int) -> HttpResponse:
    now = sendstate.clock()  # the send states' clock, which tests stop
    row = _marker_row(request, pk)
    moving = _moving(pk)
    here = presences(pk, int(str(row["mailbox_id"])), request.user, now)
    if needs_refresh(here.mine, now):
        do_mark_presence(pk, request.user, PresenceState.VIEWING, now)
    every = EVERY_MOVING if any(is_counting_down(o, now) for o in moving) else EVERY_IDLE
    etag = _etag(
        request.user.pk,
        get_language(),
        request.GET.urlencode(),
        sorted(row.items()),
        [shown_marker(o, now) for o in moving],
        here.marker,
        every,
    )
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:
        unchanged["ETag"] = etag
        return unchanged
    response = render(request, "desk/_pulse.html", _changed(request, row, here, every, now))
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _changed(
    request: SignedInRequest, row: dict[str, object], here: Presences, every: int, now: datetime
) -> dict[str, object]:
    """What the page updates: who is here, what is new, the replies' send states. The
    page says the newest message it showed; its first ask learns the newest event."""
    pk = int(str(row["id"]))
    seen_message, seen_event = _seen(request, "m"), _seen(request, "e")
    replies = list(
        Message.objects.filter(conversation_id=pk, kind__in=SENT_KINDS)
        .select_related("outbox")
        .defer("body_text", "body_html", "analysis_text")
        .order_by("-id")[:MAX_REPLIES]
    )
    for message in replies:
        message.send_state = send_state_context(message, request.user, now)  # type: ignore[attr-defined]
    others = (
        Message.objects.filter(conversation_id=pk, id__gt=seen_message)
        .exclude(author=request.user)
        .count()
        if seen_message is not None
        else 0
    )
    changes = (
        Event.objects.filter(conversation_id=pk, id__gt=seen_event)
        .exclude(actor=request.user)
        .count()
        if seen_event is not None
        else 0
    )
    return {
        "conversation_pk": pk,
        "here": here,
        "replies": replies,
        "new_messages": others,
        "new_events": changes,
        "every": every,
        "seen_message": (row["last_message"] or 0) if seen_message is None else seen_message,
        "seen_event": (row["last_event"] or 0) if seen_event is None else seen_event,
        "oob": True,
    }
