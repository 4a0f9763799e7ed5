"""F8: a reply carries a screenshot to the customer; a file too large is refused whole."""

from __future__ import annotations

import email
from email import policy

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calmdesk.desk import actions
from calmdesk.desk.models import MessageKind
from calmdesk.mail.models import Outbox
from calmdesk.mail.smtp import build_reply

from .conftest import Desk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_screenshot_travels_with_the_reply(desk: Desk) -> None:
    shot = SimpleUploadedFile("where to click.png", PNG, content_type="image/png")
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {
            "body": "Hi Maya, here is where to click: https://video.example/cast/12",
            "seen_up_to": desk.message.pk,
            "attachments": [shot],
        },
    )
    assert response.status_code == 302
    reply = desk.conversation.messages.get(kind=MessageKind.REPLY)
    attachment = reply.attachments.get()
    assert attachment.filename == "where to click.png" and attachment.size == len(PNG)
    assert "where to click" not in attachment.file.name  # stored under a generated name
    sent = email.message_from_bytes(build_reply(reply).data, policy=policy.default)
    parts = [part for part in sent.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["where to click.png"]
    assert parts[0].get_content() == PNG
    assert "video.example/cast/12" in sent.get_body(("plain",)).get_content()


def test_an_oversized_file_refuses_the_whole_send(desk: Desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(actions, "MAX_REPLY_ATTACHMENT_BYTES", 10)
    big = SimpleUploadedFile("big.png", PNG, content_type="image/png")
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {
            "body": "Hi Maya, see the attached screenshot.",
            "seen_up_to": desk.message.pk,
            "attachments": [big],
        },
    )
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()
    assert not desk.conversation.messages.filter(kind=MessageKind.REPLY).exists()
    assert not Outbox.objects.exists()


def test_no_reply_is_written_to_an_erased_customer(desk: Desk) -> None:
    import pytest

    from calmdesk.desk.actions import ActionError, do_erase_customer
    from calmdesk.mail.actions import do_send_reply

    do_erase_customer(desk.customer, desk.admin)
    with pytest.raises(ActionError, match="erased"):
        do_send_reply(desk.conversation, desk.alice, "Hi, are you still there?")
    assert not Outbox.objects.exists()
