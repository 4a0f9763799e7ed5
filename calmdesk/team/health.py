"""Team health: the once-a-day nudge when an agent's emotional load passes the team's
threshold (to them: take a pause, hand the next hard one on; to the leads: a note), and
the coach's dismissals per rule per agent, which tell leads which rules the team
disagrees with."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, tzinfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from calmdesk.accounts.models import NotificationKind, Role
from calmdesk.accounts.notify import do_notify
from calmdesk.empathy.models import FindingDismissal
from calmdesk.jobs.registry import periodic
from calmdesk.team.load import Load, loads, threshold
from calmdesk.team.load_rules import zone_of
from calmdesk.team.models import LoadNotice


def team_members() -> list[User]:
    """Everyone who answers customers: active people with an agent profile."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, agent__isnull=False)
        .select_related("agent")
        .order_by("first_name", "username")
    )


def leads() -> list[int]:
    found = list(
        get_user_model()
        .objects.filter(is_active=True, agent__role=Role.LEAD)
        .values_list("pk", flat=True)
    )
    if found:
        return found
    return list(
        get_user_model()
        .objects.filter(is_active=True, agent__role=Role.ADMIN)
        .values_list("pk", flat=True)
    )


def todays_loads(people: list[User], now: datetime) -> dict[int, Load]:
    """Each person's load on their own today (people are grouped by time zone)."""
    by_zone: defaultdict[str, list[User]] = defaultdict(list)
    zones: dict[str, tzinfo] = {}
    for person in people:
        zone = zone_of(person)
        by_zone[str(zone)].append(person)
        zones[str(zone)] = zone
    found: dict[int, Load] = {}
    for name, members in by_zone.items():
        zone = zones[name]
        found.update(loads([p.pk for p in members], now.astimezone(zone).date()))
    return found


def do_nudge(now: datetime) -> list[LoadNotice]:
    """Tell each agent past the threshold today, once, and the leads."""
    limit = threshold()
    people = {p.pk: p for p in team_members()}
    told = []
    for user_id, load in todays_loads(list(people.values()), now).items():
        if load.load < limit:
            continue
        try:
            with transaction.atomic():
                notice = LoadNotice.objects.create(
                    agent_id=user_id, day=load.day, load=load.load, created_at=now
                )
        except IntegrityError:
            continue  # told already today
        person = people[user_id]
        do_notify(
            [person],
            NotificationKind.SYSTEM,
            _("A heavy day: take a pause"),
            body=_(
                "You have handled %(count)d hostile or distressed messages in %(threads)d "
                "conversations today. Take a short break, and hand the next hard one to a "
                "teammate: that is what a team is for."
            )
            % {"count": load.messages, "threads": load.conversations},
            url=reverse("team_me"),
            now=now,
        )
        do_notify(
            [pk for pk in leads() if pk != user_id],
            NotificationKind.SYSTEM,
            _("%(name)s has handled %(threads)d hostile conversations today")
            % {
                "name": person.get_full_name() or person.get_username(),
                "threads": load.conversations,
            },
            body=_("Maybe take the next hard one yourself, or check in with them."),
            url=reverse("team"),
            now=now,
        )
        told.append(notice)
    return told


@periodic("team.load_nudge", every=timedelta(minutes=10))
def nudge(now: datetime) -> None:
    do_nudge(now)


def dismissals_by_rule(since: datetime) -> dict[str, dict[int, int]]:
    """{rule code: {agent id: dismissals}} since a moment."""
    found: defaultdict[str, dict[int, int]] = defaultdict(dict)
    rows = (
        FindingDismissal.objects.filter(created_at__gte=since, agent__isnull=False)
        .values("code", "agent_id")
        .annotate(n=Count("id"))
        .order_by("code", "agent_id")
    )
    for row in rows:
        found[row["code"]][row["agent_id"]] = row["n"]
    return dict(found)
