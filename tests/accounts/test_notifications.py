"""Notifications: who hears what, the list with its unread count, and the one path of
system mail (a real aiosmtpd server receives what the worker's job sends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import (
    Notification,
    NotificationKind,
    SystemMail,
    SystemMailKind,
    SystemMailState,
)
from calmdesk.accounts.notify import (
    do_notify,
    do_notify_admins,
    do_queue_system_mail,
    mentioned_usernames,
    unread_count,
)
from calmdesk.desk.actions import do_add_note, do_assign, do_erase_customer
from calmdesk.jobs.registry import job_named
from calmdesk.mail.systemmail import GIVE_UP_AFTER, MAX_ATTEMPTS, do_deliver_system_mail
from tests.desk.conftest import Desk, receive

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def kinds(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_alice_hears_a_conversation_was_given_to_her(desk: Desk) -> None:
    do_assign(desk.conversation, desk.bob, desk.alice)
    note = Notification.objects.get(recipient=desk.alice)
    assert note.kind == NotificationKind.ASSIGNED
    assert note.title == "Bob assigned you “Checkout broken”"
    assert note.url == reverse("conversation", args=[desk.conversation.pk])
    assert kinds(desk.bob) == []


def test_taking_a_conversation_yourself_tells_nobody(desk: Desk) -> None:
    do_assign(desk.conversation, desk.alice, desk.alice)
    assert kinds(desk.alice) == []


def test_the_assignee_hears_their_customer_wrote_again(desk: Desk) -> None:
    do_assign(desk.conversation, desk.bob, desk.alice)
    receive(desk.support, "maya@shop.example", "Still broken!", conversation=desk.conversation)
    replied = Notification.objects.get(recipient=desk.alice, kind=NotificationKind.CUSTOMER_REPLIED)
    assert replied.body == "Still broken!" and "Maya Okafor" in replied.title
    # Nobody is told of a message into an unassigned conversation.
    receive(desk.billing, "omar@books.example", "Hello?", conversation=desk.billing_conversation)
    assert Notification.objects.filter(kind=NotificationKind.CUSTOMER_REPLIED).count() == 1


@pytest.mark.parametrize(
    "text,names",
    [
        ("@alice can you look?", {"alice"}),
        ("Ask @Bob. And @dave.", {"bob", "dave"}),
        ("mail maya@shop.example", set()),
        ("@new.person@desk.example joined", {"new.person@desk.example"}),
    ],
)
def test_mentions_are_read_from_a_note(text: str, names: set[str]) -> None:
    assert mentioned_usernames(text) == names


def test_a_mention_tells_a_teammate_and_never_an_outsider(desk: Desk) -> None:
    do_add_note(desk.conversation, desk.alice, "@bob @charlie @dave @alice see the error code")
    assert kinds(desk.bob) == [NotificationKind.MENTIONED]
    assert kinds(desk.dave) == [NotificationKind.MENTIONED]  # a lead sees every mailbox
    assert kinds(desk.charlie) == []  # Billing's agent: not even that it exists
    assert kinds(desk.alice) == []  # not told of her own note


def test_admins_hear_a_system_notice_once_while_unread(desk: Desk) -> None:
    do_notify_admins("Mail loop stopped in Support", body="50 replies in an hour")
    do_notify_admins("Mail loop stopped in Support")
    assert kinds(desk.admin) == [NotificationKind.SYSTEM]
    assert kinds(desk.dave) == [] and kinds(desk.alice) == []


def test_the_list_shows_the_unread_count_and_marks_read(desk: Desk) -> None:
    do_assign(desk.conversation, desk.bob, desk.alice)
    do_add_note(desk.conversation, desk.bob, "@alice the customer is on 4.2.1")
    client = desk.client_for(desk.alice)
    page = client.get(reverse("inbox")).content.decode()
    assert 'class="unread" aria-label="2 unread">2</span>' in page
    listed = client.get(reverse("notifications")).content.decode()
    assert "Bob assigned you" in listed and "Bob mentioned you" in listed
    first = Notification.objects.filter(recipient=desk.alice).first()
    assert first is not None
    response = client.post(reverse("notification_open", args=[first.pk]))
    assert response["Location"] == reverse("conversation", args=[desk.conversation.pk])
    assert unread_count(desk.alice) == 1
    client.post(reverse("notifications_read"))
    assert unread_count(desk.alice) == 0
    assert 'class="unread"' not in client.get(reverse("inbox")).content.decode()


def test_nobody_opens_another_persons_notification(desk: Desk) -> None:
    (note,) = do_notify([desk.alice], NotificationKind.SYSTEM, "For alice")
    response = desk.client_for(desk.bob).post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 404 and unread_count(desk.alice) == 1


def test_a_notification_never_sends_anyone_off_the_desk(desk: Desk) -> None:
    (note,) = do_notify([desk.alice], NotificationKind.SYSTEM, "Look", url="//evil.example/x")
    response = desk.client_for(desk.alice).post(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notifications")


# -- the one path of system mail --------------------------------------------------------


def test_notifications_are_mailed_only_to_who_chose_so_and_only_with_smtp(
    desk: Desk, settings, smtp_settings
) -> None:  # type: ignore[no-untyped-def]
    bob = desk.bob.agent  # type: ignore[attr-defined]
    bob.email_notifications = False
    bob.save()
    do_add_note(desk.conversation, desk.admin, "@alice @bob please look")
    assert list(SystemMail.objects.values_list("to", flat=True)) == ["alice@desk.example"]
    assert do_deliver_system_mail(timezone.now()) == 1
    (mail,) = smtp_settings.received
    assert mail.recipients == ["alice@desk.example"]
    message = mail.message
    assert message["Subject"].startswith("[calmdesk] ") and "mentioned you" in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "please look" in body
    assert f"/c/{desk.conversation.pk}/" in body
    assert SystemMail.objects.get().state == SystemMailState.SENT
    settings.SMTP_HOST = None
    do_add_note(desk.conversation, desk.admin, "@alice again")
    assert SystemMail.objects.count() == 1  # no server: listed in the desk only


def test_the_worker_job_sends_invite_and_reset_mail_and_forgets_their_links(
    db, smtp_settings
) -> None:  # type: ignore[no-untyped-def]
    do_queue_system_mail(
        "new@desk.example",
        "Join",
        "https://desk/invite/secret",
        kind=SystemMailKind.INVITE,
        sensitive=True,
        now=NOW,
    )
    job = job_named("mail.system_mail")
    assert job is not None
    job.run(NOW)
    (mail,) = smtp_settings.received
    assert "https://desk/invite/secret" in mail.message.get_content()
    sent = SystemMail.objects.get()
    assert (sent.state, sent.body) == (SystemMailState.SENT, "")
    job.run(NOW + timedelta(minutes=1))
    assert len(smtp_settings.received) == 1  # sent once


def test_a_refusing_server_is_tried_again_then_given_up(db, smtp_settings) -> None:  # type: ignore[no-untyped-def]
    smtp_settings.refuse_with = "451 try later"
    mail = do_queue_system_mail(
        "a@desk.example", "Hi", "body", kind=SystemMailKind.NOTIFICATION, now=NOW
    )
    when = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert do_deliver_system_mail(when) == 0
        mail.refresh_from_db()
        assert mail.attempts == attempt and "451" in mail.last_error
        assert do_deliver_system_mail(when) == 0  # not due again at once
        when = mail.next_attempt_at
    assert mail.state == SystemMailState.FAILED
    smtp_settings.refuse_with = "550 no such user"
    other = do_queue_system_mail(
        "b@desk.example", "Hi", "b", kind=SystemMailKind.NOTIFICATION, now=NOW
    )
    do_deliver_system_mail(NOW)
    other.refresh_from_db()
    assert (other.state, other.attempts) == (SystemMailState.FAILED, 1)


def test_without_a_server_mail_waits_then_is_given_up(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMTP_HOST = None
    mail = do_queue_system_mail(
        "a@desk.example",
        "Reset",
        "secret link",
        kind=SystemMailKind.PASSWORD_RESET,
        sensitive=True,
        now=NOW,
    )
    assert do_deliver_system_mail(NOW + timedelta(hours=1)) == 0
    mail.refresh_from_db()
    assert mail.state == SystemMailState.PENDING
    do_deliver_system_mail(NOW + GIVE_UP_AFTER + timedelta(seconds=1))
    mail.refresh_from_db()
    assert (mail.state, mail.body) == (SystemMailState.FAILED, "")


def test_old_read_notifications_and_old_sent_mail_are_pruned(desk: Desk) -> None:
    from calmdesk.accounts.jobs import KEEP_READ_NOTIFICATIONS, KEEP_SYSTEM_MAIL, do_prune

    old = NOW - KEEP_READ_NOTIFICATIONS - timedelta(days=1)
    read, unread, recent = (
        do_notify([desk.alice], NotificationKind.SYSTEM, title, now=old)[0]
        for title in ("read long ago", "never read", "read lately")
    )
    Notification.objects.filter(pk=read.pk).update(read_at=old)
    Notification.objects.filter(pk=recent.pk).update(read_at=NOW)
    sent = do_queue_system_mail("a@desk.example", "x", "y", kind=SystemMailKind.INVITE, now=old)
    SystemMail.objects.filter(pk=sent.pk).update(state=SystemMailState.SENT)
    waiting = do_queue_system_mail("b@desk.example", "x", "y", kind=SystemMailKind.INVITE, now=NOW)
    assert do_prune(NOW) == (1, 1)
    assert set(Notification.objects.values_list("pk", flat=True)) == {unread.pk, recent.pk}
    assert list(SystemMail.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert KEEP_SYSTEM_MAIL < KEEP_READ_NOTIFICATIONS


def test_erasing_a_customer_takes_the_notifications_and_mails_that_quoted_them(
    desk: Desk, smtp_settings
) -> None:  # type: ignore[no-untyped-def]
    do_assign(desk.conversation, desk.bob, desk.alice)
    receive(desk.support, "maya@shop.example", "My card ends 4242", conversation=desk.conversation)
    assert SystemMail.objects.filter(body__contains="4242").exists()
    do_erase_customer(desk.customer, desk.admin)
    assert not Notification.objects.filter(body__contains="4242").exists()
    assert not SystemMail.objects.filter(body__contains="4242").exists()
    assert not Notification.objects.filter(title__contains="Maya").exists()
