"""Which conversation a new message belongs to.

First the Message-IDs it answers (In-Reply-To, then References newest first), against
every message we know, ours included; then the conversation token in the subject.
Never across mailboxes: a match in another mailbox starts a new conversation here.

The subject token is ``[CD-xxxxxxxxxxxx]``: ``CD-`` and the conversation's 12 lowercase
hex characters, in square brackets, at the end of the subject of every reply we send.
It is permanent once mail goes out: customers' replies carry it for years, so the
format must never change (matching is case-insensitive, since some clients upcase).
"""

from __future__ import annotations

import re

from calmdesk.desk.models import Conversation, Mailbox, Message
from calmdesk.mail.parsing import ParsedMail

TOKEN_RE = re.compile(r"\[CD-([0-9a-f]{12})\]", re.IGNORECASE)
# How far back threading looks: long threads carry long References, and the newest ones
# are the ones that matter. (How many we write is smtp.REFERENCES_WRITTEN.)
REFERENCES_LOOKED_AT = 50


def subject_with_token(subject: str, token: str) -> str:
    tag = f"[CD-{token}]"
    base = TOKEN_RE.sub("", subject).strip()
    return f"{base} {tag}".strip()


def token_in(subject: str) -> str | None:
    match = TOKEN_RE.search(subject)
    return match.group(1).lower() if match else None


def find_conversation(mailbox: Mailbox, parsed: ParsedMail) -> tuple[Conversation | None, str]:
    """The conversation and how it was found: "headers", "bounce", "token" or ""."""
    wanted = [*parsed.in_reply_to, *reversed(parsed.references[-REFERENCES_LOOKED_AT:])]
    if parsed.is_bounce:
        wanted = [*parsed.bounced_message_ids[:REFERENCES_LOOKED_AT], *wanted]
    wanted = [m for m in dict.fromkeys(wanted) if m and m != parsed.message_id]
    if wanted:
        # The conversations come with the match: one query. The newest message wins when
        # several share a Message-ID.
        found = {
            match.message_id: match.conversation
            for match in Message.objects.filter(
                message_id__in=wanted, conversation__mailbox=mailbox
            )
            .select_related("conversation")
            .only("message_id", "conversation")
            .order_by("id")
        }
        for message_id in wanted:
            if message_id in found:
                how = "bounce" if message_id in parsed.bounced_message_ids else "headers"
                return found[message_id], how
    token = token_in(parsed.subject)
    if token:
        conversation = Conversation.objects.filter(mailbox=mailbox, token=token).first()
        if conversation is not None:
            return conversation, "token"
    return None, ""
