"""Which conversation a new message belongs to.

First the Message-IDs it answers (In-Reply-To, then References newest first), against
every message we know, ours first; then the conversation token in the subject.
Never across mailboxes: a match in another mailbox starts a new conversation here.
And never for a stranger: a token or a Message-ID is easy to copy, so a message joins
only when its sender is a participant (``mail.participants``).

The subject token is ``[CD-xxxxxxxxxxxx]``: ``CD-`` and the conversation's 12 lowercase
hex characters, in square brackets, at the end of the subject of every reply we send.
It is permanent once mail goes out: customers' replies carry it for years, so the
format must never change (matching is case-insensitive, since some clients upcase).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from calmdesk.desk.models import Conversation, Customer, Mailbox, Message, MessageKind
from calmdesk.mail.parsing import ParsedMail
from calmdesk.mail.participants import is_participant

TOKEN_RE = re.compile(r"\[CD-([0-9a-f]{12})\]", re.IGNORECASE)
# How far back threading looks: long threads carry long References, and the newest ones
# are the ones that matter. (How many we write is smtp.REFERENCES_WRITTEN.)
REFERENCES_LOOKED_AT = 50
# The form of the Message-IDs we give replies (mail.actions.new_message_id).
OUR_MESSAGE_ID_RE = re.compile(r"<[0-9a-f]{32}@[^<>@\s]+>")
# What we send under those IDs: replies, and forwards (mail.compose.do_forward).
OURS = (MessageKind.REPLY, MessageKind.FORWARD)


def subject_with_token(subject: str, token: str) -> str:
    tag = f"[CD-{token}]"
    base = TOKEN_RE.sub("", subject).strip()
    return f"{base} {tag}".strip()


def token_in(subject: str) -> str | None:
    match = TOKEN_RE.search(subject)
    return match.group(1).lower() if match else None


@dataclass(frozen=True)
class Threading:
    """Where a message goes: ``conversation`` (None opens one) and how it was found
    ("headers", "bounce", "token" or ""). ``claims`` is the conversation its token or
    headers pointed at when the sender is no participant of it: the message opens a
    conversation of its own, marked "claims to continue #N"."""

    conversation: Conversation | None
    how: str = ""
    claims: Conversation | None = None


def find_conversation(
    mailbox: Mailbox, parsed: ParsedMail, sender: Customer | None = None
) -> Threading:
    """``sender`` is the customer the From address belongs to, when known."""
    conversation, how = _pointed_at(mailbox, parsed)
    conversation = _merged_into(conversation)
    if conversation is None or parsed.is_bounce:
        # A bounce speaks for a message of ours (matched on our own Message-IDs only) and
        # is never filed as a message, so it cannot take a thread over.
        return Threading(conversation, how)
    if is_participant(conversation, parsed.from_address, mailbox=mailbox, customer=sender):
        return Threading(conversation, how)
    return Threading(None, "", claims=conversation)


# Merged conversations forward to the one they were merged into; more hops than this is
# a loop nobody made on purpose.
MERGE_HOPS = 10


def _merged_into(conversation: Conversation | None) -> Conversation | None:
    """Where mail to ``conversation`` lands: a merged one's (``desk.merge``) token and
    Message-IDs keep landing in the conversation it was merged into. No query unless
    merged."""
    for _hop in range(MERGE_HOPS):
        if conversation is None or conversation.merged_into_id is None:
            return conversation
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
    return conversation


def _pointed_at(mailbox: Mailbox, parsed: ParsedMail) -> tuple[Conversation | None, str]:
    if parsed.is_bounce:
        # Only our replies bounce; what a bounce quotes of anyone else's is no anchor.
        wanted = list(dict.fromkeys(parsed.bounced_message_ids[:REFERENCES_LOOKED_AT]))
        found = _by_message_id(mailbox, wanted, replies_only=True)
        return (found, "bounce") if found is not None else (None, "")
    wanted = [*parsed.in_reply_to, *reversed(parsed.references[-REFERENCES_LOOKED_AT:])]
    wanted = [m for m in dict.fromkeys(wanted) if m and m != parsed.message_id]
    found = _by_message_id(mailbox, wanted, replies_only=False)
    if found is not None:
        return found, "headers"
    token = token_in(parsed.subject)
    if token:
        conversation = Conversation.objects.filter(mailbox=mailbox, token=token).first()
        if conversation is not None:
            return conversation, "token"
    return None, ""


def _by_message_id(
    mailbox: Mailbox, wanted: list[str], *, replies_only: bool
) -> Conversation | None:
    """The conversation of the first of ``wanted`` we know. Our own reply wins over any
    other message with its ID (a stranger can send one with it), then the newest."""
    if not wanted:
        return None
    matches = Message.objects.filter(message_id__in=wanted, conversation__mailbox=mailbox)
    if replies_only:
        matches = matches.filter(kind__in=OURS)
    found: dict[str, tuple[bool, Conversation]] = {}
    # The conversations come with the match: one query.
    for match in (
        matches.select_related("conversation")
        .only("message_id", "kind", "conversation")
        .order_by("id")
    ):
        ours = match.kind in OURS
        if found.get(match.message_id, (False, None))[0] and not ours:
            continue  # our reply keeps its ID
        found[match.message_id] = (ours, match.conversation)
    for message_id in wanted:
        if message_id in found:
            return found[message_id][1]
    return None


def is_our_message_id(message_id: str) -> bool:
    """A Message-ID we gave a reply: an inbound message carrying it as its own is
    not an anchor for threading (see ``ingest``). Only an ID of the form ours take
    (``mail.actions.new_message_id``) is looked up, so a customer's mail costs no query;
    threading prefers our reply over any other message with its ID in any case."""
    if not OUR_MESSAGE_ID_RE.fullmatch(message_id):
        return False
    return Message.objects.filter(message_id=message_id, kind__in=OURS).exists()
