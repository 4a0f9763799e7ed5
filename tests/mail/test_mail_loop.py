"""A mail loop whose send cap trips is told (issue 14): an event in the thread, a log
line with its code and a notice to the admins, once while the loop lasts."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from calmdesk.accounts.models import Agent, Notification, Role
from calmdesk.desk.models import Event, EventKind
from calmdesk.mail import outbox
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import Outbox
from calmdesk.mail.notices import LOOP_CAPPED
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(db):  # type: ignore[no-untyped-def]
    """Dora runs the desk: an admin, told of anything that needs one."""
    user = User.objects.create_user("dora", "dora@calmdesk.test", "dora-pass-123")
    Agent.objects.create(user=user, role=Role.ADMIN)
    return user


def test_a_tripped_send_cap_raises_one_alert(
    support, alice, dora, smtp_settings, monkeypatch, caplog
):
    monkeypatch.setattr(outbox, "SENDS_PER_CONVERSATION_PER_HOUR", 2)
    thread = ingest_raw(make_mail(), support).message.conversation
    replies = [do_send_reply(thread, alice, f"Reply {n}.") for n in range(4)]
    Outbox.objects.update(send_at=timezone.now() - timedelta(seconds=1))
    with caplog.at_level(logging.WARNING, logger="calmdesk.mail.notices"):
        outbox.run_once(new_worker_id())
        Outbox.objects.filter(message__in=replies[2:]).update(
            send_at=timezone.now() - timedelta(seconds=1)
        )
        outbox.run_once(new_worker_id())  # still capped: no second alert
    assert len(smtp_settings.received) == 2
    alert = Event.objects.get(conversation=thread, kind=EventKind.MAIL)
    assert alert.data == {"loop_capped": True, "sent_last_hour": 2}
    assert [r.message for r in caplog.records if LOOP_CAPPED in r.message] == [
        f"{LOOP_CAPPED} mail loop: conversation {thread.pk} sent 2 replies in an hour; "
        "the rest wait"
    ]
    notice = Notification.objects.get(recipient=dora)
    assert f"#{thread.pk}" in notice.title
    assert not Notification.objects.filter(recipient=alice).exists()
