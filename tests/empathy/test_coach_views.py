"""The live coach, dismissals, the reproduction record and the call log, as alice uses
them; charlie (Billing) reaches none of it."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from calmdesk.desk.models import Event, EventKind
from calmdesk.empathy.context import needs_call
from calmdesk.empathy.models import ConversationCare, FindingDismissal
from calmdesk.engine import Thread

from .conftest import Clock, Desk, receive


def _coach(desk: Desk, user, body: str):  # type: ignore[no-untyped-def]
    return desk.client_for(user).post(
        reverse("conversation_coach", args=[desk.conversation.pk]), {"body": body}
    )


def test_a_defensive_draft_gets_a_finding_on_its_words(desk: Desk) -> None:
    draft = "Hi Maya, this is not our fault. 🙂 As I already said, the plugin works."
    response = _coach(desk, desk.alice, draft)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="CD101"' in html
    # Spans reach the browser in UTF-16 units: the emoji before "As I already said"
    # shifts that finding by one unit compared with Python's index.
    python_start = draft.index("As I already said")
    assert f'data-start="{python_start + 1}"' in html
    assert 'data-heated="1"' in html


def test_a_calm_draft_opens_no_cooldown(desk: Desk) -> None:
    response = _coach(
        desk,
        desk.alice,
        "Hi Maya, I'm sorry checkout is failing while you're losing sales. I reproduced "
        "ERR_SYNC_TIMEOUT on 4.2.1 and I'm on it now.",
    )
    html = response.content.decode()
    assert 'data-heated="0"' in html and 'data-cooldown="0"' in html


def test_a_heated_draft_starts_one_cooldown_that_is_not_restarted_by_typing(
    desk: Desk, clock: Clock
) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_coach", args=[desk.conversation.pk])
    first = client.post(url, {"body": "This is not our fault."}).content.decode()
    assert 'data-cooldown="30"' in first
    clock.advance(25)  # 25 seconds of re-reading later
    again = client.post(url, {"body": "This is not our fault!"}).content.decode()
    assert 'data-cooldown="5"' in again


def test_dismissing_a_rule_silences_it_for_that_agent_here(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_coach_dismiss", args=[desk.conversation.pk])
    draft = "This is not our fault."
    assert 'data-code="CD101"' in _coach(desk, desk.alice, draft).content.decode()
    # The answer is the draft checked again without the rule, which the page swaps in at
    # once (a 204 left the finding on screen until the next keystroke).
    response = client.post(url, {"code": "CD101", "excerpt": "not our fault", "body": draft})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="CD101"' not in html
    assert "CD101 dismissed" in html
    assert FindingDismissal.objects.filter(agent=desk.alice, code="CD101").count() == 1
    assert (
        'data-code="CD101"'
        not in _coach(desk, desk.alice, "This is not our fault.").content.decode()
    )
    # bob did not dismiss it: he still sees it.
    assert 'data-code="CD101"' in _coach(desk, desk.bob, "This is not our fault.").content.decode()


def test_dismiss_refuses_a_made_up_rule(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_coach_dismiss", args=[desk.conversation.pk])
    assert client.post(url, {"code": "DROP TABLE"}).status_code == 400


def test_a_mailbox_can_switch_a_rule_off(desk: Desk) -> None:
    desk.support.disabled_rules = ["CD101"]
    desk.support.save()
    assert (
        'data-code="CD101"'
        not in _coach(desk, desk.alice, "This is not our fault.").content.decode()
    )


def test_reproduction_record_feeds_the_unreproduced_fix_rule(desk: Desk) -> None:
    draft = "Hi Maya, please clear your cache and reinstall the plugin, that will fix it."
    before = _coach(desk, desk.alice, draft).content.decode()
    client = desk.client_for(desk.alice)
    response = client.post(
        reverse("conversation_reproduction", args=[desk.conversation.pk]),
        {"state": "reproduced", "steps": "Checkout with 2 items", "environment": "4.2.1"},
    )
    assert response.status_code == 302
    care = ConversationCare.objects.get(conversation=desk.conversation)
    assert care.reproduction == "reproduced" and care.reproduction_by == desk.alice
    assert Event.objects.filter(
        conversation=desk.conversation, kind=EventKind.REPRODUCTION
    ).exists()
    after = _coach(desk, desk.alice, draft).content.decode()
    if 'data-code="CD114"' in before:
        assert 'data-code="CD114"' not in after


def test_reproduction_rejects_an_unknown_state(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reproduction", args=[desk.conversation.pk]), {"state": "maybe"}
    )
    assert response.status_code == 400


def test_a_call_is_logged_as_an_event(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_call", args=[desk.conversation.pk]),
        {"summary": "Screen share: checkout works again", "link": "https://video.example/1"},
    )
    assert response.status_code == 302
    event = Event.objects.get(conversation=desk.conversation, kind=EventKind.CALL)
    assert event.data["summary"].startswith("Screen share")


def test_call_nudge_when_a_confused_customer_keeps_writing(desk: Desk) -> None:
    conversation = desk.conversation
    for text in [
        "I don't understand what to do.",
        "Where is the setting?",
        "I'm confused, which button?",
    ]:
        receive(desk.support, "maya@shop.example", text, conversation=conversation)
    conversation.refresh_from_db()
    care = ConversationCare.objects.get(conversation=conversation)
    care.latest_tone = "confused"
    assert needs_call(conversation, care)
    care.latest_tone = "grateful"
    assert not needs_call(conversation, care)


def test_call_nudge_after_two_days_even_with_few_messages(desk: Desk) -> None:
    conversation = desk.conversation
    care = ConversationCare.objects.get(conversation=conversation)
    care.latest_tone = "frustrated"
    opened = conversation.created_at
    assert not needs_call(conversation, care, now=opened + timedelta(days=2, seconds=-1))
    assert needs_call(conversation, care, now=opened + timedelta(days=2))


def test_thread_passes_names_and_reproduction_to_the_engine(desk: Desk) -> None:
    from calmdesk.empathy.coach import thread_for

    thread = thread_for(desk.conversation)
    assert isinstance(thread, Thread)
    assert thread.customer_name == "Maya Okafor"
    assert thread.messages[0][0] == "customer"
    assert thread.reproduced == "not_tried"


def test_send_refuses_a_heated_draft_until_the_cooldown_has_passed(
    desk: Desk, clock: Clock
) -> None:
    from calmdesk.desk.models import MessageKind

    client = desk.client_for(desk.alice)
    url = reverse("conversation_reply", args=[desk.conversation.pk])
    heated = {
        "body": "This is not our fault. As I already said, it works.",
        "seen_up_to": desk.message.pk,
    }
    refused = client.post(url, heated)
    assert refused.status_code == 409
    assert "reads heated" in refused.content.decode()
    assert not desk.conversation.messages.filter(kind=MessageKind.REPLY).exists()
    clock.advance(29)
    assert client.post(url, heated).status_code == 409  # a second still to go
    # The agent re-read it for the whole pause; now it may go as it is.
    clock.advance(1)
    assert client.post(url, heated).status_code == 302
    assert desk.conversation.messages.filter(kind=MessageKind.REPLY).count() == 1


def test_send_lets_a_calm_draft_go_at_once(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {
            "body": "Hi Maya, sorry about the lost sales. Could you tell me when it started?",
            "seen_up_to": desk.message.pk,
        },
    )
    assert response.status_code == 302


def test_the_coach_takes_huge_binary_and_unicode_drafts_calmly(desk: Desk) -> None:
    for draft in ["x" * 100_000, "\x00\x01\ufffd" * 500, "🙂" * 5000 + " not our fault", ""]:
        response = _coach(desk, desk.alice, draft)
        assert response.status_code == 200


def test_the_call_nudge_goes_once_a_call_is_logged(desk: Desk) -> None:
    conversation = desk.conversation
    for text in ["I don't understand what to do.", "Where is it?", "Which button?"]:
        receive(desk.support, "maya@shop.example", text, conversation=conversation)
    ConversationCare.objects.filter(conversation=conversation).update(latest_tone="confused")
    client = desk.client_for(desk.alice)
    page = reverse("conversation", args=[conversation.pk])
    assert 'id="call-nudge"' in client.get(page).content.decode()
    client.post(
        reverse("conversation_call", args=[conversation.pk]),
        {"summary": "Walked her through the settings on a call"},
    )
    assert 'id="call-nudge"' not in client.get(page).content.decode()
    conversation.refresh_from_db()
    assert not needs_call(conversation, ConversationCare.objects.get(conversation=conversation))
