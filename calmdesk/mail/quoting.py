"""The part of a reply its author wrote: quoted history and signatures cut off, for the
text the engine reads (the stored original keeps everything for "show quoted text").

Line by line, with no backtracking regexes over the whole body, so run time is linear
in the length of the message (reply-parser corpora carry pathological cases for this).
"""

from __future__ import annotations

import re

# A line that opens a quoted message: "On <date>, <name> wrote:" and its translations.
# Matched against one line at a time, or two joined when a client wrapped it.
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"(?:on|am|le|el|op|il|em|den|w dniu|pada|el día)\b.{0,300}"
    r"(?:wrote|schrieb|a écrit|escribió|schreef|ha scritto|escreveu|skrev|napisał"
    r"|kirjoitti|írta|написал|napsal|yazdı)\s*:"
    r"|.{0,200}<[^<>\s]+@[^<>\s]+>\s*(?:wrote|schrieb|a écrit|escribió)\s*:"
    r")\s*$",
    re.IGNORECASE,
)
_WROTE_END = re.compile(
    r"(?:wrote|schrieb|a écrit|escribió|schreef|ha scritto|escreveu|skrev|napisał"
    r"|kirjoitti|írta|написал|napsal|yazdı)\s*:\s*$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|original nachricht|message d'origine"
    r"|mensaje original|forwarded message|oorspronkelijk bericht|messaggio originale"
    r"|opprinnelig melding)\s*-{2,}"
    r"|_{20,}"
    r"|-{20,}"
    r"|begin forwarded message:)\s*$",
    re.IGNORECASE,
)
# Outlook-style header blocks: "From: …" followed soon by "Sent:"/"Date:"/"To:".
_HEADER_START = re.compile(r"^\s*\*?(?:from|von|de|van|da|od|fra)\s*:\*?\s+\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|gesendet|datum|an|betreff|envoyé|date|à|objet"
    r"|enviado|fecha|para|asunto|verzonden|aan|onderwerp|inviato|oggetto|sendt|til|emne)"
    r"\s*:",
    re.IGNORECASE,
)
# Signatures: the RFC 3676 delimiter, and the one-line footers of mobile clients.
_SIG_DELIMITER = re.compile(r"^(?:--|-- |—|__)\s*$")
_MOBILE_FOOTER = re.compile(
    r"^\s*(?:sent (?:from|with|via) (?:my |the )?\S.{0,60}"
    r"|get outlook for \S.{0,40}"
    r"|envoyé de mon \S.{0,40}"
    r"|von meinem \S.{0,60}gesendet"
    r"|enviado desde mi \S.{0,40})\s*$",
    re.IGNORECASE,
)
# A signature longer than this many lines is more likely the body itself.
MAX_SIGNATURE_LINES = 12


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _opens_history(lines: list[str], i: int, quoted_to_end: list[bool]) -> bool:
    line = lines[i]
    stripped = line.strip()
    if _SEPARATORS.match(line) or _ATTRIBUTION.match(line):
        return True
    if _WROTE_END.search(stripped):
        # Clients wrap a long attribution over two or three lines.
        joined = " ".join(x.strip() for x in lines[max(0, i - 2) : i + 1])
        if _ATTRIBUTION.match(joined) or re.search(r"[@\d]", joined):
            return True
    if _HEADER_START.match(line):
        window = lines[i + 1 : i + 5]
        if sum(1 for w in window if _HEADER_NEXT.match(w)) >= 2:
            return True
    # A block of quoted lines to the end (blank lines aside) is the history.
    return _is_quote(line) and quoted_to_end[i]


def _cut_at_quote(lines: list[str]) -> list[str]:
    """The new text: before the first line that opens quoted history, or, when the
    author wrote below the quote (bottom-posting), what is left around it."""
    # quoted_to_end[i]: lines i.. are quotes or blank (computed once: linear time).
    quoted_to_end = [True] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):
        quoted_to_end[j] = quoted_to_end[j + 1] and (_is_quote(lines[j]) or not lines[j].strip())
    for i, line in enumerate(lines):
        if not line.strip() or not _opens_history(lines, i, quoted_to_end):
            continue
        start = i
        if _WROTE_END.search(line.strip()):
            # A wrapped attribution began up to two lines earlier ("On <date>, <name>
            # <" / "addr> wrote:"): those lines name a date or an address.
            while start > max(0, i - 2) and re.search(r"[@<\d]", lines[start - 1]):
                start -= 1
        head = [x for x in lines[:start] if not _is_quote(x)]
        if any(x.strip() for x in head):
            return head
        # Nothing above: the reply is below the quote. Drop the attribution and quotes.
        return [x for x in lines[i + 1 :] if not _is_quote(x)]
    # Quotes interleaved with new text go; the new text stays.
    return [line for line in lines if not _is_quote(line)]


def _cut_signature(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = max(0, end - MAX_SIGNATURE_LINES)
    for i in range(start, end):
        if _SIG_DELIMITER.match(lines[i]):
            return lines[:i]
    for i in range(end - 1, start - 1, -1):
        if _MOBILE_FOOTER.match(lines[i]):
            return lines[:i]
    return lines[:end]


def strip_quotes(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_cut_at_quote(lines)).strip()


def reply_text(text: str) -> str:
    """The newly written part of a message: quoted history, then a signature, removed.
    If that leaves nothing (a top-quoted forward, say), the whole text is returned."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = _cut_signature(_cut_at_quote(lines))
    result = "\n".join(kept).strip()
    return result or text.strip()
