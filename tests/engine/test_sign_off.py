"""A writer's closing ("Best,\\nFelix", "Thanks, Emma") is a formula: it is found, and
tone and sentiment are read without it, so a complaint signed "Best," stays a complaint.
A lone "Thanks!" may be real gratitude and stays in."""

from __future__ import annotations

import pytest

from calmdesk.engine import read_message
from calmdesk.engine.strip import sign_off_start

COMPLAINT = "It's been an hour. Still a blank page. Still losing money."


@pytest.mark.parametrize(
    "text,closing",
    [
        (f"{COMPLAINT}\n\nBest,\nFelix", "Best,\nFelix"),
        ("Still broken.\n\nThanks, Emma", "Thanks, Emma"),
        ("Still down.\nRegards\nJ. Smith", "Regards\nJ. Smith"),
        ("Row 1,204.\n\nKind regards,\nMaya Okafor\nHead of Ops\nShop Inc", None),
        ("Broken again.\n\nCheers,\nDan\n", "Cheers,\nDan\n"),
        # Not a closing: gratitude, a sentence, or the whole message.
        ("Can you help? Thanks!", ""),
        ("Thanks, Emma", ""),
        ("Best thing ever, you fixed it.\nthanks for everything", ""),
        ("It works now.\nThanks so much\nThis is great news for us.", ""),
    ],
)
def test_the_closing_is_found(text: str, closing: str | None) -> None:
    found = text[sign_off_start(text) :]
    if closing is None:  # the closing with a title and a company under the name
        assert found.startswith("Kind regards,")
    else:
        assert found == closing


@pytest.mark.parametrize(
    "signed",
    [
        f"{COMPLAINT}\n\nBest,\nFelix",
        f"{COMPLAINT}\n\nThanks,\nFelix",
        f"{COMPLAINT}\n\nBest regards,\nFelix Wagner",
        f"{COMPLAINT}\n\nThanks, Felix",
    ],
)
def test_a_closing_does_not_change_the_tone_or_sentiment(signed: str) -> None:
    alone, with_closing = read_message(COMPLAINT), read_message(signed)
    assert with_closing.tone == alone.tone
    assert with_closing.tone not in {"positive", "grateful"}
    assert with_closing.sentiment == alone.sentiment == "negative"
    assert with_closing.complaint
    # The closing's words carry no tone span.
    assert all(
        span.start < signed.index(COMPLAINT) + len(COMPLAINT) for span in with_closing.tone_spans
    )


def test_real_thanks_in_the_body_still_reads_grateful() -> None:
    reading = read_message(
        "Thank you so much, it works again! You saved my launch.\n\nBest,\nFelix"
    )
    assert reading.tone == "grateful"
