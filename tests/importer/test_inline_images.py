"""An imported message's inline images point at the desk's copies of them: <img
src="cid:…"> in mail and a help desk's own (expiring) link both become the stored
attachment's URL, which alice, an agent of the mailbox, can open; other images are
dropped by the cleaner as the ingest drops them."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client

from calmdesk.desk.models import Attachment, Message, MessageKind, Status
from calmdesk.importer.records import (
    FailureSink,
    ImportAttachment,
    ImportConversation,
    ImportMessage,
    Stream,
)
from calmdesk.importer.run import run_import
from calmdesk.importer.sources.mail import MailArchive
from tests.conftest import shared_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def _sources(html: str) -> list[str]:
    return re.findall(r'<img[^>]*src="([^"]*)"', html)


def _opened_by_alice(url: str) -> bytes:
    client = Client()
    client.force_login(get_user_model().objects.get(username="alice"))
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_cid_images_of_a_mail_point_at_the_stored_files(support, tmp_path: Path) -> None:
    eml = shared_data("import", "mbox", "django_mailbox", "message_with_image_jpg_mimetype.eml")
    shutil.copy(eml, tmp_path / "image.eml")
    source = MailArchive("eml", tmp_path, {"support@desk.example"})
    assert run_import(source, support, progress=False).complete
    message = Message.objects.get()
    images = {a.content_id: a for a in message.attachments.all() if a.content_id}
    sources = _sources(message.body_html)
    # The HTML shows two of its three related parts, in this order.
    assert sources == [
        f"/attachments/{images['RMXPLRIHWRQK.3.jpg'].pk}/",
        f"/attachments/{images['OEOYKEJENLIK.2.jpg'].pk}/",
    ]
    stored = images["RMXPLRIHWRQK.3.jpg"]
    assert _opened_by_alice(sources[0]) == stored.file.open("rb").read()


class Ticket:
    """One ticket whose reply shows an image by the help desk's signed link, and a
    tracking pixel from elsewhere."""

    name = "helpdesk:inline"

    def streams(self, fail: FailureSink) -> list[Stream]:
        link = "https://acme.example.com/files/77/screenshot.png?sig=abc&expires=1"
        html = (
            '<p>Here is where to click:</p><img src="https://acme.example.com/files/77/'
            'screenshot.png?sig=abc&amp;expires=1" alt="screenshot">'
            '<img src="https://tracker.example.net/pixel.gif">'
        )
        reply = ImportMessage(
            "r1",
            MessageKind.REPLY,
            datetime(2025, 4, 1, 10, tzinfo=UTC),
            "Here is where to click:",
            html=html,
            author_email="alice@desk.example",
            attachments=(
                ImportAttachment(
                    "77", "screenshot.png", "image/png", PNG, inline=True, source_url=link
                ),
            ),
        )
        question = ImportMessage(
            "q1", MessageKind.CUSTOMER, datetime(2025, 4, 1, 9, tzinfo=UTC), "Where is export?"
        )
        conversation = ImportConversation(
            "t1",
            "Export",
            Status.CLOSED,
            datetime(2025, 4, 1, 9, tzinfo=UTC),
            "maya@shop.example",
            messages=(question, reply),
        )
        return [Stream("tickets", iter([conversation]))]


def test_an_image_shown_by_the_source_link_points_at_the_stored_file(support) -> None:
    assert run_import(Ticket(), support, progress=False).complete
    reply = Message.objects.get(kind=MessageKind.REPLY)
    stored = Attachment.objects.get(message=reply)
    # The source's link is gone (it expires), and so is the tracker (as the ingest does).
    assert _sources(reply.body_html) == [f"/attachments/{stored.pk}/"]
    assert "acme.example.com" not in reply.body_html
    assert _opened_by_alice(f"/attachments/{stored.pk}/") == PNG
    # A second run changes nothing.
    before = reply.body_html
    assert run_import(Ticket(), support, progress=False).complete
    assert Message.objects.get(pk=reply.pk).body_html == before
    assert Attachment.objects.count() == 1
