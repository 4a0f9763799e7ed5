"""Quoted replies and signatures are removed before reading; spans map back."""

from __future__ import annotations

import pytest

from calmdesk.engine import read_message, strip_quotes_and_signature
from tests.conftest import shared_data

REPLY = (
    "Still broken, and I've been waiting since Monday.\n"
    "Please call me.\n"
    "\n"
    "On Mon, 3 Jun 2024 at 10:02, Alice <alice@calmdesk.example> wrote:\n"
    "> Could you try again?\n"
    "> Thanks, Alice\n"
)


@pytest.mark.parametrize(
    "raw,kept",
    [
        (REPLY, "Still broken, and I've been waiting since Monday.\nPlease call me."),
        ("Thanks!\n\n-- \nBob\nACME Inc.", "Thanks!"),
        ("It works.\n\nSent from my iPhone", "It works."),
        ("Top.\n-----Original Message-----\nFrom: x\nold", "Top."),
        ("Hi\nFrom: Alice <a@b.c>\nSent: Monday\nTo: me\nold text", "Hi"),
        ("> quoted first\nmy answer", "my answer"),
        ("no quotes at all", "no quotes at all"),
        ("", ""),
    ],
)
def test_it_keeps_only_the_new_text(raw: str, kept: str) -> None:
    assert strip_quotes_and_signature(raw).text == kept


def test_spans_map_back_to_the_original() -> None:
    raw = "> old line\nI was charged twice.\n> more old\nPlease refund me.\n-- \nBob"
    stripped = strip_quotes_and_signature(raw)
    assert stripped.text == "I was charged twice.\nPlease refund me."
    reading = read_message(stripped.text)
    for span in reading.tone_spans:
        s, e = stripped.to_original(span.start, span.end)
        assert raw[s:e] == span.text


def test_talon_standard_replies_keep_the_reply() -> None:
    folder = shared_data("email", "talon", "fixtures", "standard_replies")
    checked = 0
    for path in sorted(folder.glob("*.eml")):
        import email
        from email import policy

        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        part = msg.get_body(preferencelist=("plain",))
        if part is None:
            continue
        body = part.get_content()
        expected_file = path.with_name(path.stem + "_reply_text")
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"
        got = strip_quotes_and_signature(body).text.strip()
        assert expected.split()[0] in got, path.name
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    "raw",
    [
        "I was charged twice.\r\nPlease refund me.\r\n\r\n"
        "On Mon, Bob <b@x.org> wrote:\r\n> old\r\n",
        "> old\nI was charged twice.\r\nPlease refund me.\n-- \nBob",
        "Hi,\nI was charged twice.\nPlease refund me.\n\nSent from my iPhone",
    ],
)
def test_every_kept_character_maps_back_to_the_same_character(raw: str) -> None:
    stripped = strip_quotes_and_signature(raw)
    assert "charged twice" in stripped.text and "old" not in stripped.text
    for i, char in enumerate(stripped.text):
        if char == "\n":
            continue  # a joining newline belongs to no segment
        assert raw[stripped.original_index(i)] == char


def test_signature_can_stay() -> None:
    raw = "Thanks!\n\n-- \nBob\n\nOn Mon, Bob <b@x.org> wrote:\n> old"
    assert strip_quotes_and_signature(raw, signature=False).text == "Thanks!\n\n-- \nBob"
    assert strip_quotes_and_signature(raw).text == "Thanks!"
