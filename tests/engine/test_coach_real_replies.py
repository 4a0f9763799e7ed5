"""The coach on what real brand agents write (engine 2.3): the faulty replies of the
tuning half's labels, rewritten for the tests, in tables of must fire / must not fire.

- CD111: a customer who says it is bad in so many words (swearing, starred or not, an
  insult, "so much trouble", an accident) wants an apology or a word of empathy; an offer
  to help ("Here to help!") or thanks for their patience is procedure. Marks alone
  ("!!!", "😭") in a glad message ask for nothing. More ways of saying a fix failed.
- CD101: "out of our control" said of the trouble, "we do advise …", "this could happen
  with any airline"; not "due to circumstances outside our control".
- CD105: "there's nothing more we can do".
- CD110: a modal said back anywhere answers ("… or can I carry it home?" → "it can be
  carried"); "Can you let me know …?" is a request, so a miss is unsure."""

from __future__ import annotations

import pytest

from calmdesk.engine import Thread, check_reply


def _thread(message: str) -> Thread:
    return Thread(messages=(("customer", message),))


def severities(draft: str, message: str, code: str) -> list[str]:
    return [f.severity for f in check_reply(draft, _thread(message)) if f.code == code]


DUMBEST = "I'm in a car with the worlds dumbest driver. Y'all need to start checking these fools"
STARRED = "Since Friday your system doesn't take PayPal. F*** it, I'm taking taxis."
CRAZY = "This is crazy, we're a week away and still no shipping information on our pre-order"
TROUBLE = "Why am I having so much trouble getting my account back"
ACCIDENT = "I got into a car accident on my ride today and I'm being checked out in the ER."


@pytest.mark.parametrize("message", [DUMBEST, STARRED, CRAZY, TROUBLE, ACCIDENT])
@pytest.mark.parametrize(
    "draft",
    [
        "Here to help! Send us a note so our team can connect.",
        "We're here to help. Please send us a DM with your email address.",
        "Thanks for your patience.",
        "No worries! We'll take a look backstage if you DM us.",
    ],
)
def test_said_in_so_many_words_an_offer_to_help_is_not_acknowledgement(
    message: str, draft: str
) -> None:
    assert severities(draft, message, "CD111") == ["warning"]


@pytest.mark.parametrize("message", [DUMBEST, STARRED, CRAZY, TROUBLE, ACCIDENT])
@pytest.mark.parametrize(
    "draft",
    [
        "So sorry to hear this. Please send us a note so our team can connect.",
        "We hear you, and we're here for you. Please send us a DM.",
        "That's not the experience we want for you. Please send us a DM.",
        "We understand. Please send us a DM with your email address.",
    ],
)
def test_an_apology_or_empathy_acknowledges_it(message: str, draft: str) -> None:
    assert severities(draft, message, "CD111") == []


@pytest.mark.parametrize(
    "message",
    [
        "Oh thank you! Can't wait!!! ♥️",
        "😩😭😭😭 Alright thanks for your help!!",
        "I'm in the UK, thanks.",
        "Perfect, it works now 😊",
    ],
)
def test_glad_or_calm_messages_ask_for_nothing(message: str) -> None:
    draft = "No worries! Just give us a shout if you need anything else."
    assert severities(draft, message, "CD111") == []


@pytest.mark.parametrize(
    "message",
    [
        "nope, still https://example.com/screenshot",
        "Issue persists on mobile… iPhone 7+ running iOS 11.1.2.",
        "Nope. After a while it starts the issue again.",
        "Logged out of everything, reinstalled etc, keeps happening.",
        "It works on my iPhone. Restarts don't help on the PC.",
        "Nope! I've uninstalled and reinstalled too",
        "I still need the weekly sales report. I call every day about this.",
        "I've monitored it and the problem hasn't gone away.",
    ],
)
def test_more_ways_of_saying_a_fix_failed(message: str) -> None:
    assert severities("Hmm. Can you DM us your account's email address?", message, "CD111") == [
        "warning"
    ]
    assert (
        severities("Thanks for trying that. Can you DM us your account's email?", message, "CD111")
        == []
    )
    sorry = "Sorry it's still acting up. Can you DM us your email?"
    assert severities(sorry, message, "CD111") == []


@pytest.mark.parametrize(
    "draft,fires",
    [
        ("These delays are out of our control, but we do work with Network Rail.", True),
        ("That is beyond our control.", True),
        ("Hi Maggie, we do advise our call charges online.", True),
        ("We did tell you about the fee when you booked.", True),
        ("We do apologise, but this could happen with any airline.", True),
        ("We can't offer it in Quebec due to circumstances outside our control.", False),
        ("We'll look at what went wrong with the call charge.", False),
        ("We do our best to keep call charges low; let me check yours.", False),
    ],
)
def test_defending_in_the_words_agents_use(draft: str, fires: bool) -> None:
    message = "You charged me 32.19 for a phone call to book my flights. What will you do?"
    assert bool(severities(draft, message, "CD101")) is fires


@pytest.mark.parametrize(
    "draft,fires",
    [
        ("We apologise, but there's unfortunately nothing more we can do.", True),
        ("There's nothing we can do about the delay.", True),
        ("There's more we can do: I'll ask the station to hold the bag.", False),
    ],
)
def test_nothing_more_we_can_do_is_dismissive(draft: str, fires: bool) -> None:
    message = "It's Clare with no i!! You misspelled my name on the ticket."
    assert bool(severities(draft, message, "CD105")) is fires


def test_a_modal_said_back_answers_wherever_it_is_in_the_question() -> None:
    message = "Do you know how heavy this is? Do you need a car or can I carry it home?"
    draft = "Hi there. It weighs just over 15kgs so it can be carried. Hope this helps!"
    assert severities(draft, message, "CD110") == []


@pytest.mark.parametrize(
    "message,severity",
    [
        ("Can you let me know their response please?", "info"),
        ("Could you check whether my refund went through?", "info"),
        ("Will the refund reach my card this week?", "warning"),
    ],
)
def test_a_request_worded_as_a_question_is_unsure(message: str, severity: str) -> None:
    draft = "We hear you! We'd recommend voting for the idea in our community."
    assert severities(draft, message, "CD110") == [severity]


@pytest.mark.parametrize(
    "message",
    [
        "I am having exactly the same problem on a Windows 7 PC.",
        "My friend has the same issue with his app on his Roku.",
        "Just noticed it today, nothing has changed on my end.",
    ],
)
def test_the_same_problem_as_someone_else_is_not_a_failed_fix(message: str) -> None:
    assert severities("Can you let us know your app version?", message, "CD111") == []


def test_the_same_problem_back_is_a_failed_fix() -> None:
    message = "That fixed it, but next morning I have the same problem :("
    assert severities("Good to hear! Get back to us if it happens again.", message, "CD111") == [
        "warning"
    ]


@pytest.mark.parametrize(
    "message",
    [
        "complete ineptness!",
        "Your courier guys are very rude. I have given similar complaints many times.",
        "My card is charged fraudulently and no one seems to care?",
        "Hi this is an inadequate response to me throwing away the entire £18 order.",
        "Ugh! is there a reason you disabled my account?",
    ],
)
def test_more_words_of_complaint_need_an_apology_or_empathy(message: str) -> None:
    draft = "We're here to help! Send us a DM with your email address so we can connect."
    assert severities(draft, message, "CD111") == ["warning"]
    sorry = "Sorry about this. Send us a DM with your email address so we can connect."
    assert severities(sorry, message, "CD111") == []


@pytest.mark.parametrize(
    "message",
    [
        "I've talked to a supervisor with no assistance",
        "Bruh can someone get back to me on my DMs",
        "So upset, no one will get back to me",
        "You can check the DMs I sent before. They won't help.",
        "Still waiting for a reply since Monday.",
    ],
)
def test_waiting_on_them_or_help_that_did_not_help(message: str) -> None:
    draft = "Here to help! Send us a note so our team can connect."
    assert severities(draft, message, "CD111") == ["warning"]
    thanks = "Thanks for waiting, and sorry it took this long. Send us a note."
    assert severities(thanks, message, "CD111") == []


def test_a_shouted_complaint_is_sure() -> None:
    draft = "For more info about deliveries click here."
    message = "I'm so frustrated, my order is lost again"
    assert severities(draft, message + "!!!", "CD111") == ["warning"]
    assert severities(draft, message + ".", "CD111") == ["info"]


def test_let_us_know_is_not_what_happens_next() -> None:
    message = "Are you ever going to patch the achievement on the Xbox One version?"
    draft = "If you need help with anything, let us know! We'd be happy to help."
    assert severities(draft, message, "CD110") != []
    assert severities("We're looking into it with the studio.", message, "CD110") == []


@pytest.mark.parametrize(
    "message",
    [
        "Here's my number, close the account, I am done with you.",
        "By mail, text, call, phone: no one is able to help me",
        "Multiple calls with zero resolution and never a promised call back.",
    ],
)
def test_done_or_helped_by_nobody(message: str) -> None:
    draft = "We're here to help! Send us a DM with your email address so we can connect."
    assert severities(draft, message, "CD111") == ["warning"]


def test_marks_alone_are_not_answered_by_an_offer_but_are_unsure() -> None:
    message = "So my $12 ride just turned into $387. Really ???"
    draft = "We're here to help! Send us a DM with your email address so we can connect."
    assert severities(draft, message, "CD111") in (["info"], ["warning"])
    assert severities("That's not right, sorry. Send us a DM.", message, "CD111") == []


@pytest.mark.parametrize(
    "draft,fires",
    [
        ("Hm, we haven't had any reported errors lately. Have you tried another browser?", True),
        ("We have had no other reports of this. Which browser is it?", True),
        ("We've had a few reports of this today; the team is on it.", False),
    ],
)
def test_nobody_else_reported_it_defends(draft: str, fires: bool) -> None:
    message = "My account page is down 😑😑"
    assert bool(severities(draft, message, "CD101")) is fires


@pytest.mark.parametrize(
    "draft",
    [
        "That's no fun! What generation of Apple TV do you use?",
        "Not what we like to hear at all! Was this shipped by us or a seller?",
        "We're concerned to hear this, Omar. Is there anything we can help you with?",
    ],
)
def test_more_ways_agents_acknowledge(draft: str) -> None:
    message = "Still no sign of the costume I ordered in September, so disappointed"
    assert severities(draft, message, "CD111") == []
