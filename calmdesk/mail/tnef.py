"""Outlook's winmail.dat (TNEF, application/ms-tnef): the body and files inside it,
decoded by tnefparse, so the team reads what the customer wrote instead of an opaque
attachment. Anything it cannot read stays the attachment it came as."""

from __future__ import annotations

from dataclasses import dataclass

from tnefparse.tnef import TNEF

TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
# A stream past this many attributes is kept whole: tnefparse copies the rest of the
# stream at each attribute, so a stream of tiny ones would cost size x count. Real
# winmail.dat files hold a few dozen.
MAX_TNEF_OBJECTS = 2000


@dataclass(frozen=True)
class Tnef:
    text: str
    html: str
    files: list[tuple[str, bytes]]


def within_limits(data: bytes) -> bool:
    """Count the attributes by their length fields (signature and key: 6 bytes; each
    attribute: level 1, id 4, length 4, data, checksum 2), copying nothing."""
    offset, count = 6, 0
    while offset + 9 <= len(data):
        count += 1
        if count > MAX_TNEF_OBJECTS:
            return False
        offset += 11 + int.from_bytes(data[offset + 5 : offset + 9], "little")
    return count > 0


def _text(value: object, codepage: str | None) -> str:
    if isinstance(value, bytes):
        value = _decoded(value, codepage)
    return str(value or "").replace("\x00", "").strip()


def _decoded(data: bytes, codepage: str | None) -> str:
    # The body attribute is in the sender's Windows code page (attOemCodepage).
    for encoding in (codepage, "utf-8"):
        if encoding:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                pass
    return data.decode("cp1252", errors="replace")


def decode_tnef(data: bytes) -> Tnef | None:
    """The body and files of a TNEF stream, or None when it is not one we can read."""
    if not within_limits(data):
        return None
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception:  # a damaged stream: kept as the attachment it came as
        return None
    files = []
    for index, inner in enumerate(tnef.attachments, start=1):
        try:
            name = str(inner.long_filename() or inner.name)
        except Exception:
            name = ""
        payload = inner.data if isinstance(inner.data, bytes) else b""
        files.append((name.replace("\x00", "") or f"winmail-{index}.bin", payload))
    codepage = tnef.codepage if isinstance(tnef.codepage, str) else None
    decoded = Tnef(_text(tnef.body, codepage), _text(tnef.htmlbody, codepage), files)
    return decoded if decoded.text or decoded.html or decoded.files else None
