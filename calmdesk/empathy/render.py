"""A stored reading as HTML: sentences wrapped by class (emotional / informational) so
the facts view can fold the emotional ones, and the words behind every tone, stake and
fact highlighted with the reason on hover."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from calmdesk.empathy.spans import Mark, highlight

STAKE_LABELS = {
    "revenue": _("revenue"),
    "clients": _("their clients"),
    "deadline": _("a deadline"),
    "outage": _("site down"),
    "data_loss": _("data loss"),
    "churn": _("may cancel"),
    "legal": _("legal"),
    "personal": _("personal"),
}


def stake_label(kind: str) -> str:
    return str(STAKE_LABELS.get(kind, kind.replace("_", " ")))


def marks_of(data: dict[str, Any]) -> list[Mark]:
    marks = [
        Mark(s["start"], s["end"], f"cue tone-{s['tone']}", _("%(tone)s: %(reason)s") % s)
        for s in data.get("tone_spans", [])
    ]
    marks += [
        Mark(
            s["start"],
            s["end"],
            "stake",
            _("at stake: %(label)s") % {"label": stake_label(s["kind"])},
        )
        for s in data.get("stakes", [])
    ]
    marks += [
        Mark(
            f["start"],
            f["end"],
            "fact",
            _("fact: %(kind)s") % {"kind": f["kind"].replace("_", " ")},
        )
        for f in data.get("facts", [])
        if f["kind"] != "question"
    ]
    return marks


def render_reading_text(text: str, data: dict[str, Any]) -> SafeString:
    marks = marks_of(data)
    sentences = sorted(data.get("sentences", []), key=lambda s: s["start"])
    parts: list[str] = []
    cursor = 0
    for sentence in sentences:
        start, end = sentence["start"], sentence["end"]
        if start < cursor or end > len(text):
            continue
        parts.append(escape(text[cursor:start]))
        inner = [
            Mark(max(m.start, start) - start, min(m.end, end) - start, m.css, m.reason)
            for m in marks
            if m.start < end and m.end > start
        ]
        parts.append(
            f'<span class="sentence {escape(sentence["kind"])}">'
            f"{highlight(text[start:end], inner)}</span>"
        )
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))
