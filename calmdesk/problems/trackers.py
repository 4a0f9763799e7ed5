"""Issue trackers a problem is pushed to: what is sent (``Evidence``, laid out once as
``outline`` and rendered as Markdown for GitHub or as Atlassian Document Format for
Jira), and the small interface both tracker clients share.

Nothing here touches the database: the clients take a ``Target`` (where, as whom) and
an ``Evidence`` (what), so they are tested against local servers on their own. What is
sent never holds a customer's name or address; quotes only when the destination's admin
switched them on, and then scrubbed of addresses and the customers' names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calmdesk.outbound.client import Client


@dataclass(frozen=True)
class Target:
    """A destination as the client needs it (the token decrypted, only in memory)."""

    kind: str  # "jira" or "github"
    base_url: str  # https://example.atlassian.net, https://api.github.com
    project: str  # a Jira project key, or owner/repo
    token: str = field(repr=False)  # never in a log line or a debug page
    account: str = ""  # Jira: the email the API token belongs to
    issue_type: str = "Bug"  # Jira only


@dataclass(frozen=True)
class Evidence:
    title: str
    kind: str  # the problem's kind, as a label
    description: str
    customers: int
    conversations: int
    organisations: int
    revenue: tuple[tuple[str, Decimal], ...]  # monthly, per currency
    plans: tuple[tuple[str, int], ...]  # (plan, customers), most first
    weekly: tuple[tuple[date, int], ...]  # (week's Monday, new conversations), oldest first
    quotes: tuple[str, ...] = ()
    link: str = ""  # the problem's page in the desk


@dataclass(frozen=True)
class Issue:
    external_id: str  # a Jira key (CD-12) or a GitHub issue number
    url: str  # for people: the issue in the tracker's web pages
    closed: bool = False
    not_planned: bool = False  # closed as "won't do" rather than done
    duplicate: bool = False  # closed because another issue tracks it: nothing was fixed


class TrackerError(Exception):
    """A tracker refused or failed; ``code`` is stable (from the outbound client's codes
    or one of the trackers' own), ``message`` is the tracker's own words when it gave any."""

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class Tracker(Protocol):
    kind: ClassVar[str]

    def create(self, evidence: Evidence) -> Issue: ...

    def comment(self, external_id: str, evidence: Evidence) -> None: ...

    def fetch(self, external_id: str) -> Issue: ...


@dataclass
class TrackerBase:
    target: Target
    client: Client = field(default_factory=Client)


# --- What is said, once for both formats --------------------------------------------

Block = tuple[str, Any]  # ("heading", str) | ("para", str) | ("bullets", [str]) | ("quote", str)


def trend_word(weekly: tuple[tuple[date, int], ...]) -> str:
    """Rising, falling or steady: the last four weeks against the four before."""
    counts = [n for _week, n in weekly]
    recent, before = sum(counts[-4:]), sum(counts[-8:-4])
    if recent > before:
        return _("rising")
    if recent < before:
        return _("falling")
    return _("steady")


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def outline(evidence: Evidence, *, update: bool = False) -> list[Block]:
    blocks: list[Block] = []
    if update:
        blocks.append(("para", _("Update from calmdesk: the evidence as it stands now.")))
    elif evidence.description:
        blocks.append(("para", evidence.description))
    facts = [
        ngettext(
            "%(n)d customer affected, in %(c)d conversations",
            "%(n)d customers affected, in %(c)d conversations",
            evidence.customers,
        )
        % {"n": evidence.customers, "c": evidence.conversations},
        _("Organisations: %(n)d") % {"n": evidence.organisations},
    ]
    if evidence.revenue:
        at_stake = ", ".join(money(amount, cur) for cur, amount in evidence.revenue)
        facts.append(_("Monthly revenue at stake: %(money)s") % {"money": at_stake})
    if evidence.plans:
        plans = ", ".join(f"{plan} ({n})" for plan, n in evidence.plans)
        facts.append(_("Plans: %(plans)s") % {"plans": plans})
    if evidence.weekly:
        counts = " ".join(str(n) for _week, n in evidence.weekly)
        facts.append(
            _("Trend: %(word)s (new conversations per week, oldest first: %(counts)s)")
            % {"word": trend_word(evidence.weekly), "counts": counts}
        )
    blocks += [("heading", _("Evidence")), ("bullets", facts)]
    if evidence.quotes:
        blocks.append(("heading", _("In the customers' words")))
        blocks += [("quote", quote) for quote in evidence.quotes]
    if evidence.link:
        blocks.append(("para", _("In calmdesk: %(link)s") % {"link": evidence.link}))
    blocks.append(("para", _("Kind: %(kind)s. Sent by calmdesk.") % {"kind": evidence.kind}))
    return blocks


def markdown(evidence: Evidence, *, update: bool = False) -> str:
    lines: list[str] = []
    for kind, value in outline(evidence, update=update):
        if kind == "heading":
            lines.append(f"### {value}")
        elif kind == "bullets":
            lines += [f"- {item}" for item in value]
        elif kind == "quote":
            lines.append("> " + "\n> ".join(str(value).splitlines()))
        else:
            lines.append(str(value))
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _adf_text(text: str) -> list[dict[str, Any]]:
    """Text nodes, with a link mark on URLs (Jira shows them as links)."""
    nodes: list[dict[str, Any]] = []
    for piece in re.split(r"(https?://\S+)", text):
        if not piece:
            continue
        node: dict[str, Any] = {"type": "text", "text": piece}
        if piece.startswith(("http://", "https://")):
            node["marks"] = [{"type": "link", "attrs": {"href": piece}}]
        nodes.append(node)
    return nodes


def _adf_paragraph(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "content": _adf_text(text)}


def adf(evidence: Evidence, *, update: bool = False) -> dict[str, Any]:
    """The same outline as an Atlassian Document Format document (Jira Cloud REST v3)."""
    content: list[dict[str, Any]] = []
    for kind, value in outline(evidence, update=update):
        if kind == "heading":
            content.append({"type": "heading", "attrs": {"level": 3}, "content": _adf_text(value)})
        elif kind == "bullets":
            items = [{"type": "listItem", "content": [_adf_paragraph(v)]} for v in value]
            content.append({"type": "bulletList", "content": items})
        elif kind == "quote":
            content.append({"type": "blockquote", "content": [_adf_paragraph(value)]})
        else:
            content.append(_adf_paragraph(value))
    return {"type": "doc", "version": 1, "content": content}
