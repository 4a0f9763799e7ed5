"""The demo's mail catcher, set up as ``calmdesk demo`` does it: an SMTP server on a
loopback port that the desk's SMTP settings point at. alice replies, the outbox loop
sends once the undo window is over, and the reply shows on the "Sent mail" page, which
the admin and dave the lead see and alice, an agent, does not."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import Role
from calmdesk.desk.demo.command import start_mail_catcher
from calmdesk.desk.demo.generate import DEMO_PASSWORD
from calmdesk.desk.models import Mailbox
from calmdesk.mail import catcher, outbox
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.claims import new_worker_id
from calmdesk.mail.models import Outbox, OutboxState
from tests.desk.conftest import make_agent, receive
from tests.mail.conftest import free_port, wait_for

pytestmark = pytest.mark.django_db

DEMO_ENV = (
    "CALMDESK_SMTP_HOST",
    "CALMDESK_SMTP_PORT",
    "CALMDESK_SMTP_SECURITY",
    "CALMDESK_MAIL_CATCHER",
)


@pytest.fixture
def demo_mail(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The catcher started by the demo's own start-up, and the settings the web server
    and worker it starts read from the environment it leaves them."""
    for name in DEMO_ENV:
        monkeypatch.setenv(name, "")  # recorded, so each is put back after the test
        monkeypatch.delenv(name)
    controller = start_mail_catcher(django_settings)
    try:
        settings.SMTP_HOST = os.environ["CALMDESK_SMTP_HOST"]
        settings.EMAIL_PORT = int(os.environ["CALMDESK_SMTP_PORT"])
        settings.SMTP_SECURITY = os.environ["CALMDESK_SMTP_SECURITY"]
        settings.MAIL_CATCHER = os.environ["CALMDESK_MAIL_CATCHER"] == "1"
        assert settings.SMTP_HOST == "127.0.0.1"
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="help@desk.example")
    alice = make_agent("alice", [support])
    dave = make_agent("dave", [], role=Role.LEAD)
    admin = make_agent("admin", [], role=Role.ADMIN)
    conversation = receive(
        support, "maya@shop.example", "Checkout is broken.", "Checkout broken"
    ).conversation
    return alice, dave, admin, conversation


def _get(user, name: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name))
    return response.status_code, response.content.decode()


def test_a_reply_reaches_the_catcher_and_its_page(demo_mail, people) -> None:
    alice, dave, admin, conversation = people
    reply = do_send_reply(conversation, alice, "Hi Maya, checkout works again.")
    assert outbox.run_once(new_worker_id()) == 0  # still in its undo window
    assert catcher.caught() == []
    Outbox.objects.filter(message=reply).update(send_at=timezone.now() - timedelta(seconds=1))
    assert outbox.run_once(new_worker_id()) == 1
    assert Outbox.objects.get(message=reply).state == OutboxState.SENT

    [mail] = catcher.caught()
    assert mail.recipients == "maya@shop.example"
    assert mail.subject.startswith("Re: Checkout broken")
    assert "checkout works again" in mail.body
    for user in (admin, dave):
        status, page = _get(user, "mail_caught")
        assert status == 200
        assert "maya@shop.example" in page and "Re: Checkout broken" in page
        assert "Hi Maya, checkout works again." in page
    status, _page = _get(alice, "mail_caught")
    assert status == 403


def test_the_nav_links_to_it_for_admins_and_leads_only(demo_mail, people) -> None:
    alice, dave, admin, _conversation = people
    link = reverse("mail_caught")
    assert link in _get(admin, "inbox")[1]
    assert link in _get(dave, "inbox")[1]
    assert link not in _get(alice, "inbox")[1]


def test_without_the_catcher_there_is_no_page(settings, people) -> None:
    _alice, _dave, admin, _conversation = people
    settings.MAIL_CATCHER = False
    status, _page = _get(admin, "mail_caught")
    assert status == 403
    assert reverse("mail_caught") not in _get(admin, "inbox")[1]


def test_a_real_server_wins_over_the_catcher(monkeypatch) -> None:
    monkeypatch.setenv("CALMDESK_SMTP_HOST", "mail.example.com")
    assert start_mail_catcher(django_settings) is None
    assert os.environ["CALMDESK_SMTP_HOST"] == "mail.example.com"


def _form_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class _Browser:
    """Just enough of a browser for the demo: cookies, forms with their CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> str:
        form = {
            "csrfmiddlewaretoken": _form_token(self.get(path if "login" in path else "/")),
            **fields,
        }
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()


@pytest.mark.slow
def test_make_demo_shows_a_reply_in_the_catcher(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The real thing: ``calmdesk demo`` (web server, worker, catcher) on a free port; a
    reply posted through the page leaves after its undo window and is on "Sent mail"."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALMDESK_", "DATABASE_"))}
    env.update(CALMDESK_DATA_DIR=str(tmp_path), CALMDESK_UNDO_SECONDS="1")
    env.update(CALMDESK_LOG_LEVEL="WARNING")
    demo = subprocess.Popen(
        [sys.executable, "-m", "calmdesk", "demo", "--conversations", "12", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # ends if the demo dies
            if "calmdesk is at" in line:
                break
        # Whatever it prints later is read, so a full pipe never stalls it.
        threading.Thread(target=demo.stdout.read, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        browser = _Browser(base)
        # Generous: the web server, worker and catcher start side by side, and on a busy
        # two-core machine running the suite in parallel 20 s was once not enough.
        wait_for(lambda: _answers(base), "the demo's web server", seconds=120)
        browser.post("/login/", {"username": "demo", "password": DEMO_PASSWORD})
        first = re.search(r'href="/c/(\d+)/"', browser.get("/"))
        assert first, "no conversation in the demo inbox"
        page = browser.get(f"/c/{first.group(1)}/")
        seen = re.search(r'name="seen_up_to" value="(\d+)"', page)
        assert seen, "no seen_up_to in the composer"
        body = "Thanks for your patience, this is fixed now. (demo catcher check)"
        browser.post(
            f"/c/{first.group(1)}/reply/",
            {"body": body, "seen_up_to": seen.group(1), "then_status": ""},
        )
        wait_for(
            lambda: "demo catcher check" in browser.get("/mail/caught/"),
            "the caught reply",
            seconds=120,
        )
        assert "Sent mail" in browser.get("/")
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/login/", timeout=5):
            return True
    except OSError:
        return False
