"""What a problem costs, counted over the conversations an agent may see: distinct
customers (never conversations), their organisations, plan and monthly revenue, first
and last seen, the weekly trend, their own words and how they feel.

Every function takes ``mailbox_ids`` (None: every mailbox) so the counts a person sees
are their visible ones."""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from calmdesk.desk.models import Conversation, Customer, Message, MessageKind
from calmdesk.empathy.models import MessageReading
from calmdesk.engine.problem_match import Quote, telling_sentences
from calmdesk.problems.models import Problem, ProblemLink

QUOTES = 5
QUOTE_SOURCE_MESSAGES = 200
# Trend: the last weeks compared with the weeks before them.
TREND_WEEKS = 4
# How the affected customers feel, by engine tone, grouped as the report shows them.
TONE_GROUPS = {
    "anger": "upset",
    "disgust": "upset",
    "fear": "worried",
    "sadness": "worried",
    "joy": "calm",
    "neutral": "calm",
    "surprise": "calm",
}
MOODS = ("upset", "worried", "calm")


def linked_conversations(problem_ids: Iterable[int], mailbox_ids: Sequence[int] | None) -> QuerySet:
    links = ProblemLink.objects.filter(problem_id__in=list(problem_ids))
    if mailbox_ids is not None:
        links = links.filter(conversation__mailbox_id__in=mailbox_ids)
    return links


@dataclass
class Impact:
    """One problem's figures over the visible conversations."""

    problem: Problem
    conversations: int = 0
    customer_ids: set[int] = field(default_factory=set)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    revenue: dict[str, Decimal] = field(default_factory=dict)
    organisations: set[str] = field(default_factory=set)
    weekly: Counter[date] = field(default_factory=Counter)
    recent: int = 0
    before: int = 0
    moods: Counter[str] = field(default_factory=Counter)

    @property
    def customers(self) -> int:
        return len(self.customer_ids)

    @property
    def trend(self) -> int:
        """New conversations in the last TREND_WEEKS weeks minus the weeks before them."""
        return self.recent - self.before

    @property
    def upset_share(self) -> float:
        total = sum(self.moods.values())
        return self.moods["upset"] / total if total else 0.0

    def revenue_text(self) -> str:
        return ", ".join(f"{amount:,.0f} {cur}" for cur, amount in sorted(self.revenue.items()))


def week_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def impacts(
    problems: Sequence[Problem],
    mailbox_ids: Sequence[int] | None,
    *,
    now: datetime,
    since: datetime | None = None,
) -> dict[int, Impact]:
    """Figures for ``problems`` in four queries however many there are."""
    found = {p.pk: Impact(p) for p in problems}
    links = linked_conversations(found, mailbox_ids)
    if since is not None:
        links = links.filter(conversation__last_message_at__gte=since)
    rows = links.values_list(
        "problem_id",
        "conversation_id",
        "conversation__customer_id",
        "conversation__created_at",
        "conversation__last_message_at",
    )
    per_customer: dict[int, set[int]] = defaultdict(set)
    conversation_problem: dict[int, list[int]] = defaultdict(list)
    recent_from = week_of(now) - timedelta(weeks=TREND_WEEKS - 1)
    before_from = recent_from - timedelta(weeks=TREND_WEEKS)
    for problem_id, conversation_id, customer_id, created, last in rows:
        impact = found[problem_id]
        impact.conversations += 1
        impact.customer_ids.add(customer_id)
        per_customer[customer_id].add(problem_id)
        conversation_problem[conversation_id].append(problem_id)
        impact.first_seen = min(impact.first_seen or created, created)
        impact.last_seen = max(impact.last_seen or last, last)
        week = week_of(created)
        impact.weekly[week] += 1
        if week >= recent_from:
            impact.recent += 1
        elif week >= before_from:
            impact.before += 1
    customers = Customer.objects.filter(pk__in=list(per_customer)).values_list(
        "pk", "monthly_revenue", "revenue_currency", "organisation__name"
    )
    for customer_id, revenue, currency, organisation in customers:
        for problem_id in per_customer[customer_id]:
            impact = found[problem_id]
            if revenue is not None:
                key = currency or "—"
                impact.revenue[key] = impact.revenue.get(key, Decimal(0)) + revenue
            if organisation:
                impact.organisations.add(organisation)
    tones = MessageReading.objects.filter(
        message__conversation_id__in=list(conversation_problem),
        message__kind=MessageKind.CUSTOMER,
    ).values_list("message__conversation_id", "tone")
    for conversation_id, tone in tones:
        for problem_id in conversation_problem[conversation_id]:
            found[problem_id].moods[TONE_GROUPS.get(tone, "calm")] += 1
    return found


def weeks_between(first: date, last: date) -> list[date]:
    weeks = []
    week = first
    while week <= last:
        weeks.append(week)
        week += timedelta(weeks=1)
    return weeks


@dataclass(frozen=True)
class AffectedCustomer:
    customer: Customer
    conversations: int
    first_seen: datetime
    last_seen: datetime


def affected_customers(
    problem: Problem, mailbox_ids: Sequence[int] | None
) -> list[AffectedCustomer]:
    conversations = Conversation.objects.filter(
        pk__in=linked_conversations([problem.pk], mailbox_ids).values("conversation_id")
    ).values_list("customer_id", "created_at", "last_message_at")
    seen: dict[int, list[datetime]] = {}
    counts: Counter[int] = Counter()
    for customer_id, created, last in conversations:
        counts[customer_id] += 1
        first_last = seen.setdefault(customer_id, [created, last])
        first_last[0] = min(first_last[0], created)
        first_last[1] = max(first_last[1], last)
    customers = Customer.objects.filter(pk__in=list(seen)).select_related("organisation")
    rows = [AffectedCustomer(c, counts[c.pk], seen[c.pk][0], seen[c.pk][1]) for c in customers]
    return sorted(rows, key=lambda r: (-(r.customer.monthly_revenue or 0), r.customer.pk))


@dataclass(frozen=True)
class OwnWords:
    quote: Quote
    message_id: int
    conversation_id: int


# Choosing quotes runs up to QUOTE_SOURCE_MESSAGES messages through the engine: the
# choice is kept per process for the same messages (their ids and texts), so a page seen
# again costs the one query.
_quotes: OrderedDict[tuple[int, ...], list[Quote]] = OrderedDict()
QUOTE_CACHE = 256


def own_words(problem: Problem, mailbox_ids: Sequence[int] | None) -> list[OwnWords]:
    """The most telling sentences of the affected customers' messages (the engine picks)."""
    messages = list(
        Message.objects.filter(
            conversation_id__in=linked_conversations([problem.pk], mailbox_ids).values(
                "conversation_id"
            ),
            kind=MessageKind.CUSTOMER,
        )
        .order_by("-created_at")
        .values_list("pk", "conversation_id", "analysis_text", "body_text")[:QUOTE_SOURCE_MESSAGES]
    )
    texts = [analysis or body for _pk, _c, analysis, body in messages]
    # The texts are in the key too: an erased customer's words are never served from here.
    key = (*(pk for pk, _c, _a, _b in messages), hash(tuple(texts)))
    quotes = _quotes.get(key)
    if quotes is None:
        quotes = telling_sentences(texts, QUOTES)
        _quotes[key] = quotes
        if len(_quotes) > QUOTE_CACHE:
            _quotes.popitem(last=False)
    else:
        _quotes.move_to_end(key)
    return [OwnWords(q, messages[q.source][0], messages[q.source][1]) for q in quotes]


def mood_by_week(problem: Problem, mailbox_ids: Sequence[int] | None) -> dict[date, Counter[str]]:
    rows = MessageReading.objects.filter(
        message__conversation_id__in=linked_conversations([problem.pk], mailbox_ids).values(
            "conversation_id"
        ),
        message__kind=MessageKind.CUSTOMER,
    ).values_list("message__created_at", "tone")
    weeks: dict[date, Counter[str]] = defaultdict(Counter)
    for created, tone in rows:
        weeks[week_of(created)][TONE_GROUPS.get(tone, "calm")] += 1
    return weeks
