"""What people type or send cannot mislead or inject: the collision guard needs the page's
newest message, an answer never tells who exists, a mailbox name or server field with a
line break is refused at save, a link is a web address, and a file name reads as it is."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calmdesk.desk.actions import ReceivedFile, do_attach_received, do_attach_to_reply
from calmdesk.desk.models import Attachment, Customer, Event, EventKind, Mailbox, MessageKind
from calmdesk.desk.validation import visible_filename
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.models import MailboxMailSettings

pytestmark = pytest.mark.django_db


def test_a_reply_posted_without_seen_up_to_is_refused(desk) -> None:
    do_send_reply(desk.conversation, desk.bob, "Bob answered meanwhile.")
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": "Alice's answer, from a page that never said what it showed."},
    )
    assert response.status_code == 400
    assert "reload the conversation" in response.content.decode()
    assert desk.conversation.messages.filter(kind=MessageKind.REPLY).count() == 1


def test_assigning_to_nobody_and_to_an_outsider_read_the_same(desk) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_assign", args=[desk.conversation.pk])
    nobody = get_user_model().objects.order_by("-pk").first().pk + 100  # type: ignore[union-attr]

    def answer(assignee: int) -> list[str]:
        response = client.post(url, {"assignee": assignee}, follow=True)
        return [str(message) for message in response.context["messages"]]

    assert (
        answer(desk.charlie.pk)
        == answer(nobody)
        == ["That person cannot take conversations of this mailbox."]
    )


@pytest.mark.parametrize("field", ["name", "email"])
def test_a_mailbox_name_or_address_with_a_line_break_is_refused_at_save(desk, field) -> None:
    client = desk.client_for(desk.admin)
    data = {"name": "Support", "slug": "support", "email": "support@desk.example"}
    data[field] = (
        data[field]
        .replace("Support", "Support\r\nBcc: victim@evil.test")
        .replace("support@", "support\r\nBcc: victim@evil.test@")
    )
    response = client.post(reverse("admin:desk_mailbox_change", args=[desk.support.pk]), data)
    assert response.status_code == 200  # the form again, with the error
    assert "\n" not in Mailbox.objects.get(pk=desk.support.pk).name


def test_a_mail_server_field_with_a_line_break_is_refused_at_save(desk) -> None:
    response = desk.client_for(desk.admin).post(
        reverse("admin:mail_mailboxmailsettings_add"),
        {
            "mailbox": desk.support.pk,
            "smtp_port": 587,
            "smtp_security": "starttls",
            "imap_port": 993,
            "imap_security": "tls",
            "imap_host": "imap.example",
            "imap_folder": "INBOX\r\nA1 DELETE INBOX",
            "poll_seconds": 60,
            "max_attachment_bytes": 1000,
        },
    )
    assert response.status_code == 200 and "line breaks" in response.content.decode()
    assert not MailboxMailSettings.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.test/x",
    ],
)
def test_a_logged_call_refuses_a_link_that_is_not_a_web_address(desk, link) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_call", args=[desk.conversation.pk]),
        {"summary": "Walked Maya through the checkout.", "link": link},
    )
    assert response.status_code == 400
    assert not Event.objects.filter(kind=EventKind.CALL).exists()


def test_a_logged_call_keeps_a_web_link(desk) -> None:
    desk.client_for(desk.alice).post(
        reverse("conversation_call", args=[desk.conversation.pk]),
        {"summary": "Screencast sent.", "link": "https://video.example/cast/12"},
    )
    assert Event.objects.get(kind=EventKind.CALL).data["link"] == "https://video.example/cast/12"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_a_customer_website_is_a_web_address(desk, link) -> None:
    response = desk.client_for(desk.admin).post(
        reverse("admin:desk_customer_change", args=[desk.customer.pk]),
        {"name": "Maya Okafor", "website": link, "plan": "", "notes": ""},
    )
    assert response.status_code == 200  # the form again, with the error
    assert Customer.objects.get(pk=desk.customer.pk).website == ""


@pytest.mark.parametrize(
    "name,shown",
    [
        ("invoice\u202efdp.exe", "invoice\ufffdfdp.exe"),
        ("report\u200b.pdf", "report\ufffd.pdf"),
        ("a\x00b.txt", "a\ufffdb.txt"),
        ("\u2067evil\u2069.png", "\ufffdevil\ufffd.png"),
        ("Überweisung März.pdf", "Überweisung März.pdf"),
        ("صورة.png", "صورة.png"),
    ],
)
def test_a_file_name_reads_as_it_is(name, shown) -> None:
    assert visible_filename(name) == shown


def test_received_and_uploaded_files_keep_a_visible_name(desk) -> None:
    [received] = do_attach_received(
        desk.message, [ReceivedFile("invoice\u202efdp.exe", "application/pdf", b"MZ")]
    )
    assert received.filename == "invoice\ufffdfdp.exe"
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    assert "\u202e" not in page.content.decode()
    reply = do_send_reply(desk.conversation, desk.alice, "Here it is.")
    [uploaded] = do_attach_to_reply(reply, [SimpleUploadedFile("a\u200bb.png", b"x")])
    assert uploaded.filename == "a\ufffdb.png"


def test_a_name_stored_before_this_release_is_shown_and_downloaded_visible(desk) -> None:
    Attachment.objects.filter(pk=desk.attachment.pk).update(filename="invoice\u202efdp.exe")
    client = desk.client_for(desk.alice)
    page = client.get(reverse("conversation", args=[desk.conversation.pk])).content.decode()
    assert "\u202e" not in page and "invoice\ufffdfdp.exe" in page
    download = client.get(reverse("attachment", args=[desk.attachment.pk]))
    assert "\u202e" not in download["Content-Disposition"]
    assert "%E2%80%AE" not in download["Content-Disposition"]
