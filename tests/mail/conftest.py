"""Real servers for the mail tests: aiosmtpd receives our replies, Dovecot serves the
IMAP folder the poller takes mail from. A missing server is a skip with the reason
(a failure under CI=true, see tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# Generous upper bounds for servers to come up or a child to reach a step: they guard
# against a hang, they are not timing assertions.
STARTUP_SECONDS = 20


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (cert.pem, key.pem) in ``folder``."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "calmdesk test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate, what: str, seconds: float = STARTUP_SECONDS) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


@dataclass
class CapturedMail:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self):  # type: ignore[no-untyped-def]
        return message_from_bytes(self.data, policy=email_policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[CapturedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # SMTP reply code to answer the next DATA with instead of accepting (tests of failure).
    refuse_with: str | None = None

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m.message_id for m in self.received]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):  # type: ignore[no-untyped-def]
        if self.server.refuse_with:
            return self.server.refuse_with
        with self.server.lock:
            self.server.received.append(
                CapturedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        pytest.skip("aiosmtpd is not installed (pip install -e .[dev])")
    server = SmtpServer("127.0.0.1", free_port())
    # port=0 fails aiosmtpd's own start-up check, hence a free port found first.
    controller = Controller(_Handler(server), hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):  # type: ignore[no-untyped-def]
    settings.SMTP_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.SMTP_SECURITY = "none"
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


@dataclass
class Dovecot:
    port: int  # plain IMAP, STARTTLS offered
    tls_port: int  # IMAP over TLS from the start
    user: str
    password: str
    root: Path
    ca_file: Path  # the test certificate, for a client context that trusts it


DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = root
default_internal_group = root
default_login_user = nobody
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
"""


def _greets(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(100).startswith(b"* OK")
    except OSError:
        return False


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd)")
    if os.geteuid() != 0:
        pytest.skip("the throwaway Dovecot needs root (it switches to nobody)")
    # Not under pytest's tmp dir: that is 0700 root, and Dovecot's imap runs as nobody.
    root = Path(tempfile.mkdtemp(prefix="calmdesk-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    cert, _key = make_certificate(root)
    server = Dovecot(
        port=port,
        tls_port=free_port(),
        user="support",
        password="imap-test-pass",
        root=root,
        ca_file=cert,
    )
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    mail = root / "mail"
    mail.mkdir()
    shutil.chown(mail, "nobody", "nogroup")
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, port=port, tls_port=server.tls_port))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: _greets(port) or process.poll() is not None, "Dovecot to greet")
        if process.poll() is not None:
            pytest.fail(f"dovecot exited: {process.stderr.read().decode()[:500]}")  # type: ignore[union-attr]
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_folder(dovecot):  # type: ignore[no-untyped-def]
    """A fresh, empty folder on the Dovecot server for one test."""
    from imapclient import IMAPClient

    folder = f"T{time.monotonic_ns()}"
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login(dovecot.user, dovecot.password)
        client.create_folder(folder)
    return folder


def imap_append(dovecot: Dovecot, folder: str, raws: list[bytes]) -> None:
    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login(dovecot.user, dovecot.password)
        for raw in raws:
            client.append(folder, raw)


def imap_seen(dovecot: Dovecot, folder: str) -> tuple[int, int]:
    """(messages in the folder, how many of them are \\Seen)."""
    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login(dovecot.user, dovecot.password)
        client.select_folder(folder, readonly=True)
        total = len(client.search(["ALL"]))
        seen = len(client.search(["SEEN"]))
    return total, seen


@pytest.fixture
def support(db):  # type: ignore[no-untyped-def]
    """The Support mailbox, where alice works."""
    from calmdesk.desk.models import Mailbox

    return Mailbox.objects.create(
        name="Support", slug="support", email="support@calmdesk.test", is_default=True
    )


@pytest.fixture
def billing(db):  # type: ignore[no-untyped-def]
    from calmdesk.desk.models import Mailbox

    return Mailbox.objects.create(name="Billing", slug="billing", email="billing@calmdesk.test")


@pytest.fixture
def alice(support):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    from calmdesk.accounts.models import Agent

    user = User.objects.create_user("alice", "alice@calmdesk.test", "alice-pass-123")
    agent = Agent.objects.create(user=user, undo_seconds=20)
    agent.mailboxes.add(support)
    return user


@pytest.fixture
def charlie(billing):  # type: ignore[no-untyped-def]
    """An agent of Billing only: must see nothing of Support."""
    from django.contrib.auth.models import User

    from calmdesk.accounts.models import Agent

    user = User.objects.create_user("charlie", "charlie@calmdesk.test", "charlie-pass-123")
    agent = Agent.objects.create(user=user)
    agent.mailboxes.add(billing)
    return user


def make_mail(
    *,
    sender: str = "Dana Customer <dana@example.com>",
    subject: str = "Export fails",
    body: str = "Hi,\n\nthe CSV export fails with error 500 since this morning.\n",
    message_id: str | None = None,
    extra: str = "",
) -> bytes:
    """A short plain-text support mail, as a customer's client would send it."""
    mid = message_id or f"<{time.monotonic_ns()}@example.com>"
    head = (
        f"From: {sender}\r\nTo: support@calmdesk.test\r\nSubject: {subject}\r\n"
        f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: {mid}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    )
    return (head + extra + "\r\n" + body.replace("\n", "\r\n")).encode()
