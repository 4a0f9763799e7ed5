"""Raw bytes in, a ``ParsedMail`` out: headers decoded, bodies in every charset, the
attachments, loop flags (RFC 3834) and what a bounce bounced.

Only the standard library ``email`` package reads the MIME structure. Headers are read
from the raw items and decoded here, because the header registry of ``policy.default``
raises on some malformed headers that real mail carries; a bad header must cost us that
header, never the message. Anything that still goes wrong raises ``ParseError`` with a
reason, and the caller quarantines the raw bytes.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message as EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr

from calmdesk.mail.tnef import TNEF_TYPES, decode_tnef

# Past this depth of nested multiparts a part is kept whole as an attachment: the
# deepest real mail is a handful of levels, and recursion must stay bounded.
MAX_DEPTH = 30
# Headers kept on the InboundMail row for display and debugging (the raw file has all).
KEPT_HEADERS = (
    "date",
    "to",
    "cc",
    "reply-to",
    "auto-submitted",
    "precedence",
    "list-id",
    "x-mailer",
    "user-agent",
)
# RFC 3834 and the de-facto headers of auto-responders and mailing lists.
AUTO_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "list-unsubscribe",
    "list-id",
)
BULK_PRECEDENCE = {"bulk", "junk", "list"}
DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon"}
# How a null-sender bounce names itself ("MAILER DAEMON <>", "Mail Delivery Subsystem").
DAEMON_NAMES = (*DAEMON_LOCALPARTS, "mail-delivery")
# An RFC 2047 encoded word, hidden while a From header's address is read.
ENCODED_WORD_RE = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_WORD_MARK = "\x00"
MESSAGE_ID_RE = re.compile(r"<[^<>\s]{1,900}>")
HEADER_MESSAGE_ID_RE = re.compile(r"^message-id:\s*(<[^<>\s]{1,900}>)", re.I | re.M)


class _MemoHeaderRegistry(HeaderRegistry):
    """``policy.default``'s header classes, each distinct (name, value) parsed once: a
    message asks for its Content-Type half a dozen times while it is walked, and most
    mail shares the same few. Header objects are immutable, so sharing them is safe."""

    @functools.lru_cache(maxsize=1024)  # noqa: B019 (one registry lives as long as the process)
    def __call__(self, name: str, value: str) -> BaseHeader:
        return super().__call__(name, value)


PARSE_POLICY = policy.default.clone(header_factory=_MemoHeaderRegistry())


class ParseError(Exception):
    """The message cannot become a stored message; the text is the quarantine reason."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMail:
    from_name: str
    from_address: str
    subject: str
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str
    attachments: list[ParsedAttachment]
    headers: dict[str, str]
    auto_reasons: list[str] = field(default_factory=list)
    is_bounce: bool = False
    bounced_message_ids: list[str] = field(default_factory=list)
    bounced_recipients: list[str] = field(default_factory=list)
    bounce_diagnostic: str = ""
    fingerprint: str = ""
    # Why only the headers were read (over the size cap, nested too deeply), or "".
    raw_only: str = ""


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Text in the declared charset; an unknown or lying one falls back to UTF-8 and then
    to Windows-1252, which decodes any byte. NUL characters go: PostgreSQL refuses them
    in text, and no mail means them."""
    return _decode(payload, charset).replace("\x00", "")


def _decode(payload: bytes, charset: str | None) -> str:
    if charset:
        name = charset.strip().strip('"').lower()
        try:
            codecs.lookup(name)
        except LookupError:
            name = ""
        if name:
            try:
                return payload.decode(name)
            except (UnicodeDecodeError, LookupError, ValueError):
                pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def decode_header_value(value: str) -> str:
    """RFC 2047 words decoded, folding undone, control characters (CR/LF too) gone."""
    if _has_surrogates(value):
        # Raw 8-bit bytes in a header arrive as surrogate escapes; most are UTF-8.
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")
    try:
        pieces = decode_header(value)
    except Exception:
        pieces = [(value, None)]
    out = []
    for chunk, charset in pieces:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    # decode_header drops the whitespace between an encoded word and plain text it
    # keeps apart as separate chunks; joining with nothing matches RFC 2047 for the
    # encoded-encoded case, and plain chunks keep their own spaces.
    text = "".join(out)
    return " ".join(text.split())


def _raw_headers(msg: EmailMessage) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        # raw_items gives source strings; str() also covers a header object.
        raw = value if isinstance(value, str) else str(value)
        headers.setdefault(name.lower(), []).append(raw)
    return headers


def _get(msg: EmailMessage, name: str) -> str:
    """One header's raw value without the header registry (see the module docstring)."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return decode_header_value(values[0]) if values else ""


def _message_ids(value: str) -> list[str]:
    return MESSAGE_ID_RE.findall(value)


def _part_payload(part: EmailMessage) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="replace")
    return b""


def _charset(part: EmailMessage) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return decode_header_value(name) if name else ""


def _disposition(part: EmailMessage) -> str:
    try:
        return part.get_content_disposition() or ""
    except Exception:
        return ""


def _content_type(part: EmailMessage) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _generated_name(content_type: str, index: int) -> str:
    ext = mimetypes.guess_extension(content_type) or ".bin"
    return f"part-{index}{ext}"


# The line that opens a part ("--" and the boundary), looked for in the first bytes of a
# multipart body that has no usable boundary parameter.
BOUNDARY_LINE_RE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.M)
BOUNDARY_SCAN_BYTES = 64 * 1024


class _Walker:
    """Collects body parts and attachments in document order."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.delivery_status: list[EmailMessage] = []
        self.returned_headers: list[str] = []

    def walk(self, part: EmailMessage, depth: int = 0, in_alternative: bool = False) -> None:
        ctype = _content_type(part)
        if ctype.startswith("message/") and part.is_multipart():
            self._message_part(part, ctype)
            return
        if part.is_multipart():
            if depth >= MAX_DEPTH:
                self._attach(part, ctype, whole=True)
                return
            payload = part.get_payload()
            children = payload if isinstance(payload, list) else []
            alternative = ctype == "multipart/alternative"
            for child in children:
                if isinstance(child, EmailMessage):
                    self.walk(child, depth + 1, alternative)
            return
        if ctype.startswith("multipart/"):
            self._unbounded(part, ctype, depth)
            return
        is_tnef = ctype in TNEF_TYPES or _filename(part).lower() == "winmail.dat"
        if is_tnef and self._tnef(part):
            return
        self._leaf(part, ctype, in_alternative)

    def _unbounded(self, part: EmailMessage, ctype: str, depth: int) -> None:
        """A multipart whose boundary is missing or unreadable (an unquoted ``=`` in it):
        its parts again under the boundary its body uses, or else its text as the body,
        never an opaque ``part-1.bin``."""
        body = _part_payload(part)
        found = BOUNDARY_LINE_RE.search(body[:BOUNDARY_SCAN_BYTES])
        if found is not None and depth < MAX_DEPTH:
            boundary = found.group(1).decode("ascii", "replace")
            head = f'Content-Type: {ctype}; boundary="{boundary}"\r\n\r\n'.encode()
            try:
                again = BytesParser(policy=PARSE_POLICY).parsebytes(head + body)
            except Exception:
                again = None
            if again is not None and again.is_multipart():
                self.walk(again, depth + 1)
                return
        text = decode_bytes(body, _charset(part))
        if text.strip():
            self.texts.append(text)

    def _tnef(self, part: EmailMessage) -> bool:
        """Outlook's winmail.dat, decoded; False keeps it as it came."""
        decoded = decode_tnef(_part_payload(part))
        if decoded is None:
            return False
        if decoded.html:
            self.htmls.append(decoded.html)
        if decoded.text:
            self.texts.append(decoded.text)
        for name, payload in decoded.files:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.attachments.append(ParsedAttachment(name[:255], content_type, payload))
        return True

    def _message_part(self, part: EmailMessage, ctype: str) -> None:
        if ctype == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                self.delivery_status.extend(p for p in payload if isinstance(p, EmailMessage))
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                self.returned_headers.append(_get(inner[0], "message-id"))
        self._attach(part, ctype, whole=True)

    def _leaf(self, part: EmailMessage, ctype: str, in_alternative: bool) -> None:
        filename = _filename(part)
        disposition = _disposition(part)
        is_body = ctype in ("text/plain", "text/html") and disposition != "attachment"
        if is_body and not filename:
            text = decode_bytes(_part_payload(part), _charset(part))
            (self.texts if ctype == "text/plain" else self.htmls).append(text)
            return
        if ctype == "text/rfc822-headers":
            self.returned_headers.extend(
                HEADER_MESSAGE_ID_RE.findall(decode_bytes(_part_payload(part), _charset(part)))
            )
        self._attach(part, ctype, whole=False)

    def _attach(self, part: EmailMessage, ctype: str, *, whole: bool) -> None:
        index = len(self.attachments) + 1
        if whole:
            # A nested message (or a structure too deep to follow) is kept as it came.
            try:
                payload = part.as_bytes(policy=policy.compat32)
            except Exception:
                payload = str(part).encode("utf-8", errors="replace")
            if ctype == "message/rfc822":
                # The enclosed message itself, without the wrapper's own headers.
                inner = part.get_payload()
                if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                    try:
                        payload = inner[0].as_bytes(policy=policy.compat32)
                    except Exception:
                        payload = str(inner[0]).encode("utf-8", errors="replace")
            name = _filename(part) or f"part-{index}.eml"
        else:
            payload = _part_payload(part)
            name = _filename(part) or _generated_name(ctype, index)
        content_id = _get(part, "content-id").strip().strip("<>").strip()[:255]
        self.attachments.append(
            ParsedAttachment(
                filename=name[:255],
                content_type=ctype[:255],
                payload=payload,
                content_id=content_id,
                inline=_disposition(part) == "inline" or bool(content_id),
            )
        )


def fingerprint(raw: bytes, message_id: str, from_address: str, *headers: str) -> str:
    """What makes two deliveries "the same message": its identity headers and its body
    bytes. Trace headers an MTA or IMAP server adds in front do not change it; a
    different message that reuses a Message-ID does."""
    normalised = raw.replace(b"\r\n", b"\n")
    _, _, body = normalised.partition(b"\n\n")
    digest = hashlib.sha256()
    for piece in (message_id, from_address.lower(), *(" ".join(h.split()) for h in headers)):
        digest.update(piece.encode("utf-8", errors="replace"))
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def _auto_reasons(headers: dict[str, list[str]]) -> list[str]:
    reasons = []
    auto_submitted = _first(headers, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        reasons.append(f"auto-submitted: {auto_submitted[:40]}")
    precedence = _first(headers, "precedence").lower()
    if precedence in BULK_PRECEDENCE:
        reasons.append(f"precedence: {precedence}")
    reasons.extend(name for name in AUTO_HEADERS if name in headers)
    return reasons


def _bounce(
    top: EmailMessage,
    headers: dict[str, list[str]],
    from_address: str,
    daemon: bool,
    walker: _Walker,
    text: str,
) -> tuple[bool, list[str], list[str]]:
    report_type = ""
    try:
        if top.get_content_type() == "multipart/report":
            report_type = str(top.get_param("report-type") or "").lower()
    except Exception:
        pass
    localpart = from_address.partition("@")[0].lower()
    is_dsn = report_type == "delivery-status" or bool(walker.delivery_status)
    # X-Failed-Recipients counts from a mail system only: anyone can write the header.
    is_daemon = daemon or localpart in DAEMON_LOCALPARTS
    if not (is_dsn or is_daemon):
        return False, [], []
    recipients: list[str] = []
    for block in walker.delivery_status:
        action = _get(block, "action").strip().lower()
        final = _get(block, "final-recipient") or _get(block, "original-recipient")
        address = final.partition(";")[2].strip().strip("<>").lower()
        if address and action in ("failed", ""):
            recipients.append(address)
    for value in headers.get("x-failed-recipients", []):
        recipients.extend(a.lower() for _, a in getaddresses([value]) if "@" in a)
    bounced_ids = [m for v in walker.returned_headers for m in _message_ids(v)]
    if not bounced_ids:
        # Bounces that quote the original as text still name its Message-ID.
        bounced_ids = HEADER_MESSAGE_ID_RE.findall(text)
    own_id = _first(headers, "message-id")
    bounced_ids = [m for m in dict.fromkeys(bounced_ids) if m != own_id.strip()]
    return True, bounced_ids, list(dict.fromkeys(recipients))


def _sender(raw_value: str) -> tuple[str, str]:
    """(display name, address) of a From header as it came. The address is read from the
    header's structure while encoded words are still opaque, and the name decoded after:
    ``=?utf-8?q?sofia=40post.example?= <eve@evil.test>`` is from eve, and nothing an
    encoded name decodes to (an address, a line break and a Bcc:) can become one."""
    value = " ".join(_unescaped(raw_value).split())
    words: list[str] = []

    def hide(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"{_WORD_MARK}{len(words) - 1}{_WORD_MARK}"

    masked = ENCODED_WORD_RE.sub(hide, value)
    name, address = parseaddr(masked)
    if "@" not in address:
        # An unquoted comma in the display name ("Last, First <a@b>") splits it in two.
        for candidate in getaddresses([masked]):
            if "@" in candidate[1]:
                name, address = candidate
                break
    if _WORD_MARK in address:
        address = ""  # the only address was inside an encoded word: there is none
    name = re.sub(f"{_WORD_MARK}(\\d+){_WORD_MARK}", lambda m: words[int(m.group(1))], name or "")
    return decode_header_value(name), address


def _unescaped(value: str) -> str:
    if _has_surrogates(value):
        return decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")
    return value


def _daemon_sender(from_raw: str, from_name: str, return_path: str) -> bool:
    """A sender without an address that names a mail system (``MAILER-DAEMON <>``,
    ``Mail Delivery Subsystem <MAILER-DAEMON>``) or comes with a null Return-Path. An
    empty From or a bare ``<>`` is a bounce only with a delivery report in it."""
    words = re.sub(r"[^a-z]+", "-", f"{from_name} {from_raw}".lower())
    return any(daemon in words for daemon in DAEMON_NAMES) or return_path.strip() == "<>"


def parse(raw: bytes) -> ParsedMail:
    try:
        top = BytesParser(policy=PARSE_POLICY).parsebytes(raw)
    except RecursionError:
        raise ParseError("MIME structure nested too deeply to parse") from None
    except Exception as exc:
        raise ParseError(f"unparseable: {type(exc).__name__}: {exc}"[:500]) from None
    headers = _raw_headers(top)
    sender = _identity(headers)
    walker = _Walker()
    try:
        walker.walk(top)
    except RecursionError:
        raise ParseError("MIME structure nested too deeply to walk") from None
    text = "\n\n".join(t for t in walker.texts if t.strip())
    bounce = _bounce(top, headers, sender.address, sender.daemon, walker, text)
    is_bounce, bounced_ids, bounced_recipients = bounce
    if not sender.address and not is_bounce:
        raise ParseError(f"no usable sender address in From: {sender.raw[:200]!r}")
    parsed = _from_headers(raw, headers, sender)
    parsed.text = text
    parsed.html = "\n".join(walker.htmls)
    parsed.attachments = walker.attachments
    parsed.is_bounce = is_bounce
    parsed.bounced_message_ids = bounced_ids
    parsed.bounced_recipients = bounced_recipients
    parsed.bounce_diagnostic = _diagnostic(walker) if is_bounce else ""
    return parsed


@dataclass(frozen=True)
class _Sender:
    name: str
    address: str  # empty for a null sender
    raw: str
    daemon: bool


def _identity(headers: dict[str, list[str]]) -> _Sender:
    from_raw = (headers.get("from") or headers.get("sender") or [""])[0]
    name, address = _sender(from_raw)
    address = address.strip().lower()
    if "@" not in address or " " in address or len(address) > 254:
        address = ""  # a null sender: kept if the message is a bounce, else refused
    daemon = not address and _daemon_sender(from_raw, name, _first(headers, "return-path"))
    return _Sender(name[:200], address, _unescaped(from_raw), daemon)


def _from_headers(raw: bytes, headers: dict[str, list[str]], sender: _Sender) -> ParsedMail:
    message_id = next(iter(_message_ids(_first(headers, "message-id"))), "")
    subject = _first(headers, "subject")[:500]
    return ParsedMail(
        from_name=sender.name,
        from_address=sender.address,
        subject=subject,
        message_id=message_id,
        in_reply_to=_message_ids(" ".join(headers.get("in-reply-to", []))),
        references=_message_ids(" ".join(headers.get("references", []))),
        text="",
        html="",
        attachments=[],
        headers={name: _first(headers, name)[:1000] for name in KEPT_HEADERS if name in headers},
        auto_reasons=_auto_reasons(headers),
        fingerprint=fingerprint(
            raw,
            message_id,
            sender.address,
            _first(headers, "date"),
            subject,
            _first(headers, "content-type"),
            _first(headers, "content-transfer-encoding"),
        ),
    )


RAW_ONLY_SIZE = "size"
RAW_ONLY_NESTING = "nesting"
# A Content-Type header (folded lines included) declaring a boundary; one linear pass.
BOUNDARY_PARAM_RE = re.compile(rb"^content-type:(?:[^\r\n]|\r?\n[ \t])*?boundary\s*=", re.I | re.M)
# Multipart containers one message may declare before it is kept raw (the shared
# corpora's most, the torture test, declares 12).
MAX_BOUNDARIES = 100
# Where the header block of an over-limit message is looked for; headers past this are
# not read (the raw file keeps them).
HEADER_SCAN_BYTES = 1024 * 1024


def parse_headers_only(raw: bytes, why: str = RAW_ONLY_SIZE) -> ParsedMail:
    """``raw`` past a limit: only its headers are read, the message is stored with a
    note (``raw_only`` says why) and its body stays in the raw file."""
    head = raw[:HEADER_SCAN_BYTES]
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    head = head[: min(ends)] if ends else head
    try:
        top = BytesHeaderParser(policy=PARSE_POLICY).parsebytes(head)
    except Exception as exc:
        raise ParseError(f"unparseable headers: {type(exc).__name__}: {exc}"[:500]) from None
    headers = _raw_headers(top)
    sender = _identity(headers)
    if not sender.address:
        raise ParseError(f"no usable sender address in From: {sender.raw[:200]!r}")
    parsed = _from_headers(raw, headers, sender)
    parsed.raw_only = why
    return parsed


def too_nested(raw: bytes) -> bool:
    """More multiparts than any real mail has. The standard library's parser checks
    every line against each enclosing boundary, so its work grows with lines x depth
    (5,000 nested multiparts took 21 s); counting the declarations is one linear scan."""
    return len(BOUNDARY_PARAM_RE.findall(raw)) > MAX_BOUNDARIES


def _diagnostic(walker: _Walker) -> str:
    """What the reporting server said, for the team: each recipient's status and reason."""
    lines = []
    for block in walker.delivery_status:
        said = _get(block, "diagnostic-code") or _get(block, "status")
        if said:
            lines.append(" ".join(decode_header_value(said).split()))
    return "\n".join(lines)[:2000]
