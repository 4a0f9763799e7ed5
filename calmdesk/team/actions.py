"""Writes to the team's settings that more than the admin makes (the demo, the bench)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction

from calmdesk.desk.models import Mailbox
from calmdesk.team.models import BusinessHours, Holiday
from calmdesk.team.rollups import RECOUNT, do_recount_since


@transaction.atomic
def do_set_business_hours(
    mailbox: Mailbox,
    *,
    time_zone: str,
    opens: time,
    closes: time,
    weekdays: str = "12345",
    holidays: Iterable[date] = (),
    now: datetime,
) -> BusinessHours:
    """A mailbox's business hours and holidays (replacing what it had), checked as the
    admin checks them; the reports count the recent past again."""
    hours = BusinessHours.objects.filter(mailbox=mailbox).first() or BusinessHours(mailbox=mailbox)
    hours.time_zone, hours.opens, hours.closes, hours.weekdays = time_zone, opens, closes, weekdays
    hours.full_clean()
    hours.save()
    Holiday.objects.filter(hours=hours).delete()
    Holiday.objects.bulk_create([Holiday(hours=hours, day=day) for day in sorted(set(holidays))])
    do_recount_since(now - RECOUNT)
    return hours
