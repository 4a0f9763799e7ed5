"""Strip quoted replies and signatures from raw email text before it is read (F14).

The one stripper of the project: the mail ingest keeps what it returns as the text the
engine reads, and ``calmdesk read --email`` uses it too. Line by line with patterns
matched against one line (or two or three joined when a client wrapped an attribution),
never a backtracking pattern over the whole body, so the cost is linear in the length
of the message (reply-parser corpora carry pathological cases for this). What stays
keeps its offsets into the original, so spans can be shown on the original text."""

from __future__ import annotations

import re
from typing import Final

from calmdesk.engine.types import Stripped

_WROTE: Final = (
    r"(?:wrote|schrieb|a écrit|escribió|schreef|ha scritto|escreveu|skrev|napisał"
    r"|kirjoitti|írta|написал|napsal|yazdı)"
)
# A line that opens a quoted message: "On <date>, <name> wrote:" and its translations.
_ATTRIBUTION: Final = re.compile(
    r"^\s*(?:"
    r"(?:on|am|le|el|op|il|em|den|w dniu|pada|el día)\b.{0,300}" + _WROTE + r"\s*:"
    r"|.{0,200}<[^<>\s]+@[^<>\s]+>\s*(?:wrote|schrieb|a écrit|escribió)\s*:"
    r")\s*$",
    re.IGNORECASE,
)
_WROTE_END: Final = re.compile(_WROTE + r"\s*:\s*$", re.IGNORECASE)
_SEPARATOR: Final = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|original nachricht|message d'origine"
    r"|mensaje original|forwarded message|oorspronkelijk bericht|messaggio originale"
    r"|opprinnelig melding)\s*-{2,}"
    r"|_{20,}"
    r"|-{20,}"
    r"|begin forwarded message:)\s*$",
    re.IGNORECASE,
)
# Outlook-style header blocks: "From: …" followed soon by "Sent:"/"Date:"/"To:".
_HEADER_START: Final = re.compile(
    r"^\s*\*?(?:from|von|de|van|da|od|fra)\s*:\*?\s+\S", re.IGNORECASE
)
_HEADER_NEXT: Final = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|gesendet|datum|an|betreff|envoyé|date|à|objet"
    r"|enviado|fecha|para|asunto|verzonden|aan|onderwerp|inviato|oggetto|sendt|til|emne)"
    r"\s*:",
    re.IGNORECASE,
)
_DATE_OR_ADDRESS: Final = re.compile(r"[@\d]")
_WRAPPED_START: Final = re.compile(r"[@<\d]")
# Signatures: the RFC 3676 delimiter, and the one-line footers of mobile clients.
_SIG_DELIMITER: Final = re.compile(r"^(?:--|-- |—|__)\s*$")
_MOBILE_FOOTER: Final = re.compile(
    r"^\s*(?:sent (?:from|with|via) (?:my |the )?\S.{0,60}"
    r"|get outlook for \S.{0,40}"
    r"|envoyé de mon \S.{0,40}"
    r"|von meinem \S.{0,60}gesendet"
    r"|enviado desde mi \S.{0,40})\s*$",
    re.IGNORECASE,
)
# A signature longer than this many lines is more likely the body itself.
MAX_SIGNATURE_LINES: Final = 12
# A wrapped attribution ("On <date>, <name>" / "<addr> wrote:") spans at most this many
# lines before its "wrote:" line.
WRAPPED_ATTRIBUTION_LINES: Final = 2
# Header lines ("Sent:", "To:", …) among the few lines after "From:" that make a block.
HEADER_BLOCK_WINDOW: Final = 4
HEADER_BLOCK_MIN: Final = 2


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _opens_history(lines: list[str], i: int, quoted_to_end: list[bool]) -> bool:
    line = lines[i]
    if _SEPARATOR.match(line) or _ATTRIBUTION.match(line):
        return True
    if _WROTE_END.search(line.strip()):
        joined = " ".join(x.strip() for x in lines[max(0, i - WRAPPED_ATTRIBUTION_LINES) : i + 1])
        if _ATTRIBUTION.match(joined) or _DATE_OR_ADDRESS.search(joined):
            return True
    if _HEADER_START.match(line):
        window = lines[i + 1 : i + 1 + HEADER_BLOCK_WINDOW]
        if sum(1 for w in window if _HEADER_NEXT.match(w)) >= HEADER_BLOCK_MIN:
            return True
    # A block of quoted lines to the end (blank lines aside) is the history.
    return _is_quote(line) and quoted_to_end[i]


def _new_text_lines(lines: list[str], removed: list[str]) -> list[int]:
    """Indexes of the lines the author wrote: before the first line that opens quoted
    history, or, when they wrote below the quote (bottom-posting), around it."""
    # quoted_to_end[i]: lines i.. are quotes or blank (computed once: linear time).
    quoted_to_end = [True] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):
        quoted_to_end[j] = quoted_to_end[j + 1] and (_is_quote(lines[j]) or not lines[j].strip())
    for i, line in enumerate(lines):
        if not line.strip() or not _opens_history(lines, i, quoted_to_end):
            continue
        start = i
        if _WROTE_END.search(line.strip()):
            while start > max(0, i - WRAPPED_ATTRIBUTION_LINES) and _WRAPPED_START.search(
                lines[start - 1]
            ):
                start -= 1
        head = [n for n in range(start) if not _is_quote(lines[n])]
        if any(lines[n].strip() for n in head):
            removed.append("quote")
            return head
        # Nothing above: the reply is below the quote. Drop the attribution and quotes.
        removed.append("attribution")
        return [n for n in range(i + 1, len(lines)) if not _is_quote(lines[n])]
    kept = [n for n in range(len(lines)) if not _is_quote(lines[n])]
    if len(kept) < len(lines):
        removed.append("quote")  # quotes interleaved with new text go; the text stays
    return kept


def _without_signature(lines: list[str], kept: list[int], removed: list[str]) -> list[int]:
    end = len(kept)
    while end and not lines[kept[end - 1]].strip():
        end -= 1
    start = max(0, end - MAX_SIGNATURE_LINES)
    for k in range(start, end):
        if _SIG_DELIMITER.match(lines[kept[k]]):
            removed.append("signature")
            return kept[:k]
    for k in range(end - 1, start - 1, -1):
        if _MOBILE_FOOTER.match(lines[kept[k]]):
            removed.append("signature")
            return kept[:k]
    return kept[:end]


def strip_quotes_and_signature(text: str, *, signature: bool = True) -> Stripped:
    """The text an agent should read, with a map back to ``text``. With
    ``signature=False`` only the quoted history goes. Anything but a str is a TypeError
    (compiled, the annotation is enforced; pure, this check says the same)."""
    if not isinstance(text, str):
        raise TypeError(f"strip_quotes_and_signature reads str, not {type(text).__name__}")
    # Split on "\\n" only, so offsets stay those of ``text``; a "\\r" before it stays with
    # its line (every pattern allows trailing white space) and is cut from the pieces.
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    removed: list[str] = []
    kept = _new_text_lines(lines, removed)
    if signature:
        kept = _without_signature(lines, kept, removed)
    while kept and not lines[kept[0]].strip():
        kept = kept[1:]
    while kept and not lines[kept[-1]].strip():
        kept = kept[:-1]
    # Join runs of consecutive original lines into one segment each. A line that ended
    # in "\r\n" breaks the run: the kept text has only "\n" there.
    segments: list[tuple[int, int, int]] = []
    out: list[str] = []
    kept_pos = 0
    previous, previous_had_cr = -2, False
    for n in kept:
        line = lines[n]
        had_cr = line.endswith("\r")
        if had_cr:
            line = line[:-1]
        if segments:
            out.append("\n")
            kept_pos += 1
        if segments and n == previous + 1 and not previous_had_cr:
            k, o, length = segments[-1]
            segments[-1] = (k, o, length + 1 + len(line))
        else:
            segments.append((kept_pos, starts[n], len(line)))
        out.append(line)
        kept_pos += len(line)
        previous, previous_had_cr = n, had_cr
    return Stripped(text, "".join(out), tuple(segments), tuple(dict.fromkeys(removed)))


# A closing the writer signs with. Formulaic: "Best," or "Thanks," above a name says
# nothing of how the writer feels, and read as words it turned a complaint "positive".
_VALEDICTION: Final = (
    r"(?:best(?: regards| wishes)?|kind(?:est)? regards|warm(?:est)? regards|regards"
    r"|many thanks|thanks(?: again| so much| in advance)?|thank you(?: in advance)?|thx"
    r"|cheers|sincerely|yours(?: truly| sincerely)?|all the best|take care|br|kr"
    r"|cordialement|viele grüße|mit freundlichen grüßen|saludos|un saludo|cordiali saluti)"
)
_CLOSING_LINE: Final = re.compile(r"^\s*" + _VALEDICTION + r"\s*[,.!]?\s*$", re.IGNORECASE)
# "Thanks, Emma": the closing, a comma, and a capitalised name of one to three words.
_CLOSING_WITH_NAME: Final = re.compile(
    r"^\s*" + _VALEDICTION + r"\s*[,.!]\s*[-–—~]?\s*(?-i:[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2})\s*$",
    re.IGNORECASE,
)
# A line under the closing: a name, a title, a company ("Head of Ops, Shop Inc"): it
# opens with a capital and holds no sentence.
_NAME_LINE: Final = re.compile(r"^\s*[-–—~]?\s*[A-Z][^!?;:\n]{0,60}(?<![.!?,])\s*$")
# Lines under the closing (a name, a title, a company) at most.
MAX_LINES_UNDER_CLOSING: Final = 3


def sign_off_start(text: str) -> int:
    """Where the writer's closing begins ("Best,\\nFelix", "Thanks, Emma" on the last
    lines), or ``len(text)`` when the message ends without one. The closing needs a name
    under it or beside it: a lone "Thanks!" at the end may be the writer's gratitude."""
    end = len(text.rstrip())
    lines: list[tuple[int, str]] = []  # (offset, line) of the last non-blank lines
    pos = end
    while pos > 0 and len(lines) <= MAX_LINES_UNDER_CLOSING:
        start = text.rfind("\n", 0, pos) + 1
        line = text[start:pos]
        if line.strip():
            lines.append((start, line))
        pos = start - 1
    # lines[0] is the last line. A same-line closing with a name: "Thanks, Emma".
    if lines and _CLOSING_WITH_NAME.match(lines[0][1]) and len(lines) > 1:
        return lines[0][0]
    for k in range(1, len(lines)):
        offset, line = lines[k]
        if _CLOSING_LINE.match(line):
            if all(_NAME_LINE.match(u) for _, u in lines[:k]):
                return offset
            return len(text)
    return len(text)
