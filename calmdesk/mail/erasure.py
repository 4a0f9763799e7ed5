"""A data-protection erasure reaches the quarantine too: raw mail that could not be
stored but came from (or names) the erased customer's addresses goes with the rest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from calmdesk.desk.actions import erasing_customer
from calmdesk.mail.models import InboundMail, Quarantine


def _quarantined_mail_of(addresses: list[bytes]) -> list[Quarantine]:
    root = Path(settings.RAW_MAIL_DIR)
    found = []
    for row in Quarantine.objects.all().iterator():
        try:
            raw = (root / row.raw_path).read_bytes().lower()
        except OSError:
            continue
        if any(address in raw for address in addresses):
            found.append(row)
    return found


@receiver(erasing_customer)
def erase_quarantined_mail(sender, customer, messages, **kwargs) -> None:  # type: ignore[no-untyped-def]
    addresses = [e.encode("utf-8").lower() for e in customer.emails.values_list("email", flat=True)]
    if not addresses:
        return
    rows = _quarantined_mail_of(addresses)
    if not rows:
        return
    paths = {row.raw_path for row in rows}
    Quarantine.objects.filter(pk__in=[row.pk for row in rows]).delete()
    root = Path(settings.RAW_MAIL_DIR).resolve()

    def remove_files() -> None:
        # Stored by content: a file a stored message still names stays.
        used = set(
            InboundMail.objects.filter(raw_path__in=paths).values_list("raw_path", flat=True)
        )
        for relative in paths - used:
            target = (root / relative).resolve()
            if target.is_relative_to(root):
                target.unlink(missing_ok=True)

    transaction.on_commit(remove_files)
