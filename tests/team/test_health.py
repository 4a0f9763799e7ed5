"""Team health: emotional load, the nudge, the leads' page, the loads beside the
assignee picker, coach dismissals, and the gratitude wall with its weekly digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calmdesk.accounts.models import Notification, SystemMail
from calmdesk.desk.actions import changed, do_assign, do_change_status
from calmdesk.desk.models import Conversation, Message, Status
from calmdesk.empathy.models import FindingDismissal
from calmdesk.mail.actions import do_send_reply
from calmdesk.team.gratitude import do_collect_thanks, do_send_digests, quote_of
from calmdesk.team.health import dismissals_by_rule, do_nudge
from calmdesk.team.load import load_of
from calmdesk.team.load_rules import weight
from calmdesk.team.models import TeamHealth, Thanks
from tests.team.conftest import receive

ANGRY = "This is the third time I am writing. Unacceptable. I am furious, fix it NOW!"
WORRIED = "I am so worried, payroll is due tomorrow and nothing works. Please help."
THANKS = (
    "Thank you so much, you saved the day! I was going to drop this class. "
    "Mail me at maya@shop.example"
)


@pytest.mark.parametrize(
    "intensity,sentiment,expected",
    [(0.0, 0.0, 0.5), (1.0, -1.0, 1.5), (0.8, 0.4, 0.9), (2.0, -3.0, 1.5)],
)
def test_weight_is_about_one_point_a_message(intensity, sentiment, expected):
    assert weight(intensity, sentiment) == pytest.approx(expected)


def test_load_counts_hard_messages_an_agent_handled_today(desk):
    angry = receive(desk.support, "sam@example.com", ANGRY, "Still broken")
    worried = receive(desk.support, "kim@example.com", WORRIED, "Payroll")
    calm = receive(desk.support, "lee@example.com", "How do I change my invoice address?")
    do_send_reply(angry.conversation, desk.alice, "I am on it now.")
    do_assign(worried.conversation, desk.alice, desk.alice)
    do_send_reply(calm.conversation, desk.alice, "Settings, then Billing.")
    load = load_of(desk.alice)
    assert (load.messages, load.conversations) == (2, 2)
    assert 2 < load.load < 3
    assert [t.subject for t in load.hardest()] == ["Still broken", "Payroll"]  # angrier first
    assert load_of(desk.bob).load == 0
    # Closed and not replied to today by her: it leaves her load.
    do_change_status(worried.conversation, desk.alice, Status.CLOSED)
    assert load_of(desk.alice).messages == 1
    # Imported history never counts.
    Conversation.objects.filter(pk=angry.conversation_id).update(imported_at=timezone.now())
    changed(angry.conversation_id)  # a raw write says so, as the importer's actions do
    assert load_of(desk.alice).messages == 0


def _heavy_day(desk, count: int = 3):  # type: ignore[no-untyped-def]
    TeamHealth.objects.create(load_threshold=2.0)
    for n in range(count):
        message = receive(desk.support, f"s{n}@example.com", ANGRY, f"Broken {n}")
        do_send_reply(message.conversation, desk.alice, "On it.")


def test_past_the_threshold_the_agent_and_the_lead_are_told_once_a_day(desk):
    _heavy_day(desk)
    now = timezone.now()
    assert [n.agent_id for n in do_nudge(now)] == [desk.alice.pk]
    mine = Notification.objects.get(recipient=desk.alice)
    assert "pause" in mine.title
    lead = Notification.objects.get(recipient=desk.dave)
    assert lead.title == "Alice has handled 3 hostile conversations today"
    assert do_nudge(now + timedelta(minutes=10)) == []
    assert Notification.objects.count() == 2


def test_leads_see_everyones_load_in_name_order_agents_their_own(desk):
    _heavy_day(desk, 2)
    page = desk.client_for(desk.dave).get("/team/")
    assert page.status_code == 200
    names = [person.get_username() for person, _load in page.context["rows"]]
    assert names == sorted(names, key=lambda n: n.title())  # by name, never by load
    assert desk.client_for(desk.alice).get("/team/").status_code == 403
    me = desk.client_for(desk.alice).get("/team/me/")
    assert me.context["load"].messages == 2 and "Broken 0" in me.text
    assert desk.client_for(desk.bob).get("/team/me/").context["load"].messages == 0


def test_the_picker_shows_each_teammates_load(desk):
    _heavy_day(desk, 1)
    page = desk.client_for(desk.dave).get(f"/team/loads/{desk.conversation.pk}/")
    assert [p.get_username() for p, _l in page.context["rows"]] == ["admin", "alice", "bob", "dave"]
    assert "Alice 1.4" in page.text or "Alice 1.5" in page.text
    assert (
        desk.client_for(desk.charlie).get(f"/team/loads/{desk.conversation.pk}/").status_code == 404
    )


def test_dismissals_per_rule_per_agent(desk):
    for code, agent in (
        ("CD101", desk.alice),
        ("CD101", desk.alice),
        ("CD101", desk.bob),
        ("CD104", desk.bob),
    ):
        FindingDismissal.objects.create(conversation=desk.conversation, agent=agent, code=code)
    found = dismissals_by_rule(timezone.now() - timedelta(days=1))
    assert found == {"CD101": {desk.alice.pk: 2, desk.bob.pk: 1}, "CD104": {desk.bob.pk: 1}}
    page = desk.client_for(desk.dave).get("/team/")
    assert ("CD101", [("Alice", 2), ("Bob", 1)]) in page.context["dismissals"]


def test_a_thank_you_reaches_the_agent_who_helped_and_the_wall(desk):
    do_send_reply(desk.conversation, desk.alice, "Fixed: the sync runs again.")
    receive(desk.support, "maya@shop.example", THANKS, conversation=desk.conversation)
    receive(desk.support, "lee@example.com", "How do I change my invoice address?")
    assert do_collect_thanks(timezone.now()) == 1
    assert do_collect_thanks(timezone.now()) == 0
    thanks = Thanks.objects.get()
    assert thanks.agent_id == desk.alice.pk and thanks.customer_name == "Maya"
    assert "maya@shop.example" not in thanks.quote and "saved the day" in thanks.quote
    alice = desk.client_for(desk.alice)
    assert "saved the day" in alice.get("/team/me/").text
    # bob cannot share alice's thanks; alice can.
    assert (
        desk.client_for(desk.bob)
        .post(f"/team/thanks/{thanks.pk}/pin/", {"pinned": "1"})
        .status_code
        == 404
    )
    assert "saved the day" not in alice.get("/team/wall/").text
    alice.post(f"/team/thanks/{thanks.pk}/pin/", {"pinned": "1"})
    wall = desk.client_for(desk.charlie).get("/team/wall/")
    assert "saved the day" in wall.text and "to Alice" in wall.text
    assert "@" not in wall.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_imported_thanks_do_not_count(desk):
    do_send_reply(desk.conversation, desk.alice, "Fixed.")
    message = receive(desk.support, "maya@shop.example", THANKS, conversation=desk.conversation)
    Message.objects.filter(pk=message.pk).update(imported_at=timezone.now())
    assert do_collect_thanks(timezone.now()) == 0


def test_quote_of_takes_addresses_and_links_out():
    assert (
        quote_of("Thanks! write me at a@b.example or https://x.example/y")
        == "Thanks! write me at … or …"
    )
    assert len(quote_of("thanks " * 200)) <= 402


def test_the_weekly_digest_mails_each_agent_their_thanks_once(desk, settings):
    do_send_reply(desk.conversation, desk.alice, "Fixed.")
    receive(desk.support, "maya@shop.example", THANKS, conversation=desk.conversation)
    do_collect_thanks(timezone.now())
    settings.SMTP_HOST = ""
    assert do_send_digests(timezone.now()) == 0  # no mail server: nothing queued
    settings.SMTP_HOST = "127.0.0.1"
    assert do_send_digests(timezone.now()) == 1
    mail = SystemMail.objects.get(to="alice@desk.example")
    assert "saved the day" in mail.body and "maya@shop.example" not in mail.body
    assert do_send_digests(timezone.now()) == 0


def test_an_agent_can_turn_the_weekly_digest_off_and_on(desk, settings):
    settings.SMTP_HOST = "127.0.0.1"
    alice = desk.client_for(desk.alice)
    assert "Stop the weekly mail" in alice.get("/team/me/").text
    assert alice.post("/team/me/settings/", {"thanks_digest": "0"}).status_code == 302
    assert "Send me the weekly mail" in alice.get("/team/me/").text
    do_send_reply(desk.conversation, desk.alice, "Fixed.")
    receive(desk.support, "maya@shop.example", THANKS, conversation=desk.conversation)
    do_collect_thanks(timezone.now())
    assert do_send_digests(timezone.now()) == 0
    assert not SystemMail.objects.filter(to="alice@desk.example").exists()
    # On again: the next week's thanks come, not the ones that went by while it was off.
    alice.post("/team/me/settings/", {"thanks_digest": "1"})
    assert do_send_digests(timezone.now()) == 0
    receive(
        desk.support, "maya@shop.example", "Thank you again, truly!", conversation=desk.conversation
    )
    do_collect_thanks(timezone.now())
    assert do_send_digests(timezone.now()) == 1
    # The choice is one's own: bob's stays on.
    assert "Stop the weekly mail" in desk.client_for(desk.bob).get("/team/me/").text
