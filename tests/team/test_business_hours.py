"""Business hours: working seconds between two moments in a mailbox's zone (a table over
weekends, holidays, summer-time changes and half-hour zones), the settings' checks, the
rollups' business-hour histograms and the reports reading them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from calmdesk.desk.actions import do_assign, do_change_status
from calmdesk.desk.models import Event, EventKind, Status
from calmdesk.mail.actions import do_send_reply
from calmdesk.team.business_hours import Schedule, schedules
from calmdesk.team.models import BusinessHours, Holiday, Rollup, RollupMark
from calmdesk.team.report_page import Basis, report, summary
from calmdesk.team.reports import Scope, periods
from calmdesk.team.rollups import MARK, do_rebuild_rollups, do_recount_since
from tests.team.conftest import receive

H = 3600.0
MON_FRI = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(1, 8))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def schedule(
    zone: str,
    opens: time = time(9),
    closes: time = time(17),
    days: frozenset[int] = MON_FRI,
    holidays: tuple[date, ...] = (),
) -> Schedule:
    return Schedule(ZoneInfo(zone), opens, closes, days, frozenset(holidays))


@pytest.mark.parametrize(
    "name,rules,start,end,seconds",
    [
        (
            "within one working day",
            schedule("Europe/Berlin"),
            local("Europe/Berlin", 2026, 3, 4, 10),
            local("Europe/Berlin", 2026, 3, 4, 12, 30),
            2.5 * H,
        ),
        (
            "Friday afternoon to Monday morning: the weekend is off",
            schedule("Europe/Berlin"),
            local("Europe/Berlin", 2026, 3, 6, 16),
            local("Europe/Berlin", 2026, 3, 9, 10),
            2 * H,
        ),
        (
            "written at night, answered before opening: no working time",
            schedule("Europe/Berlin"),
            local("Europe/Berlin", 2026, 3, 4, 22),
            local("Europe/Berlin", 2026, 3, 5, 8, 59),
            0.0,
        ),
        (
            "a holiday on Monday moves the count to Tuesday",
            schedule("Europe/Berlin", holidays=(date(2026, 3, 9),)),
            local("Europe/Berlin", 2026, 3, 6, 16),
            local("Europe/Berlin", 2026, 3, 10, 10),
            2 * H,
        ),
        (
            "Kolkata (+5:30): 08:30 to 09:30 local is half an hour of work",
            schedule("Asia/Kolkata"),
            utc(2026, 3, 4, 3, 0),
            utc(2026, 3, 4, 4, 0),
            0.5 * H,
        ),
        (
            "Kolkata: a UTC day boundary in the middle of nobody's day",
            schedule("Asia/Kolkata"),
            utc(2026, 3, 4, 11, 0),  # 16:30 local
            utc(2026, 3, 5, 4, 0),  # 09:30 next day
            1 * H,
        ),
        (
            "St John's (-3:30, summer -2:30): one local day across its spring change",
            schedule("America/St_Johns", days=EVERY_DAY),
            local("America/St_Johns", 2026, 3, 7, 12),
            local("America/St_Johns", 2026, 3, 9, 12),
            5 * H + 8 * H + 3 * H,  # Saturday, Sunday (the change), Monday
        ),
        (
            "Berlin, spring forward: 01:00-04:00 local is two real hours",
            schedule("Europe/Berlin", time(1), time(4), EVERY_DAY),
            utc(2026, 3, 28, 12),
            utc(2026, 3, 29, 12),
            2 * H,
        ),
        (
            "Berlin, fall back: 01:00-04:00 local is four real hours",
            schedule("Europe/Berlin", time(1), time(4), EVERY_DAY),
            utc(2026, 10, 24, 12),
            utc(2026, 10, 25, 12),
            4 * H,
        ),
        (
            "Berlin 9-17 on the day clocks go back is eight hours, not nine",
            schedule("Europe/Berlin", days=EVERY_DAY),
            local("Europe/Berlin", 2026, 10, 25, 0),
            local("Europe/Berlin", 2026, 10, 26, 0),
            8 * H,
        ),
        (
            "Adelaide (+10:30 in its summer, +9:30 after 5 April)",
            schedule("Australia/Adelaide", days=EVERY_DAY),
            utc(2026, 4, 4, 0),  # 10:30 local, Saturday
            utc(2026, 4, 5, 2),  # 11:30 local, Sunday, now +9:30
            6.5 * H + 2.5 * H,
        ),
        (
            "the end before the start counts nothing",
            schedule("UTC"),
            utc(2026, 3, 4, 12),
            utc(2026, 3, 4, 10),
            0.0,
        ),
        (
            "no working day at all counts nothing",
            schedule("UTC", days=frozenset()),
            utc(2026, 3, 1),
            utc(2026, 4, 1),
            0.0,
        ),
    ],
)
def test_working_seconds(name, rules, start, end, seconds):
    assert rules.seconds_between(start, end) == seconds, name


def test_counting_stops_past_the_cap():
    rules = schedule("UTC", days=EVERY_DAY)
    years = rules.seconds_between(utc(2020, 1, 1), utc(2026, 1, 1), cap=10 * H)
    assert 10 * H < years <= 18 * H  # stopped after the day that passed the cap


@pytest.mark.parametrize(
    "fields,error",
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"weekdays": "128"}, "weekdays"),
        ({"weekdays": "112"}, "weekdays"),
        ({"weekdays": ""}, "weekdays"),
        ({"opens": time(17), "closes": time(9)}, "__all__"),
        ({"time_zone": "Asia/Kolkata", "weekdays": "67"}, None),
    ],
)
def test_the_settings_are_checked(desk, fields, error):
    hours = BusinessHours(mailbox=desk.support, **fields)
    if error is None:
        hours.full_clean()
        return
    with pytest.raises(ValidationError) as raised:
        hours.full_clean()
    assert error in raised.value.message_dict


@pytest.fixture
def kolkata(desk):
    """Support works 9-17 Mon-Fri in Kolkata, with Monday 9 March 2026 off."""
    hours = BusinessHours.objects.create(mailbox=desk.support, time_zone="Asia/Kolkata")
    Holiday.objects.create(hours=hours, day=date(2026, 3, 9), name="Holi")
    return desk


def test_the_rollups_file_waits_in_business_hours(kolkata):
    desk = kolkata
    assert schedules()[desk.support.pk].holidays == {date(2026, 3, 9)}
    # Friday 16:30 local; answered Tuesday 09:45 local (Monday is a holiday).
    written = local("Asia/Kolkata", 2026, 3, 6, 16, 30)
    answered = local("Asia/Kolkata", 2026, 3, 10, 9, 45)
    conversation = receive(
        desk.support, "priya@example.in", "Where is my invoice?", received_at=written
    ).conversation
    do_assign(conversation, desk.alice, desk.alice)  # a close counts to the assignee
    do_send_reply(conversation, desk.alice, "Here it is.", now=answered)
    do_change_status(conversation, desk.alice, Status.CLOSED)
    Event.objects.filter(conversation=conversation, kind=EventKind.STATUS).update(
        created_at=answered + timedelta(minutes=15)
    )
    # The same hours in Billing, which sets no business hours.
    other = receive(desk.billing, "omar@example.com", "Refund?", received_at=written).conversation
    do_send_reply(other, desk.charlie, "Done.", now=answered)
    do_rebuild_rollups(written - timedelta(days=1), answered + timedelta(days=1))

    def one(mailbox, agent):
        return Rollup.objects.get(
            mailbox=mailbox, agent_key=agent.pk, tag_key=0, hour__gte=answered - timedelta(hours=1)
        )

    alice = one(desk.support, desk.alice)
    # Four days by the clock (bin 10: 3-7 days); 30 + 45 minutes of work (1-2 h, bin 3).
    assert alice.fr_10 == 1 and alice.frb_3 == 1
    assert alice.res_10 == 1 and alice.resb_3 == 1  # closed at 10:00: an hour and a half
    charlie = one(desk.billing, desk.charlie)
    assert charlie.fr_10 == 1 and charlie.frb_10 == 1  # no hours set: every hour counts


def test_the_report_reads_business_hours_where_a_mailbox_sets_them(kolkata):
    desk = kolkata
    written = local("Asia/Kolkata", 2026, 3, 6, 16, 30)
    answered = local("Asia/Kolkata", 2026, 3, 10, 9, 45)
    conversation = receive(
        desk.support, "priya@example.in", "Where is my invoice?", received_at=written
    ).conversation
    do_send_reply(conversation, desk.alice, "Here it is.", now=answered)
    do_rebuild_rollups(written - timedelta(days=1), answered + timedelta(days=1))
    zone = ZoneInfo("Asia/Kolkata")
    support = Scope((desk.support.pk,), date(2026, 3, 4), date(2026, 3, 10), zone)
    found = {f.name: f.value for f in report(support)["summary"]}
    assert found["First response, median, business hours"] == 1.5  # 1-2 h, read linearly
    billing = Scope((desk.billing.pk,), date(2026, 3, 4), date(2026, 3, 10), zone)
    assert "First response, median" in {f.name for f in report(billing)["summary"]}
    _rows, total, _before = periods(support)
    clock = {f.name: f.value for f in summary(total, total, Basis())}
    assert clock["First response, median"] > 72  # the same wait by the clock


def test_changing_hours_counts_the_recent_past_again(desk):
    now = datetime.now(UTC)
    RollupMark.objects.create(name=MARK, built_until=now)
    do_recount_since(now - timedelta(days=180))
    assert RollupMark.objects.get(name=MARK).built_until == now - timedelta(days=180)
    do_recount_since(now)  # never forward
    assert RollupMark.objects.get(name=MARK).built_until == now - timedelta(days=180)
