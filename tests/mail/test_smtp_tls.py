"""STARTTLS and AUTH against a real aiosmtpd that insists on both, with a certificate
made for the test (trusted by swapping the client's default context for one that
knows it — the code path is otherwise the production one)."""

from __future__ import annotations

import ssl

import pytest

from calmdesk.mail import smtp
from calmdesk.mail.smtp import Envelope, SmtpConfig, TemporaryFailure, deliver
from tests.mail.conftest import free_port, make_certificate, make_mail


@pytest.fixture
def tls_server(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    controller_module = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = make_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            received.append(envelope.content)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"support", b"right-password")
        return AuthResult(success=ok)

    port = free_port()
    controller = controller_module.Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(smtp.ssl, "create_default_context", lambda *a, **k: trusting)
    try:
        yield port, received
    finally:
        controller.stop()


def _envelope() -> Envelope:
    return Envelope("support@calmdesk.test", ["dana@example.com"], make_mail())


def test_starttls_then_auth_delivers(tls_server):
    port, received = tls_server
    config = SmtpConfig("127.0.0.1", port, "starttls", "support", "right-password")
    deliver(config, _envelope())
    assert len(received) == 1


def test_a_wrong_password_is_temporary_and_not_repeated(tls_server):
    port, received = tls_server
    # aiosmtpd stalls after a failed LOGIN; a short timeout keeps the test quick.
    config = SmtpConfig("127.0.0.1", port, "starttls", "support", "wrong-password", timeout=3)
    with pytest.raises(TemporaryFailure) as failure:
        deliver(config, _envelope())
    assert "wrong-password" not in str(failure.value)
    assert received == []


def test_without_starttls_the_server_refuses(tls_server):
    port, received = tls_server
    config = SmtpConfig("127.0.0.1", port, "none", "", "")
    with pytest.raises((TemporaryFailure, smtp.PermanentFailure)):
        deliver(config, _envelope())
    assert received == []
