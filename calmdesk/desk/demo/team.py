"""The team's part of the demo desk: ratings on a share of the last two weeks' replies
(most Great, a few with a comment), the thank-yous the customers wrote reaching their
agents with a few pinned to the wall, business hours for Support, one agent (bob) past
the load threshold today with his nudge and the lead's note, and the report rollups
built over all of it."""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from calmdesk.desk.actions import do_assign, find_or_create_customer
from calmdesk.desk.models import Mailbox, Message, MessageKind
from calmdesk.receive import do_receive_message
from calmdesk.team.actions import do_set_business_hours
from calmdesk.team.gratitude import collect_thanks, do_pin
from calmdesk.team.health import do_nudge, team_members, todays_loads
from calmdesk.team.kept_load import rebuild_all_loads
from calmdesk.team.load import DEFAULT_THRESHOLD, load_of
from calmdesk.team.models import TeamHealth, Thanks
from calmdesk.team.ratings import do_rate, do_set_ratings
from calmdesk.team.rollups import rebuild_all

RATED_SHARE = 0.35
SCORES = (("great", 70), ("okay", 20), ("bad", 10))
COMMENTS = {
    "great": ("Quick and kind, thank you.", "Fixed before my shift started. Brilliant."),
    "okay": ("Solved, but it took three emails.",),
    "bad": ("I still don't know why I was charged twice.",),
}
PINNED = 4
MAX_HARD = 20
# Bob's hard day: each one lands on him, so his load passes the team's threshold.
HARD_DAY = (
    ("Still broken", "This is the third time I write. Unacceptable. I am furious, fix it NOW!"),
    ("Payroll", "I am so worried, payroll is due tomorrow and nothing syncs. Please help."),
    ("Refund??", "Where is my refund? This is ridiculous, I have waited two weeks."),
    ("Lost orders", "We are losing orders every hour and nobody answers. Terrible service."),
    ("Locked out", "I'm panicking, I am locked out and my clients can't pay me."),
    ("Angry", "Your update broke everything. Absolutely unacceptable, I want to cancel."),
    ("Again", "I am so frustrated. The same error again, after you said it was fixed."),
    ("Deadline", "I'm scared we will miss the launch tonight, the checkout keeps failing."),
    ("Wrong charge", "You charged me twice and I can't pay rent. This is awful."),
)


def add_team_demo(*, seed: int = 2026, now: datetime | None = None) -> None:
    when = now or timezone.now()
    rng = random.Random(seed)
    for mailbox in Mailbox.objects.all():
        do_set_ratings(mailbox.pk, True)
    # Support works 9 to 5 in Berlin on weekdays: its reports count working hours.
    do_set_business_hours(
        Mailbox.objects.get(slug="support"),
        time_zone="Europe/Berlin",
        opens=time(9),
        closes=time(17),
        now=when,
    )
    _rate_replies(rng, when)
    rebuild_all_loads()  # the generator's rows were written in bulk, past the actions
    _hard_day(when)
    collect_thanks(when)
    _pin_stories()
    do_nudge(when)
    rebuild_all(when)


def _rate_replies(rng: random.Random, now: datetime) -> None:
    replies = Message.objects.filter(
        kind=MessageKind.REPLY, created_at__gte=now - timedelta(days=14), rating__isnull=True
    ).order_by("id")
    for reply in replies:
        if rng.random() > RATED_SHARE:
            continue
        score = rng.choices([s for s, _w in SCORES], weights=[w for _s, w in SCORES])[0]
        comment = rng.choice(COMMENTS[score]) if rng.random() < 0.2 else ""
        later = min(now, reply.created_at + timedelta(hours=rng.uniform(1, 30)))
        do_rate(reply, score, comment, now=later)


def _hard_day(now: datetime) -> None:
    User = get_user_model()
    bob = User.objects.filter(username="bob").first()
    erin = User.objects.filter(username="erin").first()
    support = Mailbox.objects.filter(slug="support").first()
    if bob is None or erin is None or support is None:
        return
    # The threshold sits just above everyone else's day, so bob alone passes it.
    people = [p for p in team_members() if p.pk != bob.pk]
    others = max((load.load for load in todays_loads(people, now).values()), default=0.0)
    limit = float(max(DEFAULT_THRESHOLD, math.ceil(others) + 1))
    TeamHealth.objects.update_or_create(pk=1, defaults={"load_threshold": limit})
    number = 0
    while load_of(bob, now=now).load < limit and number < MAX_HARD:
        subject, text = HARD_DAY[number % len(HARD_DAY)]
        customer = find_or_create_customer(f"hard-day-{number}@customers.example", "")
        minutes = 5 + 3 * number  # all of it within the last hour or so
        message = do_receive_message(
            mailbox=support,
            customer=customer,
            text=text,
            subject=subject,
            received_at=now - timedelta(minutes=minutes),
        )
        do_assign(message.conversation, erin, bob)
        number += 1


def _pin_stories() -> None:
    """The newest thanks of each agent first, so the wall shows more than one person."""
    candidates = list(Thanks.objects.filter(agent__isnull=False).order_by("-received_at")[:50])
    chosen: list[Thanks] = []
    for thanks in candidates:
        if thanks.agent_id not in {t.agent_id for t in chosen}:
            chosen.append(thanks)
    chosen += [t for t in candidates if t not in chosen]
    for thanks in chosen[:PINNED]:
        if thanks.agent is not None:
            do_pin(thanks, thanks.agent, True, now=thanks.received_at + timedelta(minutes=30))
