"""Every customer message is read when it is stored, and the reading points at its words."""

from __future__ import annotations

import pytest

from calmdesk.empathy.actions import care_score, do_read_many, refresh_care
from calmdesk.empathy.models import ConversationCare, MessageReading
from calmdesk.empathy.reanalyze import cmd_reanalyze
from calmdesk.engine import ENGINE_VERSION

from .conftest import Desk, receive


def test_a_stored_customer_message_has_its_reading(desk: Desk) -> None:
    reading = MessageReading.objects.get(message=desk.message)
    assert reading.engine_version == ENGINE_VERSION
    assert reading.text == desk.message.analysis_text
    # The stake the customer named is found, with a span on the words that say it.
    stakes = reading.data["stakes"]
    assert any(s["kind"] == "revenue" for s in stakes)
    for stake in stakes:
        assert reading.text[stake["start"] : stake["end"]] == stake["text"]
    for span in reading.data["tone_spans"]:
        assert reading.text[span["start"] : span["end"]] == span["text"]


def test_the_engine_reads_the_stripped_text_not_the_quote(desk: Desk) -> None:
    message = receive(
        desk.support,
        "lee@example.com",
        "Thanks, that fixed it!\n\n> On Monday you wrote:\n> This is not our fault.",
        "Re: export",
        analysis_text="Thanks, that fixed it!",
    )
    reading = MessageReading.objects.get(message=message)
    assert reading.text == "Thanks, that fixed it!"
    assert reading.tone in {"grateful", "positive"}


def test_care_follows_the_latest_reading_and_keeps_every_stake(desk: Desk) -> None:
    receive(
        desk.support,
        "maya@shop.example",
        "Thank you so much, it works again!",
        conversation=desk.conversation,
    )
    care = ConversationCare.objects.get(conversation=desk.conversation)
    assert care.latest_tone in {"grateful", "positive"}
    # The lost sales named in the first message still count.
    assert "revenue" in [s["kind"] for s in care.stakes]


@pytest.mark.parametrize(
    "priority,tone,intensity,above",
    [
        ("urgent", "neutral", 0.0, ("high", "angry", 0.9)),
        ("high", "angry", 0.9, ("high", "grateful", 0.9)),
        ("normal", "angry", 0.8, ("normal", "angry", 0.2)),
    ],
)
def test_care_score_puts_stakes_before_heat(priority, tone, intensity, above) -> None:  # type: ignore[no-untyped-def]
    assert care_score(priority, tone, intensity) > care_score(*above)


def test_reanalyze_reads_only_what_is_missing_or_stale_and_resumes(desk: Desk, capsys) -> None:  # type: ignore[no-untyped-def]
    MessageReading.objects.all().delete()
    MessageReading.objects.create(
        message=desk.message,
        engine_version="0-old",
        text="x",
        tone="neutral",
        intensity=0,
        confidence=0,
        language="en",
    )
    assert cmd_reanalyze(["--batch", "1"]) == 0
    assert "reanalyzed: 2 messages" in capsys.readouterr().out
    assert set(MessageReading.objects.values_list("engine_version", flat=True)) == {ENGINE_VERSION}
    # A second run has nothing left to do.
    assert cmd_reanalyze([]) == 0
    assert "reanalyzed: 0 messages" in capsys.readouterr().out


def test_bulk_reading_refreshes_each_conversation(desk: Desk) -> None:
    MessageReading.objects.all().delete()
    ConversationCare.objects.all().delete()
    assert do_read_many([desk.message]) == 1
    assert ConversationCare.objects.get(conversation=desk.conversation).latest_tone
    assert refresh_care(desk.billing_conversation.pk).latest_tone == ""


def test_an_older_message_stored_late_does_not_set_the_tone(desk: Desk) -> None:
    from datetime import timedelta

    receive(
        desk.support,
        "maya@shop.example",
        "Thank you so much, it works again!",
        conversation=desk.conversation,
    )
    tone_now = ConversationCare.objects.get(conversation=desk.conversation).latest_tone
    receive(
        desk.support,
        "maya@shop.example",
        "I'm scared we'll lose the whole season, nothing works.",
        conversation=desk.conversation,
        received_at=desk.message.created_at - timedelta(days=1),  # an import, out of order
    )
    care = ConversationCare.objects.get(conversation=desk.conversation)
    assert care.latest_tone == tone_now


def test_a_stake_in_the_subject_counts_for_the_conversation(desk: Desk) -> None:
    message = receive(
        desk.support,
        "uma@yoga.example",
        "Nobody can pay on my store. The payment step spins forever.",
        "Customers can't pay — losing sales right now",
    )
    care = ConversationCare.objects.get(conversation=message.conversation)
    assert "revenue" in [s["kind"] for s in care.stakes]
    assert care.priority in {"high", "urgent"}
