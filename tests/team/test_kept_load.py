"""The kept emotional load: after any writes it equals the load counted from scratch from
the day's messages, and the pages that read it cost the same queries on a bigger desk."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calmdesk.accounts.models import Agent
from calmdesk.desk.actions import changed, do_assign, do_change_status
from calmdesk.desk.models import Message, Status
from calmdesk.mail.actions import do_send_reply
from calmdesk.team.kept_load import do_rebuild_loads, rebuild_all_loads
from calmdesk.team.load import Load, counted_loads, loads
from calmdesk.team.load_rules import zone_named
from calmdesk.team.models import KeptLoad
from tests.team.conftest import receive

ANGRY = "This is the third time I am writing. Unacceptable. I am furious, fix it NOW!"
WORRIED = "I am so worried, payroll is due tomorrow and nothing works. Please help."
CALM = "How do I change my invoice address?"
SAD = "I'm devastated, we lost a week of customer orders and I feel awful."


def _figures(found: dict[int, Load]) -> dict[int, tuple]:
    return {
        pk: (
            round(load.load, 6),
            load.messages,
            sorted(
                (t.conversation_id, round(t.load, 6), t.messages) for t in load.threads.values()
            ),
        )
        for pk, load in found.items()
    }


def _assert_kept_equals_counted(people: list, days: list[date]) -> None:
    ids = [p.pk for p in people]
    zones = {p.pk: zone_named(Agent.objects.get(user=p).time_zone) for p in people}
    for day in days:
        kept = _figures(loads(ids, day))
        counted = {}
        for pk in ids:
            counted.update(_figures(counted_loads([pk], day, zones[pk])))
        assert kept == counted, day


def _random_desk(desk, rng: random.Random, steps: int, start: datetime) -> None:  # type: ignore[no-untyped-def]
    """Random writes, the kept load read and checked after each (a read counts what the
    writes before it marked, so a write that forgot to mark shows at the next check)."""
    agents = [desk.alice, desk.bob]
    conversations = [desk.conversation]
    for step in range(steps):
        at = start + timedelta(hours=step * 3 + rng.randint(0, 2), minutes=rng.randint(0, 59))
        action = rng.choice(["new", "more", "reply", "reply", "assign", "status", "import"])
        conversation = rng.choice(conversations)
        if action == "new":
            text = rng.choice([ANGRY, WORRIED, CALM, SAD])
            made = receive(
                desk.support, f"c{step}@example.com", text, f"Thread {step}", received_at=at
            )
            conversations.append(made.conversation)
        elif action == "more":
            text = rng.choice([ANGRY, WORRIED, SAD])
            receive(
                desk.support, "more@example.com", text, conversation=conversation, received_at=at
            )
        elif action == "reply":
            do_send_reply(conversation, rng.choice(agents), "On it.", now=at)
        elif action == "assign":
            do_assign(conversation, desk.alice, rng.choice([*agents, None]))
        elif action == "status":
            status = rng.choice([Status.CLOSED, Status.PENDING, Status.ACTIVE, Status.SPAM])
            do_change_status(conversation, desk.alice, status)
        else:  # an imported message (the importer's own write marks its conversation)
            made = receive(
                desk.support, "old@example.com", ANGRY, conversation=conversation, received_at=at
            )
            Message.objects.filter(pk=made.pk).update(imported_at=at)
            changed(made.conversation_id)
        for item in conversations:
            item.refresh_from_db()
        _assert_kept_equals_counted(agents, [at.date() + timedelta(days=d) for d in (-1, 0, 1)])


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_load_equals_a_count_from_scratch_after_random_writes(desk, seed):
    # Alice's days start ten and a half hours before UTC's, Bob's five hours after.
    Agent.objects.filter(user=desk.alice).update(time_zone="Pacific/Kiritimati")
    Agent.objects.filter(user=desk.bob).update(time_zone="America/New_York")
    rng = random.Random(seed)
    start = (timezone.now() - timedelta(days=3)).replace(hour=20, minute=0)
    _random_desk(desk, rng, 30, start)
    days = [(start + timedelta(days=n)).date() for n in range(-1, 5)]
    _assert_kept_equals_counted([desk.alice, desk.bob], days)
    assert KeptLoad.objects.exists()
    # A new time zone moves Bob's days; the kept rows follow.
    bob = Agent.objects.get(user=desk.bob)
    bob.time_zone = "Asia/Kolkata"
    bob.save()
    _assert_kept_equals_counted([desk.alice, desk.bob], days)
    # A rebuild, of everything or of a range, changes nothing.
    kept = sorted(KeptLoad.objects.values_list("agent_id", "day", "conversation_id", "messages"))
    rebuild_all_loads()
    do_rebuild_loads(start, start + timedelta(days=1))
    again = sorted(KeptLoad.objects.values_list("agent_id", "day", "conversation_id", "messages"))
    assert again == kept


def _hard_conversations(desk, count: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        message = receive(desk.support, f"angry{n}@example.com", ANGRY, f"Broken {n}")
        if n % 2:
            do_send_reply(message.conversation, desk.alice, "On it.")
        else:
            do_assign(message.conversation, desk.alice, desk.bob)


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 200  # counts what the writes marked
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("url,who", [("/team/me/", "alice"), ("/team/", "dave")])
def test_your_day_and_team_health_cost_the_same_on_a_bigger_desk(desk, url, who):
    client = desk.client_for(getattr(desk, who))
    _hard_conversations(desk, 3)
    small = _queries(client, url)
    _hard_conversations(desk, 6)
    assert _queries(client, url) == small
