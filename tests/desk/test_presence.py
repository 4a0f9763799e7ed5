"""Presence on Maya's conversation, as alice sees it: bob (her teammate) viewing or typing,
a row that aged out, alice herself (never shown), charlie of Billing (never shown, even
with a row), dave the lead. Read from the table every web process shares, at a given
time; then through the requests the pages make (the pulse, the coach's check)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.accounts.models import Presence, PresenceState
from calmdesk.accounts.presence import do_mark_presence, do_prune_presence, presences
from calmdesk.jobs.registry import job_named

from .conftest import Desk

VIEWING, TYPING = PresenceState.VIEWING, PresenceState.TYPING


@pytest.mark.parametrize(
    "who,state,seconds_ago,shown",
    [
        ("bob", VIEWING, 0, "Bob:viewing"),
        ("bob", TYPING, 2, "Bob:typing"),
        ("bob", TYPING, 20, "Bob:viewing"),  # stopped typing, still there
        ("bob", VIEWING, 29, "Bob:viewing"),
        ("bob", VIEWING, 31, ""),  # closed the page
        ("alice", TYPING, 0, ""),  # never herself
        ("charlie", VIEWING, 0, ""),  # another mailbox: may not see it
        ("dave", TYPING, 1, "Dave:typing"),  # a lead works in every mailbox
    ],
)
def test_what_alice_sees(desk: Desk, who: str, state: str, seconds_ago: int, shown: str) -> None:
    now = timezone.now()
    user = getattr(desk, who)
    do_mark_presence(desk.conversation.pk, user, state, now - timedelta(seconds=seconds_ago))
    here = presences(desk.conversation.pk, desk.support.pk, desk.alice, now)
    assert ",".join(f"{h.name}:{h.state}" for h in here.others) == shown


def test_one_row_per_person_upserted(desk: Desk) -> None:
    now = timezone.now()
    do_mark_presence(desk.conversation.pk, desk.bob, VIEWING, now)
    do_mark_presence(desk.conversation.pk, desk.bob, TYPING, now + timedelta(seconds=1))
    (row,) = Presence.objects.filter(user=desk.bob)
    assert (row.state, row.seen_at) == (TYPING, now + timedelta(seconds=1))


def test_a_teammate_who_lost_the_mailbox_is_not_shown(desk: Desk) -> None:
    now = timezone.now()
    do_mark_presence(desk.conversation.pk, desk.bob, VIEWING, now)
    desk.bob.agent.mailboxes.clear()
    assert presences(desk.conversation.pk, desk.support.pk, desk.alice, now).others == ()


def test_typing_comes_from_the_coach_when_the_agent_typed(desk: Desk) -> None:
    coach = reverse("conversation_coach", args=[desk.conversation.pk])
    bob = desk.client_for(desk.bob)
    bob.post(coach, {"body": "Hi Maya, looking now."})  # on load: not typing
    assert not Presence.objects.filter(user=desk.bob).exists()
    bob.post(coach, {"body": "", "typing": "1"})  # an emptied composer: not typing
    assert not Presence.objects.filter(user=desk.bob).exists()
    bob.post(coach, {"body": "Hi Maya, looking now.", "typing": "1"})
    assert Presence.objects.get(user=desk.bob).state == TYPING


def test_alice_sees_bob_typing_through_her_pulse(desk: Desk) -> None:
    pulse = reverse("conversation_pulse", args=[desk.conversation.pk]) + "?m=0&e=0"
    alice = desk.client_for(desk.alice)
    assert "Bob" not in alice.get(pulse).content.decode()
    desk.client_for(desk.bob).post(
        reverse("conversation_coach", args=[desk.conversation.pk]),
        {"body": "Hi Maya,", "typing": "1"},
    )
    assert "Bob is typing a reply" in alice.get(pulse).content.decode()
    # bob's own pulse keeps his typing while it is fresh, and shows him nobody.
    assert "is typing" not in desk.client_for(desk.bob).get(pulse).content.decode()
    assert Presence.objects.get(user=desk.bob).state == TYPING


def test_charlie_leaves_no_trace(desk: Desk) -> None:
    charlie = desk.client_for(desk.charlie)
    coach = reverse("conversation_coach", args=[desk.conversation.pk])
    assert charlie.post(coach, {"body": "Hello", "typing": "1"}).status_code == 404
    assert not Presence.objects.filter(user=desk.charlie).exists()


def test_the_job_prunes_old_rows(desk: Desk) -> None:
    now = timezone.now()
    do_mark_presence(desk.conversation.pk, desk.bob, VIEWING, now - timedelta(minutes=11))
    do_mark_presence(desk.conversation.pk, desk.alice, VIEWING, now - timedelta(minutes=9))
    assert do_prune_presence(now) == 1
    assert list(Presence.objects.values_list("user", flat=True)) == [desk.alice.pk]
    job = job_named("accounts.prune_presence")
    assert job is not None and job.every == timedelta(minutes=5)
    job.run(now + timedelta(minutes=2))
    assert not Presence.objects.exists()
