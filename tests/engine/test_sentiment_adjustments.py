"""What moves the sentiment beyond the learned head (issue 10, engine 2.4): unknown words
dilute the model's voice, exclamation marks raise it, a negated problem word is no
problem, and a complaint of a pleased customer is not read negative unless its praise is
a disguise or comes before "but". Each adjustment shows the words that caused it; near
misses must not fire."""

from __future__ import annotations

import pytest

from calmdesk.engine import read_message, sentiment


def _reasons(text: str) -> list[str]:
    return [s.reason for s in sentiment.read_text(text).sentiment_spans]


def _spans(text: str, reason: str) -> list[str]:
    return [s.text for s in sentiment.read_text(text).sentiment_spans if s.reason == reason]


# --- unknown words ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,unknown",
    [
        ("@TheZeroOfTime @Blahblah #microsoft", ["TheZeroOfTime", "Blahblah"]),
        ("Qwzx frobnicator is borked", ["Qwzx", "frobnicator", "borked"]),
    ],
)
def test_unknown_words_are_shown_as_the_dilution(text: str, unknown: list[str]) -> None:
    assert _spans(text, "unknown word") == unknown


@pytest.mark.parametrize(
    "text",
    ["I love this phone", "This is the worst service I have ever had", "ok"],
)
def test_a_text_of_known_words_is_not_diluted(text: str) -> None:
    assert "unknown word" not in _reasons(text)


def test_unknown_words_pull_the_model_towards_its_prior() -> None:
    # the same known word, alone and among names the vocabulary lacks
    alone = sentiment.read_text("microsoft").score
    among = sentiment.read_text("@TheZeroOfTime @Blahblah #microsoft").score
    assert abs(among) < abs(alone)


def test_at_most_five_unknown_words_are_shown() -> None:
    text = "Zqa Zqb Zqc Zqd Zqe Zqf Zqg"
    assert len(_spans(text, "unknown word")) == sentiment.MAX_UNKNOWN_SPANS


# --- exclamation marks --------------------------------------------------------------


@pytest.mark.parametrize(
    "text,gain",
    [
        ("This update is bad!", 1.1),
        ("This update is bad!!!", 1.3),
        ("Why!!!!! Fix it!", 1.3),  # three at most
        ("This update is bad.", 1.0),
    ],
)
def test_exclamation_marks_raise_the_models_lean(text: str, gain: float) -> None:
    # "!" is a model term too; on top of it, each mark multiplies the lean (logits less
    # the bias), as VADER adds to its sum for each
    marks = sentiment._marks(text)
    assert sentiment._gain(1.0, 0, marks) == pytest.approx(gain)
    assert _reasons(text).count("exclamation") == round((gain - 1) * 10)


def test_exclamation_marks_count_up_to_three_with_their_spans() -> None:
    text = "Why!!!!! Fix it!"
    spans = [s for s in sentiment.read_text(text).sentiment_spans if s.reason == "exclamation"]
    assert len(spans) == sentiment.MAX_EXCLAMATIONS
    assert all(text[s.start : s.end] == "!" for s in spans)


@pytest.mark.parametrize("text", ["Why is this broken?", "The export stops at row 1,204."])
def test_no_mark_no_exclamation(text: str) -> None:
    assert "exclamation" not in _reasons(text)


# --- negated problem words (VADER's negation scope, on the cues) ---------------------


@pytest.mark.parametrize(
    "text,span",
    [
        ("I have never had any problems with it.", "never had any problems"),
        ("I haven't had a single issue.", "haven't had a single issue"),
        ("It won't disappoint.", "won't disappoint"),
        ("I didn't have any trouble setting it up.", "didn't have any trouble"),
        ("No glitch so far, works great.", "No glitch"),
    ],
)
def test_a_negated_problem_is_no_complaint(text: str, span: str) -> None:
    r = read_message(text)
    assert not r.complaint, (text, r.complaint_score, r.complaint_spans)
    assert _spans(text, "negated problem") == [span]


@pytest.mark.parametrize(
    "text",
    [
        # another clause: the negator is not the problem's
        "No, the error is back.",
        # too far from the problem word
        "I can't log in and there is an error.",
        # the problem is not negated; the negation is part of the failure
        "It doesn't work and shows an error.",
        "Still not fixed, same problem.",
    ],
)
def test_near_misses_stay_complaints(text: str) -> None:
    r = read_message(text)
    assert r.complaint and r.sentiment == "negative", (text, r.complaint_score)
    assert "negated problem" not in _reasons(text)


def test_a_negated_problem_leaves_the_real_one() -> None:
    r = read_message("Not a bug: the screen is broken.")
    assert r.complaint and r.sentiment == "negative"
    assert [s.text for s in r.complaint_spans] == ["broken"]
    assert _spans("Not a bug: the screen is broken.", "negated problem") == ["Not a bug"]


# --- a complaint of a pleased customer ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Love it! Works great, the only issue is that the cable is a bit short.",
        "It crashed once but overall I love it, best speaker I've owned.",
    ],
)
def test_praise_can_outweigh_a_small_complaint(text: str) -> None:
    assert read_message(text).sentiment != "negative"


@pytest.mark.parametrize(
    "text",
    [
        # the problem comes after "but": the praise before does not outweigh it
        "Great speaker, but the app keeps crashing.",
        # positive words on purpose: resignation, polite but upset, sarcasm
        "Fine. I'll wait for the engineer.",
        "I appreciate the quick answer, but I need to know when it will be fixed",
        "Thanks a lot for breaking my site. Great job.",
    ],
)
def test_disguised_or_contrasted_complaints_stay_negative(text: str) -> None:
    f = sentiment.read_text(text)
    assert f.complaint and f.settled and f.sentiment == "negative", (text, f.score)


def test_the_bench_reads_the_same_rule() -> None:
    from calmdesk.bench.engine import _Scored

    texts = ["Great speaker, but the app keeps crashing.", "I love it!", "It broke again."]
    scored = _Scored(texts, [True, False, True], sentiment.SHIPPED_HEAD)
    assert scored.predicted(sentiment.NEGATIVE_AT) == [
        sentiment.read_text(t).sentiment == "negative" for t in texts
    ]


# --- faces and emoji --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,sentiment_",
    [
        ("the new update <3", "positive"),
        ("got my order today 😂👌", "positive"),
        ("my order is late again 😔", "negative"),
        ("the app keeps logging me out 💔", "negative"),
    ],
)
def test_faces_and_emoji_move_the_sentiment(text: str, sentiment_: str) -> None:
    assert read_message(text).sentiment == sentiment_


@pytest.mark.parametrize(
    "text",
    [
        "See https://example.com/help for the steps.",  # ":/" of a link is no face
        "Call me at 10:30 (my time).",
    ],
)
def test_links_and_times_are_no_faces(text: str) -> None:
    assert sentiment._faces(text) == (0.0, 0.0)


# --- the bench's development rows -----------------------------------------------------


@pytest.mark.parametrize("n,sample", [(10, 4), (4, 4), (3, 4), (10, 0)])
def test_the_rest_is_what_the_sample_leaves_out(n: int, sample: int) -> None:
    from calmdesk.bench.engine import sample_rows

    rows = list(range(n))
    picked, rest = sample_rows(rows, sample), sample_rows(rows, sample, rest=True)
    assert sorted(picked + rest) == rows
    assert not set(picked) & set(rest)
    assert rest == sorted(rest)  # file order


def test_the_rest_needs_a_sample_and_the_support_sets() -> None:
    from calmdesk.bench.engine import run

    for argv in (["--rest"], ["--rest", "--support-only"], ["--rest", "--sample", "9"]):
        with pytest.raises(SystemExit):
            run(argv)
