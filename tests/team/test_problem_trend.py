"""The problems' trend in the reports: open problems and the customers waiting on them
at each week's end, over the report's mailboxes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from calmdesk.problems.actions import do_create_problem, do_link_problem, do_set_problem_status
from calmdesk.problems.models import ProblemStatus
from calmdesk.team.problem_trend import problem_trend
from calmdesk.team.reports import Scope
from tests.team.conftest import receive

UTC_ZONE = ZoneInfo("UTC")


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=UTC_ZONE)


def test_open_problems_and_waiting_customers_by_week(desk):
    # Weeks of 2 March, 9 March and 16 March 2026 (Mondays).
    sync = do_create_problem(
        desk.alice, "Sync times out", conversation=desk.conversation, now=at(3)
    )
    again = receive(desk.support, "maya@shop.example", "Still broken", received_at=at(4))
    do_link_problem(sync, again.conversation, desk.alice, now=at(4))  # the same customer
    other = receive(desk.support, "lee@example.com", "Sync fails", received_at=at(10))
    do_link_problem(sync, other.conversation, desk.alice, now=at(10))
    do_set_problem_status(sync, desk.alice, ProblemStatus.FIXED, now=at(17))
    docs = do_create_problem(desk.charlie, "Docs miss refunds", now=at(5))
    do_link_problem(docs, desk.billing_conversation, desk.charlie, now=at(5))
    declined = do_create_problem(
        desk.alice, "Dark mode", conversation=other.conversation, now=at(11)
    )
    do_set_problem_status(declined, desk.alice, ProblemStatus.WONT_FIX, now=at(12))

    both = (desk.support.pk, desk.billing.pk)
    weeks = problem_trend(Scope(both, date(2026, 3, 2), date(2026, 3, 22), UTC_ZONE))
    assert [w.start for w in weeks] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    # Week 1: sync (Maya) and docs (Omar); week 2: sync gains Lee, dark mode came and went;
    # week 3: sync fixed on the 17th, docs still open.
    assert [(w.open_problems, w.customers) for w in weeks] == [(2, 2), (2, 3), (1, 1)]
    support = problem_trend(
        Scope((desk.support.pk,), date(2026, 3, 2), date(2026, 3, 22), UTC_ZONE)
    )
    assert [(w.open_problems, w.customers) for w in support] == [(1, 1), (1, 2), (0, 0)]
    # A period no problem touches has no trend (the page shows no chart).
    assert problem_trend(Scope(both, date(2026, 1, 1), date(2026, 1, 7), UTC_ZONE)) == []


def test_the_reports_page_charts_the_trend(desk):
    now = datetime.now(UTC_ZONE) - timedelta(days=1)
    do_create_problem(desk.alice, "Sync times out", conversation=desk.conversation, now=now)
    page = desk.client_for(desk.dave).get("/reports/?days=30")
    assert "Open problems at each week" in page.text
    assert "Open problems at each week" in desk.client_for(desk.alice).get("/reports/").text
    assert "Open problems at each week" not in desk.client_for(desk.charlie).get("/reports/").text
