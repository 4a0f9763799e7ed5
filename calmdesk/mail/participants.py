"""Who may continue a conversation by its subject token or by answering one of its
Message-IDs: the customer's known addresses, the addresses kept as its participants
(senders filed into it, people they copied, people we wrote to, imported ones), the
mailbox's own address and its agents' addresses. Anyone else who quotes the token or a
Message-ID opens a conversation of their own (see ``threads.find_conversation``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from calmdesk.accounts.models import Agent
from calmdesk.desk.models import Conversation, Customer, CustomerEmail, Mailbox
from calmdesk.mail.models import Participant, ParticipantSource


def is_participant(
    conversation: Conversation, address: str, *, mailbox: Mailbox, customer: Customer | None
) -> bool:
    """``customer`` is whom ``address`` belongs to, when known: the conversation's own
    customer needs no query (the common case, a customer answering)."""
    address = address.strip().lower()
    if not address:
        return False
    if customer is not None and customer.pk == conversation.customer_id:
        return True
    if address == mailbox.email.lower():
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            _known_sql(),
            [
                conversation.customer_id,
                address,
                conversation.pk,
                conversation.pk,
                address,
                conversation.mailbox_id,
                address,
                True,
            ],
        )
        return cursor.fetchone() is not None


# The three places an address may be known, in one round trip (a stranger's mail asks
# all three): the customer's addresses, the participants of the conversation and of
# those merged into it (desk.merge), and the mailbox's active agents (case-insensitive,
# as addresses typed into a profile may be). Written out: the ORM's compiling of it
# cost ten times its running.
_KNOWN_SQL = """
SELECT 1 WHERE EXISTS (SELECT 1 FROM {customer_email} WHERE customer_id = %s AND email = %s)
OR EXISTS (
  SELECT 1 FROM {participant} p INNER JOIN {conversation} c ON c.id = p.conversation_id
  WHERE (c.id = %s OR c.merged_into_id = %s) AND p.email = %s)
OR EXISTS (
  SELECT 1 FROM {user} u INNER JOIN {agent} a ON a.user_id = u.id
  INNER JOIN {agent_mailboxes} am ON am.agent_id = a.id
  WHERE am.mailbox_id = %s AND UPPER(u.email) = UPPER(%s) AND u.is_active = %s)
"""


def _known_sql() -> str:
    return _KNOWN_SQL.format(
        customer_email=CustomerEmail._meta.db_table,
        participant=Participant._meta.db_table,
        conversation=Conversation._meta.db_table,
        user=User._meta.db_table,
        agent=Agent._meta.db_table,
        agent_mailboxes=Agent.mailboxes.through._meta.db_table,
    )


def do_add_participants(
    conversation: Conversation,
    addresses: Iterable[str],
    source: ParticipantSource,
    *,
    now: datetime | None = None,
) -> int:
    """Keep ``addresses`` as participants of ``conversation`` (an address already kept
    keeps its first source). Returns how many were new."""
    wanted = {a.strip().lower() for a in addresses if "@" in a and len(a.strip()) <= 320}
    if not wanted:
        return 0
    known = set(
        Participant.objects.filter(conversation=conversation, email__in=wanted).values_list(
            "email", flat=True
        )
    )
    when = now or timezone.now()
    new = [
        Participant(conversation=conversation, email=email, source=source, created_at=when)
        for email in sorted(wanted - known)
    ]
    Participant.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reply_recipient(conversation: Conversation, last_from: str) -> str:
    """Where a reply goes: the customer's address the latest customer message came
    from, when it is one of theirs; otherwise the customer's first address. Never a
    copied colleague or anyone else who wrote last."""
    address = last_from.strip().lower()
    if (
        address
        and CustomerEmail.objects.filter(
            customer_id=conversation.customer_id, email=address
        ).exists()
    ):
        return address
    return conversation.customer.primary_email


def reply_choices(conversation: Conversation, own: list[str] | None = None) -> list[str]:
    """The addresses an agent may send a reply of ``conversation`` to instead of the
    customer's: the customer's own (``own``, when the caller has them), then the
    participants'."""
    if own is None:
        mine = CustomerEmail.objects.filter(customer_id=conversation.customer_id)
        own = list(mine.order_by("id").values_list("email", flat=True))
    kept = Participant.objects.filter(conversation=conversation).order_by("id")
    return list(dict.fromkeys([*own, *kept.values_list("email", flat=True)]))
