"""CD111 when the customer's fix did not help: the next step alone reads cold; a word for
their trouble (an apology, thanks for trying, surprise that it failed) is enough. Also the
words of complaint that need acknowledging whatever the tone, and "we assure you" as a
defence (CD101). Examples written for the tests, in the shape of real brand replies."""

from __future__ import annotations

import pytest

from calmdesk.engine import Thread, check_reply


def _thread(message: str) -> Thread:
    return Thread(customer_name="Noor", messages=(("customer", message),))


def severities(draft: str, message: str, code: str = "CD111") -> list[str]:
    return [f.severity for f in check_reply(draft, _thread(message)) if f.code == code]


FAILED = [
    "I already did that, still not working :(",
    "Logged out and back in, nothing changed.",
    "No, that didn't help. It still crashes when I open a playlist.",
    "Followed all the steps and still no change.",
    "I've tried everything and the songs won't download.",
    "Already contacted you three times about this order.",
]


@pytest.mark.parametrize("message", FAILED)
def test_a_next_step_alone_after_a_failed_fix_is_cold(message: str) -> None:
    assert severities(
        "Can you DM us your account's email address? We'll take a look.", message
    ) == ["warning"]
    assert severities("Best thing to try next is a reinstall.", message) == ["warning"]


@pytest.mark.parametrize(
    "draft",
    [
        "Sorry that didn't do it. Can you DM us your account's email address?",
        "Thanks for trying that. Can you DM us your account's email address?",
        "Thanks for checking. Next, could you restart your router?",
        "That's odd. Could you send us a screenshot?",
        "That's strange, it should work by now. Could you send us a screenshot?",
        "We hear you. Is it the same on Wi-Fi and on mobile data?",
        "Don't throw in the towel just yet! Which version are you on?",
        "Hmm, that doesn't sound good. Which version are you on?",
        "We're saddened to hear that. Which version are you on?",
    ],
)
def test_a_word_for_their_trouble_is_enough(draft: str) -> None:
    assert severities(draft, FAILED[0]) == []


@pytest.mark.parametrize(
    "message",
    [
        "It works now, thanks!",
        "I use the app on an iPhone 8 with iOS 11.",
        "Does the family plan work in Canada?",
        "It plays fine on Wi-Fi, only the car stereo drops it.",  # no fix was tried
        "Still love the app though.",  # "still" without a failure
    ],
)
def test_no_failed_fix_no_finding(message: str) -> None:
    assert severities("Can you DM us your account's email address?", message) == []


def test_words_of_complaint_need_acknowledging_whatever_the_tone() -> None:
    message = "What is this insanity? It made a new device every time I downloaded."
    assert severities("Reasons for that vary. Clear your offline devices.", message) != []
    assert severities("Sorry for the mess. Clear your offline devices.", message) == []


@pytest.mark.parametrize(
    "draft,fires",
    [
        ("We assure you we read every message.", True),
        ("I assure you this is not on our side.", True),
        ("Rest assured, your feedback goes to the team.", False),  # canned, not a defence
        ("We'll make sure it reaches the team.", False),
    ],
)
def test_assuring_them_is_a_defence(draft: str, fires: bool) -> None:
    message = "Your last answer shows you don't read what customers write."
    assert bool(severities(draft, message, "CD101")) is fires
