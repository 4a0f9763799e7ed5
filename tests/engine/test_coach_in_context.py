"""The coach on what real brand agents write (after engine 2.3), from the tuning half's
faulty replies it missed, rewritten for the tests; each table holds the near misses that
must stay quiet.

- CD111: a word of acknowledgement counts only where it acknowledges ("glad to hear
  that", "that sounds like a plan", "to better understand", "in contact with you",
  "together with the error message", "get you to try" do not); thanks for writing in
  ("Thanks for tweeting us", "thank you for following up") is not thanks for their
  trouble.
- CD101: the non-apology ("We're sorry you feel this way"), unsure beside a real
  acknowledgement; telling the customer how to speak.
- CD110: a question's words said back in a question or in an offer on a condition ("If
  you need help with this game on Xbox One, …") do not answer it; a question after a
  condition ("If I reinstall, will I lose …?") is read by its main clause; a reason
  answers a yes or no.
- Spans: "Hi Ashley. Which U.S. based card …" greets Ashley alone, and "U.S." does not
  end the sentence."""

from __future__ import annotations

import pytest

from calmdesk.engine import Finding, Thread, check_reply


def _thread(message: str) -> Thread:
    return Thread(messages=(("customer", message),))


def found(draft: str, message: str, code: str) -> list[Finding]:
    return [f for f in check_reply(draft, _thread(message)) if f.code == code]


def severities(draft: str, message: str, code: str) -> list[str]:
    return [f.severity for f in found(draft, message, code)]


# ---- CD111: acknowledgement words in their place ------------------------------------

COMPLAINT = "I bought a camera and the sensor died in 6 months, 6 weeks in repair. Unacceptable."


@pytest.mark.parametrize(
    "draft,acknowledges",
    [
        # Procedure or gladness in acknowledgement's words: CD111.
        ("We have forwarded your information, we will be in contact with you.", False),
        ("Please share your details here and I'll get in touch with you.", False),
        ("We're glad to hear that! Please DM us your order number.", False),
        ("That sounds like a plan. Please DM us your order number.", False),
        ("To better understand the issue, please DM us your order number.", False),
        ("Send me a DM so I can see what happened.", False),
        ("Could we get you to try a reset? Please DM us your order number.", False),
        ("Which card is this concerning? Please DM us.", False),
        ("Please DM us your order number together with a photo.", False),
        # The same words where they acknowledge: no CD111.
        ("Sorry to hear that. Please DM us your order number.", True),
        ("That sounds frustrating. Please DM us your order number.", True),
        ("We understand. Please DM us your order number.", True),
        ("I can see why that's upsetting. Please DM us your order number.", True),
        ("Don't worry, we'll get you sorted. Please DM us your order number.", True),
        ("This is really concerning. Please DM us your order number.", True),
        ("We're with you on this. Please DM us your order number.", True),
        ("We'll work on this together. Please DM us your order number.", True),
    ],
)
def test_acknowledgement_words_count_where_they_acknowledge(draft: str, acknowledges: bool) -> None:
    assert (severities(draft, COMPLAINT, "CD111") == []) is acknowledges


FAILED = "I already did that, still not working."


@pytest.mark.parametrize(
    "draft,fires",
    [
        ("Thanks for tweeting us about this! Please give us a call.", True),
        ("Thanks for reaching out. Can you DM us your email address?", True),
        ("Thank you for following up with us. We've forwarded this to a case manager.", True),
        ("We appreciate your feedback. Can you DM us your email address?", True),
        # Thanks for what they did, after a fix that failed: enough.
        ("Thanks for trying that. Can you DM us your email address?", False),
        ("Thanks for checking. Can you DM us your email address?", False),
        ("We appreciate you trying. Can you DM us your email address?", False),
    ],
)
def test_thanks_for_writing_in_is_not_thanks_for_their_trouble(draft: str, fires: bool) -> None:
    assert (severities(draft, FAILED, "CD111") == ["warning"]) is fires


def test_cd111_span_is_the_first_sentence_after_the_greeting_whole() -> None:
    message = "I already called to confirm my card and it keeps telling me I'm locked out"
    draft = "Hi Ashley. Which U.S. based card is this concerning? Please do not share it."
    [f] = found(draft, message, "CD111")
    assert draft[f.start : f.end] == "Which U.S. based card is this concerning?"


# ---- CD101: the non-apology, and telling them how to speak --------------------------

ANGRY = "Worst service out there, you delayed the flight and lost my bag."


@pytest.mark.parametrize(
    "draft,severity,span",
    [
        (
            "We're sorry you feel this way. All charges are on our website.",
            "warning",
            "sorry you feel",
        ),
        (
            "I do apologize that you feel this way. DM us your concern.",
            "warning",
            "apologize that you feel",
        ),
        ("Sorry if you feel that way. DM us your booking.", "warning", "Sorry if you feel"),
        ("It's very upsetting to call us that.", "warning", "to call us that"),
        ("There's no need to be rude. DM us your booking.", "warning", "no need to be rude"),
        ("Please keep it civil and DM us your booking.", "warning", "keep it civil"),
        # Beside a real acknowledgement it is unsure.
        (
            "We hear you, and we're sorry if you feel that way. DM us your booking.",
            "info",
            "sorry if you feel",
        ),
        # Sorry for what happened, or for how it left them: no CD101.
        ("Sorry to hear you feel that way. DM us your booking.", None, None),
        ("I'm so sorry you feel unwell after the flight. DM us your booking.", None, None),
        ("We're sorry we delayed your flight. DM us your booking.", None, None),
        ("They call us the friendliest airline for a reason.", None, None),
    ],
)
def test_the_non_apology_and_tone_policing_defend(
    draft: str, severity: str | None, span: str | None
) -> None:
    fs = found(draft, ANGRY, "CD101")
    if severity is None:
        assert fs == []
    else:
        [f] = fs
        assert (f.severity, draft[f.start : f.end]) == (severity, span)


# ---- CD110: what answers a question -------------------------------------------------


@pytest.mark.parametrize(
    "message,draft,severity",
    [
        (
            "If I uninstall and reinstall the game on my Xbox one, will my account progress "
            "still be there?",
            "If you need help with this game on Xbox One, we'd be happy to help! Tweet us for "
            "official Xbox support",
            "warning",
        ),
        (
            "Are you ever going to patch the BFA achievement on Darksiders 2 for Xbox one?",
            "If you need help with this, let us know! We're official Xbox support & we'd be "
            "happy to help",
            "warning",
        ),
        # Said back in a statement, or answered by its modal: addressed.
        (
            "If I uninstall and reinstall the game on my Xbox one, will my account progress "
            "still be there?",
            "Your account progress is saved online, so reinstalling the game keeps it.",
            None,
        ),
        (
            "If I reinstall the app, will I lose my playlists?",
            "If you reinstall, your playlists will stay where they are.",
            None,
        ),
        # Asking leave after a condition is a request: unsure.
        (
            "If I get 500 retweets can I have free Premium for a year?",
            "Check out our offers page if you haven't had a subscription before.",
            "info",
        ),
        # A reason answers a yes or no.
        (
            "Did you remove the 1986 The Fly soundtrack?",
            "Sometimes content gets temporarily removed because of licensing changes.",
            None,
        ),
    ],
)
def test_what_answers_a_question(message: str, draft: str, severity: str | None) -> None:
    assert severities(draft, message, "CD110") == ([severity] if severity else [])


def test_a_question_said_back_in_a_question_is_not_answered_but_unsure() -> None:
    message = "Will I lose my playlists if I reinstall the app?"
    draft = "Which device are you reinstalling the app on? Which playlists are they?"
    assert severities(draft, message, "CD110") == ["info"]


@pytest.mark.parametrize(
    "draft,fires",
    [
        ("Here to help! Send us a DM with your order number.", True),
        ("So sorry about this. Send us a DM with your order number.", False),
    ],
)
def test_pissed_is_said_in_so_many_words(draft: str, fires: bool) -> None:
    message = "I'm so pissed, my order never came."
    assert (severities(draft, message, "CD111") == ["warning"]) is fires
