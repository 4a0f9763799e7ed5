"""The evidence a push sends: the problem page's own figures (``stats``), over the
destination's mailbox only, or every mailbox for the whole team's destination. Counts and
money only — no name, address or organisation name — and quotes only when the
destination allows them: the sentences the engine picks for the page, scrubbed of e-mail
addresses, links, numbers that could identify, and the customers' names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from calmdesk.desk.models import Customer
from calmdesk.problems.models import Problem, TrackerDestination
from calmdesk.problems.stats import impacts, own_words, week_of
from calmdesk.problems.trackers import Evidence

WEEKS = 8  # the trend's span: two halves of four weeks compared
QUOTES = 3
QUOTE_MAX_CHARS = 280

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@])@\w+")  # an @handle would notify someone in the tracker
LONG_NUMBER = re.compile(r"(?<!\w)(?:\+?\d[\d ().-]{6,}\d)(?!\w)")  # phones, card or order numbers
SIGN_OFF = re.compile(
    r"^\s*(thanks|thank you|cheers|best|regards|kind regards|best regards|sent from)\b",
    re.IGNORECASE,
)


def _mailboxes(destination: TrackerDestination) -> list[int] | None:
    return None if destination.mailbox_id is None else [destination.mailbox_id]


def weekly_counts(
    weekly: Mapping[date, int], now: datetime, weeks: int = WEEKS
) -> tuple[tuple[date, int], ...]:
    """The last ``weeks`` weeks of a count by week (Mondays, oldest first, none left out)."""
    this_monday = week_of(now)
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return tuple((monday, weekly.get(monday, 0)) for monday in mondays)


def scrub(text: str, names: set[str]) -> str:
    """One quote fit to leave the server: no address, link, long number or name."""
    lines = []
    for line in text.splitlines():
        if SIGN_OFF.match(line):
            break  # what follows a sign-off is a signature
        if line.strip().startswith(">"):
            continue  # quoted earlier mail
        lines.append(line.strip())
    quote = " ".join(part for part in lines if part)
    quote = EMAIL.sub("[email]", quote)
    quote = URL.sub("[link]", quote)
    quote = HANDLE.sub("[handle]", quote)
    quote = LONG_NUMBER.sub("[number]", quote)
    for name in sorted(names, key=len, reverse=True):
        quote = re.sub(rf"\b{re.escape(name)}\b", "[name]", quote, flags=re.IGNORECASE)
    if len(quote) > QUOTE_MAX_CHARS:
        quote = quote[: QUOTE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return quote


def _names(customer_ids: set[int]) -> set[str]:
    """Every name and address part a quote must not carry: the customers' names (whole and
    each word of two letters or more) and their e-mail local parts."""
    names: set[str] = set()
    for name in Customer.objects.filter(pk__in=customer_ids).values_list("name", flat=True):
        if name:
            names.add(name)
            names.update(word for word in re.split(r"[\s,]+", name) if len(word) >= 2)
    return names


def _quotes(
    problem: Problem, mailbox_ids: list[int] | None, customer_ids: set[int]
) -> tuple[str, ...]:
    """The engine's most telling sentences (as on the problem page), scrubbed."""
    names = _names(customer_ids)
    quotes: list[str] = []
    for words in own_words(problem, mailbox_ids):
        quote = scrub(words.quote.sentence, names)
        if len(quote) >= 20 and quote not in quotes:
            quotes.append(quote)
        if len(quotes) == QUOTES:
            break
    return tuple(quotes)


def evidence_for(
    problem: Problem,
    destination: TrackerDestination,
    *,
    link: str = "",
    now: datetime | None = None,
) -> Evidence:
    """The problem's figures as its page counts them (``stats.impacts``), over the
    destination's mailbox or every mailbox."""
    now = now or timezone.now()
    mailbox_ids = _mailboxes(destination)
    impact = impacts([problem], mailbox_ids, now=now)[problem.pk]
    plans = (
        Customer.objects.filter(pk__in=impact.customer_ids)
        .exclude(plan="")
        .values("plan")
        .annotate(n=Count("id"))
        .order_by("-n", "plan")
    )
    quotes: tuple[str, ...] = ()
    if destination.include_quotes:
        quotes = _quotes(problem, mailbox_ids, impact.customer_ids)
    return Evidence(
        title=problem.title,
        kind=str(problem.get_kind_display()),
        description=problem.description,
        customers=impact.customers,
        conversations=impact.conversations,
        organisations=len(impact.organisations),
        revenue=tuple(sorted(impact.revenue.items())),
        plans=tuple((row["plan"], row["n"]) for row in plans),
        weekly=weekly_counts(impact.weekly, now),
        quotes=quotes,
        link=link,
    )
