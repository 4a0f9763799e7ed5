"""The report rollups: what each fact counts, and that whatever happens, the periodic
job's rows equal a rebuild from scratch."""

from __future__ import annotations

import random
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calmdesk.desk.actions import do_add_tag, do_assign, do_change_status, do_remove_tag
from calmdesk.desk.models import Status
from calmdesk.engine.reading import HIGH_STAKES, URGENT_STAKES
from calmdesk.engine.tones import TONES
from calmdesk.mail.actions import do_send_reply
from calmdesk.team import models as team_models
from calmdesk.team.actions import do_set_business_hours
from calmdesk.team.models import (
    COUNT_FIELDS,
    EVERYONE,
    FR_FIELDS,
    FRB_FIELDS,
    RES_FIELDS,
    RESB_FIELDS,
    Rollup,
)
from calmdesk.team.rollups import (
    bin_of,
    do_rebuild_rollups,
    do_update_rollups,
    hour_of,
    rebuild_all,
)
from tests.team.conftest import receive

TEXTS = [
    "My checkout is broken and I am losing sales, fix it now!",
    "Thank you so much, you saved the day.",
    "How do I change my invoice address?",
    "I'm worried payroll is due at 9am and nothing syncs.",
    "This is the third time I write. Unacceptable.",
]


def _rows() -> dict:
    return {
        (r.hour, r.mailbox_id, r.agent_key, r.tag_key): tuple(getattr(r, f) for f in COUNT_FIELDS)
        for r in Rollup.objects.all()
    }


def test_the_counted_names_are_the_engines():
    assert set(team_models.TONES) == set(TONES)
    assert set(team_models.STAKES) == URGENT_STAKES | HIGH_STAKES


@pytest.mark.parametrize(
    "seconds,index",
    [(0, 0), (-5, 0), (900, 0), (901, 1), (3600, 2), (86400, 7), (86401, 8), (10**8, 11)],
)
def test_bin_of(seconds, index):
    assert bin_of(seconds) == index


def test_a_reply_and_a_close_count_where_they_belong(desk):
    now = timezone.now()
    do_assign(desk.conversation, desk.alice, desk.alice)
    do_add_tag(desk.conversation, desk.alice, "checkout")
    do_send_reply(desk.conversation, desk.alice, "Looking at it now.", now=now)
    do_change_status(desk.conversation, desk.alice, Status.CLOSED)
    rebuild_all()
    tag = desk.conversation.tags.get().pk
    every = Rollup.objects.filter(mailbox=desk.support, tag_key=0)
    assert sum(r.new for r in every.filter(agent_key=0)) == 1  # nobody's, as it arrived
    assert sum(r.new for r in every.filter(agent_key=EVERYONE)) == 1
    alice = every.get(agent_key=desk.alice.pk, hour=hour_of(now))
    assert (alice.replied, alice.closed, alice.closed_replies) == (1, 1, 1)
    # Maya wrote three hours before the reply: the 2-4 hour bin.
    assert alice.fr_4 == 1 and alice.res_4 == 1
    assert Rollup.objects.get(tag_key=tag, agent_key=desk.alice.pk, hour=hour_of(now)).replied == 1
    maya = Rollup.objects.get(
        tag_key=0, agent_key=desk.alice.pk, hour=hour_of(desk.message.created_at)
    )
    assert maya.stake_revenue == 1 and maya.sentiment_negative + maya.sentiment_neutral == 1
    # Nothing counts twice on a second rebuild.
    before = _rows()
    rebuild_all()
    assert _rows() == before


def test_spam_counts_nowhere(desk):
    do_change_status(desk.billing_conversation, desk.admin, Status.SPAM)
    rebuild_all()
    assert not Rollup.objects.filter(mailbox=desk.billing).exists()


def test_the_job_equals_a_rebuild_from_scratch_after_random_actions(desk):
    # Support keeps business hours (a half-hour zone, today off), so those bins count too.
    do_set_business_hours(
        desk.support,
        time_zone="Asia/Kolkata",
        opens=time(9),
        closes=time(17, 30),
        weekdays="123456",
        holidays=[timezone.now().astimezone(ZoneInfo("Asia/Kolkata")).date()],
        now=timezone.now(),
    )
    rng = random.Random(16)
    conversations = [desk.conversation, desk.billing_conversation]
    people = {desk.support.pk: [desk.alice, desk.bob], desk.billing.pk: [desk.charlie]}
    for step in range(60):
        now = timezone.now()
        conversation = rng.choice(conversations)
        conversation.refresh_from_db()
        agent = rng.choice(people[conversation.mailbox_id])
        action = rng.randrange(7)
        if action == 0:
            # New mail, some of it back-dated by days (as an import or a late delivery).
            back = timedelta(minutes=rng.choice([0, 0, 30, 60 * 30, 60 * 24 * 4]))
            mailbox = rng.choice([desk.support, desk.billing])
            message = receive(
                mailbox, f"c{step}@example.com", rng.choice(TEXTS), received_at=now - back
            )
            conversations.append(message.conversation)
        elif action == 1:
            receive(
                conversation.mailbox,
                "again@example.com",
                rng.choice(TEXTS),
                conversation=conversation,
            )
        elif action == 2 and conversation.status != Status.SPAM:
            do_send_reply(conversation, agent, "Thanks, on it.", now=now)
        elif action == 3:
            do_change_status(
                conversation,
                agent,
                rng.choice([Status.CLOSED, Status.ACTIVE, Status.PENDING, Status.SPAM]),
            )
        elif action == 4:
            do_assign(conversation, desk.dave, rng.choice([*people[conversation.mailbox_id], None]))
        elif action == 5:
            do_add_tag(conversation, agent, rng.choice(["billing", "bug", "vip"]))
        elif action == 6 and conversation.tags.exists():
            do_remove_tag(conversation, agent, conversation.tags.first())
        if rng.random() < 0.2:
            do_update_rollups(timezone.now())
    do_update_rollups(timezone.now())
    kept = _rows()
    Rollup.objects.all().delete()
    rebuild_all()
    assert kept == _rows()
    assert kept  # something was counted
    # Each first response and close files one wait in each kind of histogram.
    support = Rollup.objects.filter(mailbox=desk.support, agent_key=EVERYONE, tag_key=0)

    def total(fields: tuple[str, ...]) -> int:
        return sum(getattr(r, f) for r in support for f in fields)

    assert total(FR_FIELDS) == total(FRB_FIELDS) > 0
    assert total(RES_FIELDS) == total(RESB_FIELDS)


def test_a_range_rebuild_reports_progress_in_hours(desk):
    start = timezone.now() - timedelta(days=9)
    seen = []
    do_rebuild_rollups(
        start, timezone.now(), progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1][0] == seen[-1][1] >= 9 * 24
    assert len(seen) == 2  # chunks of a week


def test_the_rollup_command_rebuilds_from_a_date(desk, capsys):
    from calmdesk.cli import main

    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert main(["rollup", "--since", since, "--quiet"]) == 0
    assert "rollups rebuilt from" in capsys.readouterr().out
    assert Rollup.objects.filter(mailbox=desk.support, tag_key=0).exists()
    with pytest.raises(SystemExit):
        main(["rollup", "--since", "yesterday"])
