"""The send-state partial (countdown, Undo, outcome) and inline images, as alice of
Support and charlie of Billing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import Outbox, OutboxState
from tests.mail.conftest import make_mail
from tests.mail.test_ingest import HTML_MAIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(support, alice):  # type: ignore[no-untyped-def]
    conversation = ingest_raw(make_mail(), support).message.conversation
    return do_send_reply(conversation, alice, "On it.")


def test_the_author_sees_the_countdown_and_undo(client, alice, reply, monkeypatch):
    monkeypatch.setattr("calmdesk.mail.sendstate.clock", lambda: reply.created_at)
    client.force_login(alice)
    page = client.get(reverse("mail_send_state", args=[reply.pk])).content.decode()
    assert "Sending in 20 seconds" in page
    assert reverse("conversation_undo", args=[reply.conversation_id, reply.pk]) in page
    assert 'hx-trigger="every 1s"' in page


def test_a_sent_reply_stops_asking(client, alice, reply):
    Outbox.objects.filter(message=reply).update(state=OutboxState.SENT, sent_at=timezone.now())
    client.force_login(alice)
    page = client.get(reverse("mail_send_state", args=[reply.pk])).content.decode()
    assert "Sent at" in page and "hx-get" not in page and "Undo" not in page


def test_a_failed_reply_says_why(client, alice, reply):
    Outbox.objects.filter(message=reply).update(
        state=OutboxState.FAILED, last_error="550 no such user", send_at=timezone.now()
    )
    client.force_login(alice)
    page = client.get(reverse("mail_send_state", args=[reply.pk])).content.decode()
    assert "Not delivered" in page and "550 no such user" in page


def test_another_mailbox_agent_gets_nothing(client, charlie, reply):
    client.force_login(charlie)
    assert client.get(reverse("mail_send_state", args=[reply.pk])).status_code == 404


def test_inline_images_are_served_to_the_mailbox_only(client, alice, charlie, support):
    message = ingest_raw(HTML_MAIL, support).message
    src = message.body_html.split('src="')[1].split('"')[0]
    client.force_login(alice)
    response = client.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n"
    client.force_login(charlie)
    assert client.get(src).status_code == 404


def test_undo_window_closes_in_the_partial(client, alice, reply):
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(seconds=1))
    client.force_login(alice)
    page = client.get(reverse("mail_send_state", args=[reply.pk])).content.decode()
    assert "Undo" not in page
