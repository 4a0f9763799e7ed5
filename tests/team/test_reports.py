"""The reports: figures from the rollups, what each role sees, the time zone, the
previous period and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calmdesk.desk.actions import do_add_tag, do_assign, do_change_status
from calmdesk.desk.models import Mailbox, Status
from calmdesk.mail.actions import do_send_reply
from calmdesk.team.models import EVERYONE, TIME_BINS, Rollup
from calmdesk.team.report_page import neutralise
from calmdesk.team.reports import Grain, Scope, periods, quantile
from calmdesk.team.rollups import rebuild_all


@pytest.mark.parametrize(
    "histogram,q,expected",
    [
        ([], 0.5, None),
        ([0] * 12, 0.5, None),
        ([2] + [0] * 11, 0.5, 450.0),  # half-way into 0-15 min
        ([0, 0, 4] + [0] * 9, 0.5, 2700.0),  # 30-60 min
        ([0] * 11 + [3], 0.9, float(TIME_BINS[-1])),  # the open bin: its lower edge
        ([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9], 0.05, 450.0),
    ],
)
def test_quantile_reads_the_histogram(histogram, q, expected):
    assert quantile(histogram, q) == expected


def test_days_are_the_viewers_days(db):
    mailbox = Mailbox.objects.create(name="S", slug="s", email="s@example.com")
    # 23:30 UTC on the 1st is the 2nd in Sydney, still the 1st in New York.
    Rollup.objects.create(
        hour=datetime(2026, 3, 1, 23, tzinfo=UTC), mailbox=mailbox, agent_key=EVERYONE, new=2
    )
    for zone, day in (
        ("Australia/Sydney", date(2026, 3, 2)),
        ("America/New_York", date(2026, 3, 1)),
    ):
        scope = Scope((mailbox.pk,), date(2026, 2, 27), date(2026, 3, 3), ZoneInfo(zone))
        rows, total, _before = periods(scope)
        assert [p.start for p in rows if p["new"]] == [day]
        assert total["new"] == 2 and len(rows) == 5
    weekly = Scope(
        (mailbox.pk,), date(2026, 2, 20), date(2026, 3, 3), ZoneInfo("UTC"), grain=Grain.WEEK
    )
    assert [p.start.weekday() for p in periods(weekly)[0]] == [0, 0, 0]


@pytest.fixture
def worked(desk):
    do_assign(desk.conversation, desk.alice, desk.alice)
    do_add_tag(desk.conversation, desk.alice, "checkout")
    do_send_reply(desk.conversation, desk.alice, "On it.", now=timezone.now())
    do_change_status(desk.conversation, desk.alice, Status.CLOSED)
    do_assign(desk.billing_conversation, desk.charlie, desk.charlie)
    do_send_reply(desk.billing_conversation, desk.charlie, "Refunded.", now=timezone.now())
    rebuild_all()
    return desk


def _summary(response) -> dict:
    return {f.name: f.value for f in response.context["summary"]}


def test_a_lead_sees_every_mailbox_and_an_agent_their_own_figures(worked):
    lead = worked.client_for(worked.dave).get("/reports/")
    assert lead.status_code == 200
    assert _summary(lead)["Replies sent"] == 2 and _summary(lead)["New conversations"] == 2
    assert b"<svg" in lead.content and "Everyone" in lead.text
    alice = worked.client_for(worked.alice).get("/reports/")
    assert _summary(alice)["Replies sent"] == 1 and _summary(alice)["Closed"] == 1
    assert "Your figures" in alice.text and "Everyone" not in alice.text
    # An agent cannot ask for a teammate's figures, nor another team's mailbox.
    other = worked.client_for(worked.alice).get(
        f"/reports/?agent={worked.charlie.pk}&mailbox={worked.billing.pk}"
    )
    assert _summary(other)["Replies sent"] == 1
    charlie = worked.client_for(worked.charlie).get(f"/reports/?mailbox={worked.support.pk}")
    assert _summary(charlie)["Replies sent"] == 1  # his own, in his own mailbox


def test_filters_by_mailbox_agent_and_tag(worked):
    client = worked.client_for(worked.dave)
    tag = worked.conversation.tags.get().pk
    assert _summary(client.get(f"/reports/?mailbox={worked.billing.pk}"))["Replies sent"] == 1
    assert _summary(client.get(f"/reports/?agent={worked.charlie.pk}"))["Replies sent"] == 1
    assert _summary(client.get(f"/reports/?tag={tag}"))["Replies sent"] == 1
    assert _summary(client.get("/reports/?days=30&grain=week"))["Replies sent"] == 2


def test_the_previous_period_is_beside_each_figure(worked):
    moved = timezone.now() - timedelta(days=8)
    Rollup.objects.filter(mailbox=worked.billing).update(
        hour=moved.replace(minute=0, second=0, microsecond=0)
    )
    figures = {
        f.name: f for f in worked.client_for(worked.dave).get("/reports/").context["summary"]
    }
    assert (figures["Replies sent"].value, figures["Replies sent"].before) == (1, 1)
    assert figures["Replies sent"].change_percent == 0


def test_csv_export_neutralises_formulas(worked):
    response = worked.client_for(worked.dave).get("/reports/export.csv?days=7")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["period", "new", "replied", "closed"]
    assert len(rows) == 8 and sum(int(r[2]) for r in rows[1:]) == 2
    for cell, safe in (
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("ok", "ok"),
    ):
        assert neutralise(cell) == safe


def test_the_page_reads_no_message(worked, django_assert_max_num_queries):
    client = worked.client_for(worked.dave)
    client.get("/reports/")
    with django_assert_max_num_queries(16):
        client.get("/reports/?days=90")


def test_an_agents_report_counts_what_they_answered_first(worked):
    # New conversations belong to nobody when they arrive: for an agent that figure was
    # always 0. Theirs is the conversations whose first reply they sent.
    alice = _summary(worked.client_for(worked.alice).get("/reports/"))
    assert "New conversations" not in alice and alice["Answered first"] == 1
    lead = worked.client_for(worked.dave)
    assert _summary(lead.get(f"/reports/?agent={worked.charlie.pk}"))["Answered first"] == 1
    assert _summary(lead.get("/reports/"))["New conversations"] == 2
    rows = list(csv.reader(io.StringIO(lead.get("/reports/export.csv").content.decode())))
    assert sum(int(r[rows[0].index("answered first")]) for r in rows[1:]) == 2
