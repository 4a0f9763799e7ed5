"""A data-protection erasure reaches the mail the app keeps: the raw mail the erased
messages arrived in, and quarantined raw mail and bounces that came from (or name) the
customer's addresses, or bounced from their conversations. The desk's erasure sends
``erasing_customer``; this answers it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver

from calmdesk.desk.actions import erasing_customer
from calmdesk.desk.models import Customer, Message
from calmdesk.mail import rawstore
from calmdesk.mail.models import Bounce, InboundMail, Quarantine


def _kept_mail_of(rows: QuerySet, addresses: list[bytes]) -> list:
    found = []
    for row in rows.iterator():
        try:
            raw = rawstore.read(row.raw_path).lower()
        except OSError:
            continue
        if any(address in raw for address in addresses):
            found.append(row)
    return found


@receiver(erasing_customer)
def erase_mail_of(
    sender: type[Customer], customer: Customer, messages: QuerySet[Message], **kwargs: object
) -> None:
    """Runs inside the erasing transaction, before the messages (and with them their
    InboundMail rows) are deleted; the files go once it commits."""
    names = set(InboundMail.objects.filter(message__in=messages).values_list("raw_path", flat=True))
    addresses = [e.encode("utf-8").lower() for e in customer.emails.values_list("email", flat=True)]
    quarantined = _kept_mail_of(Quarantine.objects.all(), addresses) if addresses else []
    if quarantined:
        names |= {row.raw_path for row in quarantined}
        Quarantine.objects.filter(pk__in=[row.pk for row in quarantined]).delete()
    # Bounces of mail to the customer: on their conversations, or naming their address.
    bounces = list(Bounce.objects.filter(conversation__customer=customer))
    others = Bounce.objects.exclude(pk__in=[b.pk for b in bounces])
    bounces += _kept_mail_of(others, addresses) if addresses else []
    if bounces:
        names |= {row.raw_path for row in bounces}
        Bounce.objects.filter(pk__in=[row.pk for row in bounces]).delete()
    if names:
        transaction.on_commit(lambda: rawstore.forget(names))
