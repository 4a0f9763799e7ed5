"""Quote and signature stripping for the text the engine reads, measured on talon's
standard replies (the expected reply is "Hello" unless X_reply_text says otherwise)."""

from __future__ import annotations

from pathlib import Path

from calmdesk.mail.htmltext import html_to_text
from calmdesk.mail.parsing import parse
from calmdesk.mail.quoting import reply_text, strip_quotes
from tests.conftest import shared_data


def _talon_cases(folder: Path) -> list[tuple[str, str, str]]:
    cases = []
    for eml in sorted(folder.glob("*.eml")):
        expected_file = eml.with_name(eml.stem + "_reply_text")
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"
        mail = parse(eml.read_bytes())
        cases.append((eml.name, mail.text or html_to_text(mail.html), expected))
    return cases


def test_quotes_are_cut_from_every_talon_standard_reply():
    cases = _talon_cases(shared_data("email", "talon", "fixtures", "standard_replies"))
    exact = [name for name, body, expected in cases if strip_quotes(body) == expected]
    assert len(cases) == 12
    assert len(exact) == len(cases), sorted({n for n, _, _ in cases} - set(exact))


def test_signatures_go_too_where_talon_keeps_them():
    cases = dict(
        (name, (body, expected))
        for name, body, expected in _talon_cases(
            shared_data("email", "talon", "fixtures", "standard_replies")
        )
    )
    # talon's expectation keeps these footers; the engine's text drops them.
    assert reply_text(cases["iphone.eml"][0]) == "Hello"
    assert reply_text(cases["sparrow.eml"][0]) == "Hello"
    exact = sum(reply_text(body) == expected for body, expected in cases.values())
    assert exact == len(cases) - 2


def test_interleaved_answers_keep_the_new_text():
    text = "> Did you try again?\nYes, twice.\n> Which browser?\nFirefox 128.\n"
    assert strip_quotes(text) == "Yes, twice.\nFirefox 128."


def test_bottom_posted_reply_is_found_below_the_quote():
    text = "On Mon, Apr 2, 2012 at 6:26 PM, Bob <bob@example.com> wrote:\n> Hi\n\nHello\n"
    assert strip_quotes(text) == "Hello"


def test_the_pathological_reply_parser_case_is_linear():
    raw = shared_data("email", "github_email_reply_parser", "emails", "pathological.txt")
    text = raw.read_text(errors="replace")
    # Bounded by construction (line by line); this just runs it on the real file.
    assert isinstance(reply_text(text * 5), str)


def test_other_reply_parser_fixtures_are_changed_not_emptied():
    changed = total = 0
    for folder in (
        shared_data("email", "email_reply_parser", "emails"),
        shared_data("email", "github_email_reply_parser", "emails"),
        shared_data("email", "willdurand_EmailReplyParser", "Fixtures"),
    ):
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(errors="replace").strip()
            total += 1
            stripped = reply_text(text)
            changed += stripped != text
            assert stripped or not text, path.name
    assert total > 80 and changed > total // 2
