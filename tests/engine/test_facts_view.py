"""The facts view keeps the facts: a sentence that tells a step taken, what works and what
does not, a deadline or what an error says is informational even with feeling in it; a
call for attention and nothing else is not (issue #10)."""

from __future__ import annotations

import pytest

from calmdesk.engine import read_message


@pytest.mark.parametrize(
    "text",
    [
        "OK, it works on Chrome now but still not on Safari.",
        "It's due at midnight.",
        "I already tried Firefox and Chrome.",
        "I've cleared the cache and restarted twice.",
        "It works in Firefox but not in Edge.",
        "When I click save, nothing happens.",
        "The error says invalid token.",
        "I get an error when I open the invoice page.",
    ],
)
def test_support_facts_are_informational(text: str) -> None:
    kinds = [s.kind for s in read_message(text).sentences]
    assert kinds == ["informational"], read_message(text).sentences


@pytest.mark.parametrize(
    "text",
    [
        "Hello??",
        "Hello?",
        "Anyone there?",
        "Is anyone there?",
        # feeling with no fact in it stays emotional
        "This is absolutely ridiculous.",
        "I'm so frustrated with this.",
        "Thank you so much!",
        "I tried to like this film, and it bored me to tears.",
    ],
)
def test_feeling_and_calls_for_attention_are_emotional(text: str) -> None:
    assert [s.kind for s in read_message(text).sentences] == ["emotional"]


@pytest.mark.parametrize(
    "text,kinds",
    [
        (
            "Hello?? I already tried Firefox and Chrome.",
            ["emotional", "informational"],
        ),
        (
            "This is ridiculous. It works on Chrome but not on Safari.",
            ["emotional", "informational"],
        ),
        ("Hi Sam, the export stops at row 1,204.", ["informational"]),
    ],
)
def test_each_sentence_is_classed_on_its_own(text: str, kinds: list[str]) -> None:
    assert [s.kind for s in read_message(text).sentences] == kinds
