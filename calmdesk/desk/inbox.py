"""The inbox: filters read from the query string, a keyset page of conversations and the
folder counts. No OFFSET anywhere: a page starts after the last row of the one before, so
page 1,000 costs what page 1 costs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calmdesk.desk.access import visible_conversations
from calmdesk.desk.filters import OPERATORS, Filter, Query, apply, from_params, resolve
from calmdesk.desk.models import (
    SNOOZED,
    WAITING_OR_LAST,
    Conversation,
    CustomerEmail,
    FolderCount,
    Mailbox,
    Message,
    MessageKind,
    Status,
    Tag,
)

# The inbox's folders by status: Snoozed (active, put off) follows Active.
FOLDERS = {
    Status.ACTIVE: Status.ACTIVE.label,
    SNOOZED: gettext_lazy("Snoozed"),
    **{value: label for value, label in Status.choices if value != Status.ACTIVE},
}
# About one screen of rows: more is scrolling past what nobody reads, and costs render time.
PAGE_SIZE = 30
SORTS = {
    "waiting": gettext_lazy("Waiting longest"),
    "care": gettext_lazy("Needs care first"),
    "recent": gettext_lazy("Most recent"),
    "waking": gettext_lazy("Wakes soonest"),
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(
    r"^(?:(?P<phase>[wrcs])(?:(?P<score>-?\d{1,6}(?:\.\d{1,20})?)~)?(?P<micros>-?\d{1,20})\.|q)"
    r"(?P<id>\d{1,19})$"
)
# The phase of each sort's cursor: waiting (then ``q``), recent, care, waking.
PHASES = {"waiting": "wq", "recent": "r", "care": "c", "waking": "s"}


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (time, id) in a timed phase (``w`` waiting, ``r``
    recent), after (score, time, id) in the care order (``c``), or after id in the ``q``
    phase (conversations nobody is waiting on, at the end of the waiting sort). Times are
    whole microseconds since the epoch, scores their exact ``repr``: no float on the way."""

    phase: str
    when: datetime | None
    id: int
    score: float | None = None

    def encode(self) -> str:
        if self.when is None:
            return f"q{self.id}"
        micros = (self.when - _EPOCH) // _MICROSECOND
        score = "" if self.score is None else f"{self.score!r}~"
        return f"{self.phase}{score}{micros}.{self.id}"

    @classmethod
    def decode(cls, raw: str) -> Cursor | None:
        match = _CURSOR.match(raw)
        if match is None or (match["phase"] == "c") != (match["score"] is not None):
            return None
        try:
            when = _EPOCH + int(match["micros"]) * _MICROSECOND if match["phase"] else None
        except OverflowError:
            return None
        score = float(match["score"]) if match["score"] is not None else None
        return cls(match["phase"] or "q", when, int(match["id"]), score)


@dataclass
class InboxFilter:
    """What the inbox shows: the grammar's operators (``where``, from filters.py), the
    sort and the page. Its links are built from one dict, one value per key."""

    where: Filter = field(default_factory=lambda: Filter(Query(status=Status.ACTIVE)))
    sort: str = "waiting"
    after: Cursor | None = None
    # Values in the query string that meant nothing, told to the agent, never a 500.
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.where.query.status or Status.ACTIVE

    @property
    def mailbox(self) -> Mailbox | None:
        return self.where.mailbox

    @property
    def assignee(self) -> str:
        """The assignee operator: "me", "none", a username or empty."""
        return self.where.query.assignee

    @property
    def tag(self) -> Tag | None:
        return self.where.tags[0] if self.where.tags else None

    def params(self, **changes: object) -> dict[str, str]:
        """The query string's values with ``changes`` applied (None or "" drops a key):
        an operator's change is made to the query, which then writes its own keys."""
        query = self.where.query
        for key in OPERATORS:
            if key in changes:
                query = query.with_operator(key, str(changes.pop(key) or ""))
        values: dict[str, object] = {
            **query.params(),
            "sort": self.sort if self.sort != default_sort(self.status) else None,
            "after": self.after.encode() if self.after else None,
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v}

    def query(self, **changes: object) -> str:
        """The query string ("?status=…&…") with ``changes`` applied; the page cursor only
        when asked for."""
        return "?" + urlencode(self.params(**{"after": None, **changes}))


def default_sort(status: str) -> str:
    if status == SNOOZED:
        return "waking"  # what comes back first
    return "waiting" if status == Status.ACTIVE else "recent"


def sorts_for(status: str) -> dict[str, object]:
    """The sorts a folder offers: the wake time only where everything has one."""
    return {k: v for k, v in SORTS.items() if k != "waking" or status == SNOOZED}


def parse_filter(actor: User, params: Mapping[str, str]) -> InboxFilter:
    query = from_params(params, status=Status.ACTIVE)
    problems: list[str] = []
    if query.has_text:
        # The inbox lists by its indexes; words need the full-text index of search.
        problems.append(_("The inbox filters by operators; search finds words."))
        query = query.replace(words=(), phrases=())
    where = resolve(actor, query)
    f = InboxFilter(where=where, problems=[*where.problems, *problems])
    f.sort = default_sort(f.status)
    sort = params.get("sort", "")
    if sort in sorts_for(f.status):
        f.sort = sort
    elif sort:
        f.problems.append(_("Unknown sort “%(value)s”.") % {"value": sort})
    after = params.get("after", "")
    if after:
        f.after = Cursor.decode(after[:96])
        if f.after is None or f.after.phase not in PHASES[f.sort]:
            f.after = None
            f.problems.append(_("That page link is out of date; showing the first page."))
    return f


def with_row_details(
    conversations: QuerySet[Conversation], related: Sequence[str] = ()
) -> QuerySet[Conversation]:
    """What an inbox or search row shows, in a fixed number of queries for the page.
    ``related``: one-to-one rows the layers above show with each row (the pages ask for
    the empathy layer's ``care`` row, for the gauge), fetched in the same query."""
    last_words = Message.objects.filter(
        conversation_id=OuterRef("pk"), kind=MessageKind.CUSTOMER
    ).order_by("-created_at", "-id")
    first_email = CustomerEmail.objects.filter(customer_id=OuterRef("customer_id")).order_by("id")
    return (
        conversations.select_related("customer", "mailbox", "assignee", *related)
        # A plain list: a related manager per row costs more than the row's whole query.
        .prefetch_related(Prefetch("tags", to_attr="tag_list"))
        .annotate(
            snippet=Subquery(last_words.annotate(s=Substr("body_text", 1, 180)).values("s")[:1]),
            customer_email=Subquery(first_email.values("email")[:1]),
        )
    )


def _filtered(actor: User, f: InboxFilter) -> QuerySet[Conversation]:
    return apply(actor, f.where, visible_conversations(actor))


def rows_in_order(ids: list[int], related: Sequence[str] = ()) -> list[Conversation]:
    """The row details of ``ids``, in that order. Fetched apart from the keyset query so
    the database never computes a snippet for a row that is not on the page."""
    rows = with_row_details(Conversation.objects.filter(pk__in=ids), related)
    found = {c.pk: c for c in rows}
    return [found[pk] for pk in ids if pk in found]


def inbox_page(
    actor: User, f: InboxFilter, related: Sequence[str] = (), *, size: int = PAGE_SIZE
) -> tuple[list[Conversation], str]:
    """One page of ``size`` conversations and the cursor of the next page ("" on the
    last). The API asks for its own ``size`` (its ``limit``)."""
    rows = _filtered(actor, f)
    if f.sort == "care":
        return _care_page(rows, f.after, related, size)
    wanted = size + 1
    after = f.after
    keys = ("pk", "waiting_since", "last_message_at")
    page: list[tuple] = []
    if f.sort == "waking":
        return _waking_page(rows, after, related, size)
    if f.sort == "recent":
        timed = rows
        if after is not None:
            timed = rows.filter(
                Q(last_message_at__lt=after.when) | Q(last_message_at=after.when, id__lt=after.id)
            )
        page = list(timed.order_by("-last_message_at", "-id").values_list(*keys)[:wanted])
    else:
        if after is None or after.phase == "w":
            waiting = rows.filter(waiting_since__isnull=False)
            if after is not None:
                waiting = waiting.filter(
                    Q(waiting_since__gt=after.when) | Q(waiting_since=after.when, id__gt=after.id)
                )
            page = list(waiting.order_by("waiting_since", "id").values_list(*keys)[:wanted])
        if len(page) < wanted:
            quiet = rows.filter(waiting_since__isnull=True)
            if after is not None and after.phase == "q":
                quiet = quiet.filter(id__lt=after.id)
            page += list(quiet.order_by("-id").values_list(*keys)[: wanted - len(page)])
    cursor = ""
    if len(page) > size:
        pk, waiting_since, last_message_at = page[size - 1]
        if f.sort == "recent":
            cursor = Cursor("r", last_message_at, pk).encode()
        elif waiting_since is not None:
            cursor = Cursor("w", waiting_since, pk).encode()
        else:
            cursor = Cursor("q", None, pk).encode()
    return rows_in_order([row[0] for row in page[:size]], related), cursor


def _waking_page(
    rows: QuerySet[Conversation], after: Cursor | None, related: Sequence[str], size: int
) -> tuple[list[Conversation], str]:
    """The Snoozed folder, soonest to wake first, read along the index of snoozed rows."""
    if after is not None:
        rows = rows.filter(
            Q(snoozed_until__gt=after.when) | Q(snoozed_until=after.when, id__gt=after.id)
        )
    page = list(rows.order_by("snoozed_until", "id").values_list("pk", "snoozed_until")[: size + 1])
    cursor = Cursor("s", page[size - 1][1], page[size - 1][0]).encode() if len(page) > size else ""
    return rows_in_order([pk for pk, _until in page[:size]], related), cursor


@dataclass
class FolderCounts:
    by_status: dict[str, int]
    by_mailbox: dict[int, int]  # active conversations per mailbox
    mine: int
    unassigned: int
    total_active: int
    # In the folder shown (its status, and its mailbox if one is chosen): how many each
    # person holds, by user id.
    by_assignee: dict[int, int] = field(default_factory=dict)
    # The kept rows read: (mailbox id, folder, assignee key, count), for saved views.
    rows: list[tuple[int, str, int, int]] = field(default_factory=list)
    # Who each assignee key is: (username, name to show).
    names: dict[int, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Teammate:
    username: str
    name: str
    count: int


def teammates(actor: User, f: InboxFilter, counts: FolderCounts) -> list[Teammate]:
    """The people who hold conversations in the folder shown, with how many (the sidebar's
    filter by assignee), and the one the filter names even with none. No query: the names
    came with the kept counts."""
    people = {pk: name for pk, name in counts.names.items() if counts.by_assignee.get(pk)}
    chosen = f.where.assignee
    if chosen is not None:
        people[chosen.pk] = (chosen.username, chosen.get_full_name() or chosen.username)
    people.pop(actor.pk, None)  # "Mine"
    ordered = sorted(people.items(), key=lambda item: (item[1][1].lower(), item[1][0]))
    return [
        Teammate(username, name, counts.by_assignee.get(pk, 0)) for pk, (username, name) in ordered
    ]


def folder_counts(actor: User, f: InboxFilter, mailbox_ids: list[int]) -> FolderCounts:
    """From the kept counts: a handful of rows, however many conversations there are."""
    by_status = dict.fromkeys(FOLDERS, 0)
    by_mailbox = dict.fromkeys(mailbox_ids, 0)
    by_assignee: dict[int, int] = {}
    mine = unassigned = 0
    person = User.objects.filter(pk=OuterRef("assignee_key"))
    read = FolderCount.objects.filter(mailbox_id__in=mailbox_ids).annotate(
        # The few assignees' names in the same query, for the sidebar's people.
        username=Subquery(person.values("username")[:1]),
        full_name=Subquery(
            person.annotate(n=Concat("first_name", Value(" "), "last_name")).values("n")[:1]
        ),
    )
    rows: list[tuple[int, str, int, int]] = []
    names: dict[int, tuple[str, str]] = {}
    for mailbox_id, status, assignee_key, count, username, full_name in read.values_list(
        "mailbox_id", "status", "assignee_key", "count", "username", "full_name"
    ):
        rows.append((mailbox_id, status, assignee_key, count))
        if username:
            names[assignee_key] = (username, (full_name or "").strip() or username)
        if status == Status.ACTIVE:
            by_mailbox[mailbox_id] = by_mailbox.get(mailbox_id, 0) + count
        if f.mailbox is not None and mailbox_id != f.mailbox.pk:
            continue
        by_status[status] = by_status.get(status, 0) + count
        if status == f.status and assignee_key == actor.pk:
            mine += count
        if status == f.status and assignee_key == 0:
            unassigned += count
        if status == f.status and assignee_key:
            by_assignee[assignee_key] = by_assignee.get(assignee_key, 0) + count
    total = sum(by_mailbox.values())
    return FolderCounts(by_status, by_mailbox, mine, unassigned, total, by_assignee, rows, names)


def _care_page(
    rows: QuerySet[Conversation], after: Cursor | None, related: Sequence[str], size: int
) -> tuple[list[Conversation], str]:
    """The "needs care first" order: the highest priority score (a layer above sets it:
    what is at stake, then how heated the customer is), then who has waited longest. Read
    in the order of the conv_priority index, without a join or a sort."""
    ordered = rows.annotate(since=WAITING_OR_LAST)
    if after is not None:
        ordered = ordered.filter(
            Q(priority_score__lt=after.score)
            | Q(priority_score=after.score, since__gt=after.when)
            | Q(priority_score=after.score, since=after.when, id__gt=after.id)
        )
    page = list(
        ordered.order_by("-priority_score", "since", "id").values_list(
            "pk", "priority_score", "since"
        )[: size + 1]
    )
    cursor = ""
    if len(page) > size:
        pk, score, since = page[size - 1]
        cursor = Cursor("c", since, pk, score).encode()
    return rows_in_order([row[0] for row in page[:size]], related), cursor
