"""Who may continue a conversation by its subject token or by answering one of its
Message-IDs: the customer's known addresses, the addresses kept as its participants
(senders filed into it, people they copied, people we wrote to, imported ones), the
mailbox's own address and its agents' addresses. Anyone else who quotes the token or a
Message-ID opens a conversation of their own (see ``threads.find_conversation``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.utils import timezone

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
    if CustomerEmail.objects.filter(customer_id=conversation.customer_id, email=address).exists():
        return True
    if Participant.objects.filter(conversation=conversation, email=address).exists():
        return True
    return User.objects.filter(
        agent__mailboxes=conversation.mailbox_id, email__iexact=address, is_active=True
    ).exists()


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
