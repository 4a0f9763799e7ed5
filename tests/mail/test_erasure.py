"""Erasing a customer also removes quarantined raw mail that carries their address."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from calmdesk.desk.actions import do_erase_customer
from calmdesk.mail import rawstore
from calmdesk.mail.models import Quarantine
from tests.desk.conftest import Desk, desk  # noqa: F401


def _quarantine(raw: bytes) -> Quarantine:
    digest, rel = rawstore.keep(raw)
    return Quarantine.objects.create(
        raw_sha256=digest, raw_path=rel, size=len(raw), reason="test", created_at=timezone.now()
    )


def test_erasure_takes_the_customers_quarantined_mail(
    desk: Desk,  # noqa: F811
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    theirs = _quarantine(b"From: Maya <MAYA@shop.example>\r\nSubject: broken\r\n\r\n\xff\xfe")
    other = _quarantine(b"From: someone@else.example\r\n\r\nnot hers")
    with django_capture_on_commit_callbacks(execute=True):
        do_erase_customer(desk.customer, desk.admin)
    assert not Quarantine.objects.filter(pk=theirs.pk).exists()
    assert not (Path(settings.RAW_MAIL_DIR) / theirs.raw_path).exists()
    assert Quarantine.objects.filter(pk=other.pk).exists()
    assert (Path(settings.RAW_MAIL_DIR) / other.raw_path).exists()
