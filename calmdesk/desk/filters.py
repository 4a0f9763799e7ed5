"""One filter grammar for the inbox, search, and later saved views and the API.

A query is free words, "quoted phrases" and operators::

    tag:billing  from:maya  status:pending  assignee:me  mailbox:support
    org:Northwind  CD-3fa8b1c2d4e5 (or [CD-3fa8b1c2d4e5])

``parse`` reads text into a ``Query`` (typed, no database); ``from_params`` reads the
inbox's query string (one key per operator) into the same type; ``resolve`` looks its
names up for an actor (a mailbox they cannot see reads as a missing one); ``apply``
narrows a Conversation queryset. Free words and phrases need the full-text index, so
search.py matches those. Nothing typed is ever an error: what means nothing is dropped
and said in ``problems``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calmdesk.desk.access import visible_mailboxes
from calmdesk.desk.models import SNOOZED, Conversation, Customer, Mailbox, Status, Tag

MAX_WORDS = 12
MAX_VALUES = 6  # of each operator: more is a typo, and each costs a subquery
MAX_VALUE = 100
# Letters and digits only: the same split as SQLite's unicode61 tokenizer, and nothing an
# agent types can become query syntax on either database. A trailing * asks for every word
# that starts so; it is opt-in because a prefix has to gather all its matches before the
# newest can be picked, where a whole word is read newest first and stops after a page.
WORD = re.compile(r"([^\W_]+)(\*?)")
# The subject token of outgoing mail (mail.threads writes it; the core cannot import mail).
TOKEN = re.compile(r"^\[?CD-([0-9a-f]{4,16})\]?$", re.IGNORECASE)
_PIECE = re.compile(
    r'(?P<op>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>\S*))'
    r'|"(?P<phrase>[^"]*)"?'
    r"|(?P<word>\S+)"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The inbox's query-string keys (the operators' names) and the Query field each sets.
_FIELDS = {
    "status": "status",
    "mailbox": "mailbox",
    "assignee": "assignee",
    "tag": "tags",
    "from": "senders",
    "org": "orgs",
}
# The statuses, and the Snoozed folder of active conversations put off until later.
STATUSES = (*Status.values, SNOOZED)
OPERATORS = ("tag", "from", "status", "assignee", "mailbox", "org")
# The search page's help: an example of each piece of the grammar and what it finds.
OPERATOR_HELP = (
    ("refund", gettext_lazy("words: every one must appear (subject, message, customer)")),
    ("export*", gettext_lazy("a word ending in * matches every word that starts so")),
    ('"charged twice"', gettext_lazy("a phrase: the words together, in this order")),
    ("tag:billing", gettext_lazy("conversations with this tag")),
    ("from:maya", gettext_lazy("from a customer whose name or address contains this")),
    ("org:northwind", gettext_lazy("customers of an organisation (its name alone works too)")),
    ("status:pending", gettext_lazy("active, snoozed, pending, closed or spam")),
    ("assignee:me", gettext_lazy("me, none, or an agent's username")),
    ("mailbox:billing", gettext_lazy("one mailbox, by its short name")),
    ("CD-3fa8b1c2d4e5", gettext_lazy("the reference in a reply's subject")),
    ('from:"Maya Okafor"', gettext_lazy("quotes keep a value with spaces together")),
)
# Older inbox links said these; they mean me and none.
_ASSIGNEE_ALIASES = {"mine": "me", "unassigned": "none"}


class Word(NamedTuple):
    text: str
    prefix: bool


@dataclass(frozen=True)
class Query:
    words: tuple[Word, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    tags: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()  # from: a customer's name or address
    orgs: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    status: str = ""
    assignee: str = ""  # "me", "none" or a username
    mailbox: str = ""  # a slug
    problems: tuple[str, ...] = ()

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def has_operators(self) -> bool:
        return any(
            (self.tags, self.senders, self.orgs, self.tokens, self.status, self.assignee)
        ) or bool(self.mailbox)

    def replace(self, **changes: object) -> Query:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def params(self) -> dict[str, str]:
        """The inbox's query string: one key per operator (``?status=pending&tag=billing``)
        while each has one value, else the whole query as ``q`` (two tags, a subject
        token). Either way one value per key."""
        if len(self.tags) > 1 or len(self.senders) > 1 or len(self.orgs) > 1 or self.tokens:
            return {"q": self.text()}
        values = {
            "status": self.status,
            "mailbox": self.mailbox,
            "assignee": self.assignee,
            "tag": self.tags[0] if self.tags else "",
            "from": self.senders[0] if self.senders else "",
            "org": self.orgs[0] if self.orgs else "",
        }
        return {key: value for key, value in values.items() if value}

    def with_operator(self, key: str, value: str) -> Query:
        """This query with the operator ``key`` (a query-string key: "tag", "from", …) set
        to ``value`` alone; "" drops it. For links that change one filter."""
        name, value = _FIELDS[key], value.lower()
        if name in ("tags", "senders", "orgs"):
            return self.replace(**{name: (value,) if value else ()})
        return self.replace(**{name: value})

    def text(self) -> str:
        """The same query written in the grammar, as a saved view would keep it."""
        parts = [w.text + ("*" if w.prefix else "") for w in self.words]
        parts += [f'"{" ".join(p)}"' for p in self.phrases]
        parts += [f"CD-{t}" for t in self.tokens]
        for key, values in (
            ("status", (self.status,)),
            ("mailbox", (self.mailbox,)),
            ("assignee", (self.assignee,)),
            ("tag", self.tags),
            ("from", self.senders),
            ("org", self.orgs),
        ):
            parts += [f"{key}:{_quoted(v)}" for v in values if v]
        return " ".join(parts)


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) else value


def words_of(text: str) -> list[Word]:
    return [Word(w.lower()[:64], star == "*") for w, star in WORD.findall(text)]


class _Builder:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {k: [] for k in ("tags", "senders", "orgs", "tokens")}
        self.single: dict[str, str] = {}
        self.words: list[Word] = []
        self.phrases: list[tuple[str, ...]] = []
        self.problems: list[str] = []

    def operator(self, name: str, value: str) -> None:
        value = " ".join(value.split())[:MAX_VALUE]
        name = name.lower()
        if _CONTROL.search(value):
            # Never a name, and PostgreSQL refuses a NUL in any text it is given.
            self.problems.append(
                _("“%(op)s:” cannot hold control characters, so it was left out.") % {"op": name}
            )
        elif not value:
            self.problems.append(_("“%(op)s:” needs a value after it.") % {"op": name})
        elif name == "status":
            self._status(value.lower())
        elif name == "assignee":
            low = value.lower()
            self.single["assignee"] = _ASSIGNEE_ALIASES.get(low, low)
        elif name == "mailbox":
            self.single["mailbox"] = value.lower()
        else:
            key = {"tag": "tags", "from": "senders", "org": "orgs"}[name]
            found = self.fields[key]
            if len(found) < MAX_VALUES and value.lower() not in found:
                found.append(value.lower())

    def _status(self, value: str) -> None:
        if value in STATUSES:
            self.single["status"] = value
        else:
            self.problems.append(
                _("There is no status “%(value)s” (try %(choices)s).")
                % {"value": value, "choices": ", ".join(STATUSES)}
            )

    def free(self, text: str) -> None:
        token = TOKEN.match(text)
        if token:
            if len(self.fields["tokens"]) < MAX_VALUES:
                self.fields["tokens"].append(token[1].lower())
            return
        self.words += words_of(text)

    def query(self) -> Query:
        words = tuple(dict.fromkeys(self.words))
        if len(words) > MAX_WORDS:
            self.problems.append(_("Only the first %(n)d words are searched.") % {"n": MAX_WORDS})
        return Query(
            words=words[:MAX_WORDS],
            phrases=tuple(self.phrases[:MAX_VALUES]),
            tags=tuple(self.fields["tags"]),
            senders=tuple(self.fields["senders"]),
            orgs=tuple(self.fields["orgs"]),
            tokens=tuple(self.fields["tokens"]),
            status=self.single.get("status", ""),
            assignee=self.single.get("assignee", ""),
            mailbox=self.single.get("mailbox", ""),
            problems=tuple(self.problems),
        )


def parse(text: str) -> Query:
    """Read a search box's text. Never raises: an unknown ``word:`` is searched as words
    (a pasted URL or ``ERR:TIMEOUT`` still finds something) and the agent is told."""
    b = _Builder()
    _read(text, b)
    return b.query()


def _read(text: str, b: _Builder) -> None:
    for piece in _PIECE.finditer(text[:1000]):
        if piece["op"] is not None:
            op = piece["op"].lower()
            value = piece["quoted"] if piece["quoted"] is not None else piece["value"]
            if op in OPERATORS:
                b.operator(op, value)
                continue
            if value:
                b.problems.append(
                    _("“%(op)s:” is not an operator, so it was searched as words.")
                    % {"op": piece["op"]}
                )
            b.free(piece[0])
        elif piece["phrase"] is not None:
            words = tuple(w.text for w in words_of(piece["phrase"]))
            if len(words) > 1:
                b.phrases.append(words[:MAX_WORDS])
            else:
                b.words += [Word(w, False) for w in words]
        else:
            b.free(piece["word"])


def from_params(params: Mapping[str, str], *, status: str = "") -> Query:
    """The inbox's query string: ``q`` (the grammar, as a saved view keeps it) and/or one
    key per operator (``?status=pending&tag=billing``), a key overriding the same operator
    in ``q``. ``status`` is the default when neither names one."""
    b = _Builder()
    text = params.get("q", "")
    if text:
        _read(text, b)
    for name in OPERATORS:
        value = params.get(name, "")
        if value:
            if name in ("tag", "from", "org"):
                b.fields[_FIELDS[name]].clear()  # the key's value alone, as a link set it
            b.operator(name, value)
    query = b.query()
    return query if query.status or not status else query.replace(status=status)


@dataclass(frozen=True)
class Filter:
    """A query with its names looked up for one agent."""

    query: Query = Query()
    mailbox: Mailbox | None = None
    tags: tuple[Tag, ...] = ()
    assignee: User | None = None
    problems: tuple[str, ...] = ()


def resolve(actor: User, query: Query) -> Filter:
    """One query per kind of name given (mailbox, tags, agent), none when none is. A name
    that matches nothing is dropped with a problem, as a bad inbox link always was."""
    problems = list(query.problems)
    mailbox = None
    if query.mailbox:
        # A mailbox the agent cannot see reads exactly like one that does not exist.
        mailbox = visible_mailboxes(actor).filter(slug=query.mailbox[:50]).first()
        if mailbox is None:
            problems.append(
                _("No mailbox “%(value)s”; showing all yours.") % {"value": query.mailbox}
            )
            query = query.replace(mailbox="")
    tags: tuple[Tag, ...] = ()
    if query.tags:
        tags = tuple(Tag.objects.filter(name__in=[t[:50] for t in query.tags]))
        missing = set(query.tags) - {t.name for t in tags}
        problems += [_("No tag “%(value)s”.") % {"value": name} for name in sorted(missing)]
        query = query.replace(tags=tuple(t for t in query.tags if t not in missing))
    assignee = None
    if query.assignee and query.assignee not in ("me", "none"):
        assignee = (
            get_user_model()
            .objects.filter(username=query.assignee[:150], agent__isnull=False)
            .first()
        )
        if assignee is None:
            problems.append(_("No agent “%(value)s”.") % {"value": query.assignee})
            query = query.replace(assignee="")
    return Filter(query, mailbox, tags, assignee, tuple(problems))


def apply(actor: User, f: Filter, rows: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Every operator of ``f`` (not its words) on ``rows``."""
    q = f.query
    # A conversation merged into another lives on in it (calmdesk.desk.merge).
    rows = rows.filter(merged_into__isnull=True)
    if q.status == SNOOZED:
        rows = rows.filter(status=Status.ACTIVE, snoozed_until__isnull=False)
    elif q.status == Status.ACTIVE:
        rows = rows.filter(status=Status.ACTIVE, snoozed_until__isnull=True)
    elif q.status:
        rows = rows.filter(status=q.status)
    if f.mailbox is not None:
        rows = rows.filter(mailbox=f.mailbox)
    if q.assignee == "me":
        rows = rows.filter(assignee=actor)
    elif q.assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif f.assignee is not None:
        rows = rows.filter(assignee=f.assignee)
    for tag in f.tags:
        # EXISTS, not a join: the database keeps walking the inbox index in order and
        # stops after a page, instead of sorting every conversation with the tag.
        tagged = Conversation.tags.through.objects.filter(
            conversation_id=OuterRef("pk"), tag_id=tag.pk
        )
        rows = rows.filter(Exists(tagged))
    for sender in q.senders:
        who = Customer.objects.filter(
            Q(name__icontains=sender) | Q(emails__email__icontains=sender)
        ).values("pk")
        rows = rows.filter(customer_id__in=who)
    for org in q.orgs:
        members = Customer.objects.filter(organisation__name__icontains=org).values("pk")
        rows = rows.filter(customer_id__in=members)
    if q.tokens:
        rows = rows.filter(token__in=q.tokens)
    return rows
