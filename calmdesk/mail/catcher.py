"""The demo's mail catcher: an SMTP server on a loopback port that accepts every message
and keeps it as a file, so a new user sees a reply leave the desk without a real mail
server. ``calmdesk demo`` starts it and points the desk's SMTP settings at it; the
"Sent mail" page (admins and leads, when CALMDESK_MAIL_CATCHER is on) lists what it
caught. It is never a relay: nothing it takes goes further."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

# Written above each caught message: who the envelope was for (the To header may differ).
ENVELOPE_HEADER = b"X-Calmdesk-Caught-For"
# The page lists the newest this many; older files stay on disk.
SHOWN = 200


def folder() -> Path:
    return Path(settings.DATA_DIR) / "caught-mail"


class _Keep:
    """aiosmtpd handler: each message to one file, written whole before it appears."""

    def __init__(self, where: Path) -> None:
        self.where = where

    async def handle_DATA(self, server, session, envelope) -> str:
        self.where.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        recipients = ", ".join(envelope.rcpt_tos).encode("ascii", "replace")
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        partial = self.where / f".{name}.part"
        partial.write_bytes(ENVELOPE_HEADER + b": " + recipients + b"\r\n" + content)
        os.replace(partial, self.where / name)
        return "250 OK: caught by calmdesk, not delivered"


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start(where: Path, host: str = "127.0.0.1", port: int = 0):
    """Start the catcher in a thread of this process. Returns the running aiosmtpd
    controller (``.hostname``, ``.port``; ``.stop()`` ends it)."""
    from aiosmtpd.controller import Controller

    # aiosmtpd checks its own port at start-up, so port 0 is resolved here first.
    controller = Controller(_Keep(where), hostname=host, port=port or _free_port(host))
    controller.start()
    return controller


@dataclass(frozen=True)
class CaughtMail:
    name: str
    recipients: str
    subject: str
    sender: str
    caught_at: datetime
    body: str


def _body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: show what can be read
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _read(path: Path) -> CaughtMail:
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    stamp = path.name.partition("-")[0]
    try:
        caught_at = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        caught_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return CaughtMail(
        name=path.name,
        recipients=str(mail.get(ENVELOPE_HEADER.decode(), "")),
        subject=str(mail.get("Subject", "")),
        sender=str(mail.get("From", "")),
        caught_at=caught_at,
        body=_body(mail),
    )


def caught(where: Path | None = None, limit: int = SHOWN) -> list[CaughtMail]:
    """What the catcher took, newest first."""
    where = where or folder()
    if not where.is_dir():
        return []
    names = sorted((p for p in where.glob("*.eml") if not p.name.startswith(".")), reverse=True)
    return [_read(path) for path in names[:limit]]
