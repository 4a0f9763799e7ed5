"""Sentiment and complaint beside tone (issue 10): what customers say when something went
wrong, calmly or not, and the near misses that must not read as complaints."""

from __future__ import annotations

import io
import json

import pytest

from calmdesk.engine import read_message, sentiment
from calmdesk.engine.cli import cmd_read
from calmdesk.engine.types import ComplaintSpan

COMPLAINTS = [
    # sarcasm: praise around a bad event
    "Thanks a lot for breaking my site. Great job.",
    "thanks for nothing",
    "It crashed again after the update. Love it.",
    # resignation and terse pressure
    "Fine. I'll wait for the engineer.",
    "I've attached screenshots. Again.",
    "It's 11:20pm. Please.",
    # polite but upset
    "I appreciate the quick answer, but I need to know when it will be fixed",
    # calm problem reports
    "Is the website down? I can't print my boarding pass.",
    "I keep getting disconnected when I choose the billing option",
    "The export stops at row 1,204.",
    # repeated contact, broken promises, waiting
    "This is the third time I'm writing about this.",
    "You said it would be fixed by Friday.",
    "Still waiting since Monday. Where is my refund?",
    "OK, it works on Chrome now but still not on Safari.",
    "The fix worked for a day, but now the sync won't start again.",
    # harm told as it happens (read neutral before engine 2.3)
    "I'm losing sales.",
    "It's costing us customers every day.",
]

NOT_COMPLAINTS = [
    # genuine thanks
    "Thank you so much, it works now!",
    "That worked, cheers!",
    "It crashed yesterday but now it works great, thanks!",
    # neutral questions
    "How do I export my contacts to CSV?",
    "Can I change my billing date?",
    "Which plan includes the API?",
    # "no problem at all" and friends
    "No problem at all, thanks!",
    "No worries, I can't wait for the new release!",
    # positive reviews
    "Love this app, best purchase ever.",
    "Great sound and easy to set up.",
    # what it costs is a question, not a loss
    "How much does it cost me per month?",
    # a terse word after thanks is emphasis, not pressure
    "Thank you! Really.",
    "Thanks. Again.",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_it_reads_a_complaint_as_negative(text: str) -> None:
    r = read_message(text)
    assert r.complaint, (text, r.complaint_score)
    assert r.sentiment == "negative"
    assert r.complaint_spans, "every complaint shows its words"


@pytest.mark.parametrize("text", NOT_COMPLAINTS)
def test_it_reads_no_complaint(text: str) -> None:
    r = read_message(text)
    assert not r.complaint, (text, r.complaint_score, r.complaint_spans)
    assert r.sentiment != "negative"


@pytest.mark.parametrize(
    "text,sentiment",
    [
        ("Thank you so much, it works now!", "positive"),
        ("Love this app, best purchase ever.", "positive"),
        ("How do I export my contacts to CSV?", "neutral"),
        ("Can I change my billing date?", "neutral"),
        ("This is useless and I want my money back.", "negative"),
    ],
)
def test_it_reads_the_sentiment(text: str, sentiment: str) -> None:
    assert read_message(text).sentiment == sentiment


@pytest.mark.parametrize(
    "text,reason",
    [
        ("Thanks a lot for breaking my site. Great job.", "sarcasm"),
        ("It crashed again after the update. Love it.", "sarcasm"),
        ("Fine. I'll wait for the engineer.", "resignation"),
        ("I've attached screenshots. Again.", "terse pressure"),
        ("It's 11:20pm. Please.", "terse pressure"),
        (
            "I appreciate the quick answer, but I need to know when it will be fixed",
            "polite but upset",
        ),
        ("This is the third time I'm writing about this.", "repeated contact"),
        ("You said it would be fixed by Friday.", "broken promise"),
        ("I keep getting disconnected when I choose the billing option", "failure"),
        ("I'm losing sales.", "losing business"),
    ],
)
def test_each_complaint_says_why(text: str, reason: str) -> None:
    spans = read_message(text).complaint_spans
    assert reason in {s.reason for s in spans}
    for s in spans:
        assert text[s.start : s.end] == s.text


@pytest.mark.parametrize(
    "text",
    [
        "Thanks a lot for breaking my site. Great job.",
        "It crashed again after the update. Love it.",
    ],
)
def test_sarcasm_is_neither_thanks_nor_low_priority(text: str) -> None:
    r = read_message(text)
    assert r.tone not in {"grateful", "positive"}
    assert r.priority != "low"
    assert r.sentiment == "negative"


@pytest.mark.parametrize(
    "text,tone",
    [
        ("Fine. I'll wait for the engineer.", "frustrated"),
        ("I've attached screenshots. Again.", "frustrated"),
        ("Thank you so much, it works now!", "grateful"),
        ("Thanks again, great support!", "grateful"),
    ],
)
def test_tone_stays_the_emotion(text: str, tone: str) -> None:
    assert read_message(text).tone == tone


def test_a_calm_report_is_a_complaint_in_a_neutral_tone() -> None:
    r = read_message("The export stops at row 1,204.")
    assert (r.sentiment, r.complaint, r.tone) == ("negative", True, "neutral")


@pytest.mark.parametrize("text", [*COMPLAINTS, *NOT_COMPLAINTS, "", "ok", "?!"])
def test_scores_stay_in_range(text: str) -> None:
    r = read_message(text)
    assert -1.0 <= r.sentiment_score <= 1.0
    assert 0.0 <= r.complaint_score <= 1.0
    assert r.sentiment in {"negative", "neutral", "positive"}


@pytest.mark.parametrize("text", [*COMPLAINTS[:5], *NOT_COMPLAINTS[:5]])
def test_read_text_reads_as_read_message_does(text: str) -> None:
    r = read_message(text)
    f = sentiment.read_text(text)
    assert (f.sentiment, f.score, f.complaint, f.complaint_score, f.spans) == (
        r.sentiment,
        r.sentiment_score,
        r.complaint,
        r.complaint_score,
        r.complaint_spans,
    )


def test_the_dict_has_the_contract_names() -> None:
    d = read_message("I keep getting disconnected when I choose the billing option").to_dict()
    assert d["sentiment"] == "negative"
    assert isinstance(d["sentiment_score"], float)
    assert d["complaint"] is True
    assert isinstance(d["complaint_score"], float)
    assert d["complaint_spans"][0] == {
        "start": 2,
        "end": 14,
        "text": "keep getting",
        "reason": "failure",
    }


def test_a_complaint_span_serialises_to_four_keys() -> None:
    span = ComplaintSpan(0, 5, "stuck", "failure")
    assert read_message("stuck").complaint_spans[0] == span


@pytest.mark.parametrize("flag", ["--json", "--jsonl"])
def test_the_cli_prints_them_at_the_top(
    flag: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Is the website down? I can't print my boarding pass."
    if flag == "--json":
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
        assert cmd_read(["--json", "-"]) == 0
    else:
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"text": text}) + "\n"))
        assert cmd_read(["--jsonl"]) == 0
    d = json.loads(capsys.readouterr().out)
    for key in ("sentiment", "sentiment_score", "complaint", "complaint_score", "complaint_spans"):
        assert key in d
    assert (d["sentiment"], d["complaint"]) == ("negative", True)


@pytest.mark.parametrize(
    "text,not_tones",
    [
        # terse pressure: the model's "please" is no positive tone (issue 10)
        ("It's 11:20pm. Please.", {"positive", "grateful"}),
        ("Hello?? Is anyone there?", {"positive", "grateful"}),
    ],
)
def test_terse_pressure_is_not_a_positive_tone(text: str, not_tones: set[str]) -> None:
    r = read_message(text)
    assert r.tone not in not_tones
    assert "terse pressure" in {s.reason for s in r.tone_spans}


@pytest.mark.parametrize(
    "text,tone",
    [
        # near misses: "please" inside a sentence, and thanks, keep their tone
        ("Please help me, thanks so much!", "grateful"),
        ("Could you please send the invoice again?", "neutral"),
    ],
)
def test_please_in_a_sentence_is_no_pressure(text: str, tone: str) -> None:
    r = read_message(text)
    assert r.tone == tone
    assert "terse pressure" not in {s.reason for s in r.tone_spans}


def test_a_repeated_again_counts_once_in_the_tone() -> None:
    spans = read_message("I've attached screenshots. Again.").tone_spans
    assert [s.reason for s in spans if s.text == "Again"] == ["repetition"]
