"""Admins set a mailbox's servers (the password goes in encrypted and never comes
back out) and send quarantined mail round again through the task worker."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from calmdesk.mail.models import MailboxMailSettings, Quarantine
from calmdesk.mail.secrets import decrypt

pytestmark = pytest.mark.django_db

KEY = "q0JZm0uL2jV4o9oE2Kx8qfXwV7yI9m1J3c2dQv6T8ZA="


@pytest.fixture
def admin_client(client, db):  # type: ignore[no-untyped-def]
    client.force_login(User.objects.create_superuser("root", "root@x.test", "root-pass-123"))
    return client


def test_a_mailbox_password_is_stored_encrypted_and_never_shown(admin_client, support, settings):
    settings.ENCRYPTION_KEY = KEY
    response = admin_client.post(
        reverse("admin:mail_mailboxmailsettings_add"),
        {
            "mailbox": support.pk,
            "smtp_host": "smtp.example.com",
            "smtp_port": 587,
            "smtp_security": "starttls",
            "smtp_user": "support",
            "smtp_password": "s3cret-smtp",
            "imap_port": 993,
            "imap_security": "tls",
            "imap_folder": "INBOX",
            "poll_seconds": 60,
            "max_attachment_bytes": 1000,
            "max_attachments": 100,
            "max_attachments_total_bytes": 40 * 1024 * 1024,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = MailboxMailSettings.objects.get()
    assert "s3cret" not in row.smtp_password_encrypted
    assert decrypt(row.smtp_password_encrypted) == "s3cret-smtp"
    page = admin_client.get(reverse("admin:mail_mailboxmailsettings_change", args=[row.pk]))
    assert b"s3cret" not in page.content
    assert row.smtp_password_encrypted.encode() not in page.content


def test_quarantine_retry_is_a_background_task(admin_client, support):
    from calmdesk.mail.ingest import ingest_raw

    ingest_raw(b"Subject: no sender\r\n\r\nbody\r\n", support)
    row = Quarantine.objects.get()
    response = admin_client.post(
        reverse("admin:mail_quarantine_changelist"),
        {"action": "retry", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="retry_quarantined").exists()


def test_a_malformed_encryption_key_fails_the_system_check(settings):
    from calmdesk.mail.checks import check_encryption_key

    settings.ENCRYPTION_KEY = "not-a-key"
    assert [e.id for e in check_encryption_key(None)] == ["calmdesk.E101"]
    settings.ENCRYPTION_KEY = KEY
    assert check_encryption_key(None) == []
