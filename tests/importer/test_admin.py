"""The admin's upload of an mbox or .eml: an admin imports it into a mailbox and sees the
counts; a second upload changes nothing; an agent who is not an admin cannot."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from calmdesk.desk.models import Conversation
from tests.conftest import shared_data

URL = "/admin/importer/importfailure/upload/"


def test_an_admin_uploads_an_mbox_and_again_changes_nothing(support) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@desk.example", "pw")
    client = Client()
    client.force_login(admin)
    assert client.get(URL).status_code == 200
    data = shared_data("import", "mbox", "perceval", "mbox_complex.mbox").read_bytes()
    for _round in range(2):
        upload = SimpleUploadedFile("history.mbox", data)
        answer = client.post(URL, {"mailbox": support.pk, "archive": upload}, follow=True)
        assert "Imported: customers 0 in the source" in answer.content.decode()
        assert Conversation.objects.count() == 2
    eml = shared_data("import", "mbox", "django_mailbox", "generic_message.eml").read_bytes()
    upload = SimpleUploadedFile("one.eml", eml)
    client.post(URL, {"mailbox": support.pk, "archive": upload})
    assert Conversation.objects.count() == 3
    assert client.get("/admin/importer/importfailure/").status_code == 200


def test_only_an_admin_may_upload(support) -> None:
    client = Client()
    assert client.get(URL).status_code == 302  # to the sign-in
    staff = get_user_model().objects.create_user("lead", "lead@desk.example", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(URL).status_code == 403
