"""Checks on what people type or send that the desk stores and shows: a header value
without line breaks, a link that is a web address, a file name shown as it really is.
Core: the admin forms, the actions and the templates of every layer use them."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Links people may follow from the desk; javascript: and data: run or render in the page.
LINK_SCHEMES = frozenset({"http", "https"})


def no_line_breaks(value: str) -> None:
    """A mailbox name or address becomes a mail header: a CR or LF in it would start a
    header of the writer's own (Bcc: …). Refused when saved, not when a reply fails."""
    if any(char in value for char in "\r\n\x00\u2028\u2029\x85"):
        raise ValidationError(_("This may not contain line breaks."), code="line_break")


def check_link(value: str) -> str:
    """The link, stripped, if it is an http(s) address (or empty); else ValidationError."""
    link = value.strip()
    if not link:
        return ""
    # Browsers drop tabs and newlines inside a scheme ("java\tscript:"); so does this.
    squeezed = "".join(char for char in link if char not in "\t\r\n")
    parts = urlsplit(squeezed)
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        raise ValidationError(_("Enter a web address starting with https://."), code="link")
    return squeezed


# Characters that change how a name reads without being seen: bidi controls (U+202E
# turns "invoice\u202efdp.exe" into "invoiceexe.pdf"), zero-width ones, and any control.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}


def visible_filename(name: str) -> str:
    """A file name as it really is: each hidden or direction-changing character shown
    as a visible mark (U+FFFD), so no name can pass for another."""
    shown = []
    for char in name:
        hidden = char in _BIDI or char in _INVISIBLE or unicodedata.category(char) == "Cc"
        shown.append("\ufffd" if hidden else char)
    return "".join(shown)
