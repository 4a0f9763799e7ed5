"""Stakes v2: what the customer stands to lose, each with its span, its reason and the
priority it brings; and the near misses that name no stake (issue #10)."""

from __future__ import annotations

import pytest

from calmdesk.engine import read_message

PRIORITIES = ["low", "normal", "high", "urgent"]


@pytest.mark.parametrize(
    "text,kind,span,reason",
    [
        # payroll and employees: the wages are people's, so "personal"
        (
            "Payroll runs at 9am and 140 employees won't get paid.",
            "personal",
            "won't get paid",
            "payroll",
        ),
        # money per unit of time
        (
            "We're losing about $2,000 an hour while checkout is down.",
            "revenue",
            "$2,000 an hour",
            "money per hour",
        ),
        ("We lose 300 euros per day until this is fixed.", "revenue", "300 euros per day", None),
        # orders or events due
        ("I have 40 cake orders due for the weekend.", "deadline", "orders due", "orders due"),
        ("The event is tomorrow and no ticket has arrived.", "deadline", "event is tomorrow", None),
        # due at midnight, and what hangs on it
        ("It's due at midnight.", "deadline", "due at midnight", "deadline"),
        ("The report is due at 5pm.", "deadline", "due at 5pm", "deadline"),
        (
            "The essay is due at midnight… if I can't submit it I'm losing my scholarship.",
            "personal",
            "my scholarship",
            "studies",
        ),
        ("I have exams next week and can't open the course.", "personal", "exams", "studies"),
        ("My visa appointment is on Monday and the form won't print.", "personal", None, None),
        ("I need my prescription before the weekend.", "personal", "my prescription", "health"),
        # records or files gone
        ("All of last month's records are gone.", "data_loss", "records are gone", None),
        ("After the sync all my photos disappeared.", "data_loss", "photos disappeared", None),
        # charged twice: the customer's money taken in error (the money kind)
        ("I was charged twice for my subscription.", "revenue", "charged twice", None),
        ("You double charged me this month.", "revenue", "double charged", "charged twice"),
        # scope, when something fails in it
        ("Every page on our site shows an error.", "outage", "Every page", "every page"),
        ("All customers get a 502 when they log in.", "clients", "All customers", None),
    ],
)
def test_stakes_that_matter(text: str, kind: str, span: str | None, reason: str | None) -> None:
    r = read_message(text)
    found = [s for s in r.stakes if s.kind == kind]
    assert found, r.stakes
    stake = found[0] if span is None else next(s for s in found if s.text == span)
    assert text[stake.start : stake.end] == stake.text
    assert stake.reason
    if reason is not None:
        assert stake.reason == reason
    assert PRIORITIES.index(r.priority) >= PRIORITIES.index("high")


@pytest.mark.parametrize(
    "text",
    [
        "No rush, whenever you get a chance.",
        "Thanks, we got paid this morning.",
        "The page loads fine now.",
        "Every page loads fine now, thank you.",
        "All customers get the new layout on Monday.",
        "I have a question about last month's invoice.",
        "What does the revenue report show?",
        "My Visa card was declined at checkout.",
        "The photos are gorgeous.",
        "It costs $5 a day, is that right?",
        "Due to the holiday, our office is closed.",
        "Looking forward to my flight tomorrow!",
        "I'm sick of your service.",
        "Support told me to call back before 6pm.",
        "Tracking says arriving today by 8pm.",
        "Best employer out there, fair wages.",
        # averted: thanks, and the stake is in the past or called off
        "Thanks, I was going to cancel my account but it works now.",
        "Thank you! I almost lost all my files, but the backup had them.",
    ],
)
def test_near_misses_name_no_stake(text: str) -> None:
    assert read_message(text).stakes == ()


@pytest.mark.parametrize(
    "text",
    [
        "We are losing $2,000 an hour. Please help.",
        "$2,000 an hour is what this outage is costing us.",
    ],
)
def test_money_per_time_needs_a_loss_in_its_sentence(text: str) -> None:
    assert "revenue" in {s.kind for s in read_message(text).stakes}


def test_a_long_run_of_digits_and_dots_reads_quickly() -> None:
    text = "1.2.3.4.5.6.7.8.9." * 10_000 + " $5 an hour"
    assert read_message(text).stakes == ()  # no loss said: a price, not a stake
