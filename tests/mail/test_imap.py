"""IMAP polling against a real Dovecot: delivered mail is taken, stored once, and
marked \\Seen only after it is stored."""

from __future__ import annotations

import pytest

from calmdesk.desk.models import Message
from calmdesk.mail import imap
from calmdesk.mail import ingest as ingest_module
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.models import MailboxMailSettings
from calmdesk.mail.secrets import encrypt
from tests.mail.conftest import imap_append, imap_seen, make_mail

pytestmark = pytest.mark.django_db

KEY = "q0JZm0uL2jV4o9oE2Kx8qfXwV7yI9m1J3c2dQv6T8ZA="


@pytest.fixture
def polled(support, dovecot, imap_folder, settings):  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEY = KEY
    return MailboxMailSettings.objects.create(
        mailbox=support,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_security="none",
        imap_user=dovecot.user,
        imap_password_encrypted=encrypt(dovecot.password),
        imap_folder=imap_folder,
    )


def test_the_poller_takes_delivered_mail_and_marks_it_seen(polled, dovecot):
    imap_append(
        dovecot, polled.imap_folder, [make_mail(message_id=f"<i{n}@x.test>") for n in range(3)]
    )
    assert imap_seen(dovecot, polled.imap_folder) == (3, 0)
    tally = imap.run_once(new_worker_id())
    assert (tally.stored, tally.quarantined, tally.duplicates) == (3, 0, 0)
    assert imap_seen(dovecot, polled.imap_folder) == (3, 3)
    assert set(Message.objects.values_list("message_id", flat=True)) == {
        "<i0@x.test>",
        "<i1@x.test>",
        "<i2@x.test>",
    }
    polled.refresh_from_db()
    assert polled.last_poll_error == "" and polled.poll_claimed_by == ""


def test_mail_stays_unseen_when_the_database_is_down(polled, dovecot, monkeypatch):
    imap_append(dovecot, polled.imap_folder, [make_mail()])

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ingest_module.MailStoreUnavailable("connection refused")

    monkeypatch.setattr(imap, "ingest_raw", down)
    imap.run_once(new_worker_id())
    assert imap_seen(dovecot, polled.imap_folder) == (1, 0)
    polled.refresh_from_db()
    assert "database unavailable" in polled.last_poll_error


def test_a_bad_password_is_reported_without_the_password(polled, dovecot):
    MailboxMailSettings.objects.filter(pk=polled.pk).update(
        imap_password_encrypted=encrypt("wrong-secret-value")
    )
    imap.run_once(new_worker_id())
    polled.refresh_from_db()
    assert polled.last_poll_error
    assert "wrong-secret-value" not in polled.last_poll_error


def test_a_mailbox_being_polled_is_not_polled_twice(polled):
    from django.utils import timezone

    now = timezone.now()
    assert imap.claim_poll(polled.id, "host-a:1:x", now)
    assert not imap.claim_poll(polled.id, new_worker_id(), now)


@pytest.mark.parametrize("security,port_name", [("tls", "tls_port"), ("starttls", "port")])
def test_the_poller_speaks_tls_and_starttls(polled, dovecot, monkeypatch, security, port_name):
    import ssl

    trusting = ssl.create_default_context(cafile=str(dovecot.ca_file))
    monkeypatch.setattr(imap.ssl, "create_default_context", lambda *a, **k: trusting)
    MailboxMailSettings.objects.filter(pk=polled.pk).update(
        imap_security=security, imap_port=getattr(dovecot, port_name)
    )
    imap_append(dovecot, polled.imap_folder, [make_mail(message_id=f"<{security}@x.test>")])
    tally = imap.run_once(new_worker_id())
    assert tally.stored == 1, MailboxMailSettings.objects.get(pk=polled.pk).last_poll_error
    assert imap_seen(dovecot, polled.imap_folder) == (1, 1)


def test_a_polled_null_sender_bounce_is_kept_as_a_bounce(polled, dovecot):
    from calmdesk.mail.models import Bounce, Quarantine
    from tests.mail.test_hostile_mail import dsn

    imap_append(dovecot, polled.imap_folder, [dsn("MAILER-DAEMON <>", "x@y.example", "<n@z>")])
    tally = imap.run_once(new_worker_id())
    assert (tally.stored, tally.quarantined, tally.bounces) == (0, 0, 1)
    assert imap_seen(dovecot, polled.imap_folder) == (1, 1)
    assert Bounce.objects.count() == 1 and not Quarantine.objects.exists()
