"""Mail archives as a source: an mbox file, a Maildir, or a folder of .eml files. Each
message goes through the ingest's parsing (charsets, MIME, attachments); conversations
are rebuilt from the headers (the first id of References is the thread's root, else
In-Reply-To, else the message itself). Mail from the mailbox's or an agent's address is
a reply; everything else is a customer's message. Records are keyed by Message-ID (a
digest of the bytes when there is none), so the same mail in two archives is one.

The mbox is split on bytes, never decoded as a whole: Python's ``mailbox.mbox`` raises
on a non-ASCII ``From_`` line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from django.conf import settings

from calmdesk.desk.models import MessageKind, Status
from calmdesk.importer.keys import RECENT_KEYS, Recent, imported_root
from calmdesk.importer.models import RecordKind
from calmdesk.importer.records import (
    FailureSink,
    ImportAttachment,
    ImportConversation,
    ImportMessage,
    Stream,
    utc,
)
from calmdesk.mail.parsing import (
    RAW_ONLY_NESTING,
    RAW_ONLY_SIZE,
    ParsedMail,
    ParseError,
    parse,
    parse_headers_only,
    too_nested,
)

KINDS = ("mbox", "maildir", "eml")
# "goran at domain.com": list archives (pipermail) hide addresses so.
HIDDEN_ADDRESS = re.compile(rb"^(From:[^\n]*?)\b([\w.+-]+) at ([\w-]+(?:\.[\w-]+)+)", re.I | re.M)
FROM_LINE_DATE = re.compile(rb"(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\s*$")


def split_mbox(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """(the From_ line, the message's bytes) for each message, read line by line."""
    with path.open("rb") as handle:
        envelope = b""
        lines: list[bytes] = []
        started = False
        for line in handle:
            if line.startswith(b"From "):
                if started:
                    yield envelope, _unescape(lines)
                envelope, lines, started = line, [], True
            elif started:
                lines.append(line)
        if started:
            yield envelope, _unescape(lines)


def _unescape(lines: list[bytes]) -> bytes:
    # The blank line before the next From_ line belongs to the mbox, not to the message.
    if lines and lines[-1].strip() == b"":
        lines = lines[:-1]
    return b"".join(line[1:] if line.startswith(b">From ") else line for line in lines)


def _envelope_date(envelope: bytes) -> datetime | None:
    match = FROM_LINE_DATE.search(envelope.strip())
    if match is None:
        return None
    try:
        return utc(
            datetime.strptime(" ".join(match.group(1).decode().split()), "%a %b %d %H:%M:%S %Y")
        )
    except ValueError:
        return None


def _header_date(parsed: ParsedMail) -> datetime | None:
    value = parsed.headers.get("date", "").strip()
    if not value:
        return None
    try:
        return utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return None


class MailArchive:
    """An mbox, Maildir or .eml folder read into one mailbox; ``ours`` are the addresses
    whose mail is a reply (the mailbox's and the agents')."""

    name = "mail"

    def __init__(
        self,
        kind: str,
        path: Path,
        ours: set[str],
        since: datetime | None = None,
        recent: int = RECENT_KEYS,
    ):
        self.kind = kind
        self.path = path
        self.ours = {address.lower() for address in ours}
        self.since = since
        # Each recent message's thread root; an older one's is read from what the
        # import wrote (a map of every message grew with the archive).
        self.roots: Recent[str, str] = Recent(recent)

    def streams(self, fail: FailureSink) -> list[Stream]:
        where = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:16]
        return [Stream(f"{self.kind}:{where}", self._conversations(fail))]

    def _raw_messages(self) -> Iterator[tuple[bytes, datetime | None, str]]:
        """(bytes, a fallback time, where) of each message, in the archive's order."""
        if self.kind == "mbox":
            for index, (envelope, raw) in enumerate(split_mbox(self.path)):
                yield raw, _envelope_date(envelope), f"{self.path.name} #{index + 1}"
            return
        if self.kind == "maildir":
            files = sorted(
                f for sub in ("new", "cur") for f in (self.path / sub).glob("*") if f.is_file()
            )
        else:
            files = sorted(f for f in self.path.rglob("*.eml") if f.is_file())
        for file in files:
            yield file.read_bytes(), utc(datetime.fromtimestamp(file.stat().st_mtime)), file.name

    def _conversations(self, fail: FailureSink) -> Iterator[ImportConversation]:
        for raw, fallback, where in self._raw_messages():
            external_id = "sha256:" + hashlib.sha256(raw).hexdigest()
            try:
                parsed = _parse(raw)
            except ParseError as error:
                fail(RecordKind.MESSAGE, f"{where} {external_id}", str(error))
                continue
            external_id = parsed.message_id or external_id
            when = _header_date(parsed) or fallback
            if when is None:
                fail(RecordKind.MESSAGE, external_id, f"{where}: no date in Date: or From_")
                continue
            if self.since is not None and when < self.since:
                continue
            yield self._conversation(parsed, external_id, when)

    def _root(self, parsed: ParsedMail, external_id: str) -> str:
        parents = parsed.references[:1] or parsed.in_reply_to[:1]
        root = parents[0] if parents else external_id
        root = self.roots.get(root) or imported_root(self.name, root) or root
        if external_id not in self.roots:
            self.roots[external_id] = root
        return root

    def _conversation(self, parsed: ParsedMail, external_id: str, when: datetime):
        ours = parsed.from_address in self.ours
        if ours:
            recipients = getaddresses([parsed.headers.get("to", "")])
            name, customer = next(((n, a) for n, a in recipients if "@" in a), ("", ""))
        else:
            name, customer = parsed.from_name, parsed.from_address
        message = ImportMessage(
            external_id=external_id,
            kind=MessageKind.REPLY if ours else MessageKind.CUSTOMER,
            created_at=when,
            text=parsed.text,
            html=parsed.html,
            author_email=parsed.from_address if ours else "",
            customer_email="" if ours else parsed.from_address,
            customer_name="" if ours else parsed.from_name,
            message_id=parsed.message_id,
            attachments=tuple(
                ImportAttachment(
                    f"{external_id}#{index}",
                    part.filename,
                    part.content_type,
                    part.payload,
                    part.content_id,
                    part.inline,
                )
                for index, part in enumerate(parsed.attachments)
            ),
        )
        return ImportConversation(
            external_id=self._root(parsed, external_id),
            subject=parsed.subject,
            status=Status.CLOSED,
            created_at=when,
            customer_email=customer.lower(),
            customer_name=name,
            messages=(message,),
        )


def _parse_limited(raw: bytes) -> ParsedMail:
    # The ingest's limits (mail.ingest.parse_limited, an inlet beside this one).
    if len(raw) > settings.MAX_MESSAGE_BYTES:
        return parse_headers_only(raw, RAW_ONLY_SIZE)
    if too_nested(raw):
        return parse_headers_only(raw, RAW_ONLY_NESTING)
    return parse(raw)


def _parse(raw: bytes) -> ParsedMail:
    try:
        return _parse_limited(raw)
    except ParseError as error:
        if "no usable sender" not in str(error) or not HIDDEN_ADDRESS.search(raw):
            raise
    return _parse_limited(HIDDEN_ADDRESS.sub(rb"\1\2@\3", raw, count=1))
