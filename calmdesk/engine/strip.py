"""Strip quoted replies and signatures from raw email text before it is read (F14).

Line-based and linear: a line is quoted when it starts with ">", the quoted history
starts at an attribution ("On … wrote:", "-----Original Message-----", an Outlook
"From:/Sent:" header block) and the signature at "-- " or "Sent from my …". What stays
keeps its offsets into the original so spans can be shown on the original text."""

from __future__ import annotations

from calmdesk.engine.types import Stripped

_ORIGINAL_MARKERS = (
    "-----original message-----",
    "----- original message -----",
    "-------- original message --------",
    "begin forwarded message:",
    "---------- forwarded message ---------",
)
_SENT_FROM = ("sent from my ", "sent from outlook", "get outlook for ", "sent from mail for ")
_HEADER_KEYS = ("from:", "sent:", "to:", "subject:", "date:", "cc:")
# An attribution may wrap onto a second line ("On Mon, 3 Jun 2024, Ann <ann@x.org>\nwrote:").
_ATTRIBUTION_LINES = 2
# A separator of underscores (Outlook web) at least this long starts the quoted history.
_RULE_LENGTH = 20


def strip_quotes_and_signature(text: str) -> Stripped:
    """The text an agent should read, with a map back to ``text``."""
    if not isinstance(text, str):
        text = str(text)
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    keep_until = len(lines)
    removed: list[str] = []
    skip: set[int] = set()
    seen_text = False
    for n, (_, line) in enumerate(lines):
        low = line.strip().lower()
        if _is_attribution(lines, n) and not seen_text:
            # Bottom-posting (Thunderbird): the attribution and quote come first and the
            # reply follows, so drop the attribution line(s) and keep reading.
            skip.update(range(n, n + (1 if low.endswith(":") else _ATTRIBUTION_LINES)))
            removed.append("attribution")
            continue
        if n in skip:
            continue
        if _is_attribution(lines, n) or low in _ORIGINAL_MARKERS or _is_header_block(lines, n):
            keep_until = n
            removed.append("quote")
            break
        if len(low) >= _RULE_LENGTH and set(low) <= {"_"}:
            keep_until = n
            removed.append("quote")
            break
        if line.rstrip("\r") in ("-- ", "--") or low.startswith(_SENT_FROM):
            keep_until = n
            removed.append("signature")
            break
        if low and not low.startswith(">"):
            seen_text = True
    pieces: list[tuple[int, str]] = []
    for n, (start, line) in enumerate(lines[:keep_until]):
        if n in skip:
            continue
        if line.lstrip().startswith(">"):
            if "quote" not in removed:
                removed.append("quote")
            continue
        pieces.append((start, line))
    while pieces and not pieces[-1][1].strip():
        pieces.pop()
    # Join runs of consecutive original lines into one segment each.
    segments: list[tuple[int, int, int]] = []
    out: list[str] = []
    kept_pos = 0
    prev_end = -1
    for start, line in pieces:
        if segments and start == prev_end + 1:
            k, o, length = segments[-1]
            segments[-1] = (k, o, length + 1 + len(line))
            out.append("\n" + line)
            kept_pos += 1 + len(line)
        else:
            if segments:
                out.append("\n")
                kept_pos += 1
            segments.append((kept_pos, start, len(line)))
            out.append(line)
            kept_pos += len(line)
        prev_end = start + len(line)
    return Stripped(text, "".join(out), tuple(segments), tuple(removed))


def _is_attribution(lines: list[tuple[int, str]], n: int) -> bool:
    line = lines[n][1].strip()
    if not line.startswith(("On ", "Le ", "Am ", "El ", "Il ")):
        return False
    joined = " ".join(
        lines[k][1].strip() for k in range(n, min(len(lines), n + _ATTRIBUTION_LINES))
    )
    return any(
        end in joined
        for end in ("wrote:", "a écrit :", "a écrit:", "schrieb:", "escribió:", "ha scritto:")
    )


def _is_header_block(lines: list[tuple[int, str]], n: int) -> bool:
    """An Outlook-style "From: … / Sent: … / To: …" block: two header lines in a row."""
    first = lines[n][1].strip().lower()
    if not first.startswith("from:") or n + 1 >= len(lines):
        return False
    second = lines[n + 1][1].strip().lower()
    return second.startswith(_HEADER_KEYS)
