"""Language: plain English pays nothing; text the cheap check is unsure of is named by
py3langid, and English cues never read another language (issue #10)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from calmdesk.engine import language, read_message
from calmdesk.engine.text import Language


@pytest.mark.parametrize(
    "text,code",
    [
        (
            "Bonjour, je vous écris concernant ma facture. Le montant est-il correct ? "
            "Je suis très content du service, merci.",
            "fr",
        ),
        ("Problème avec la facture de novembre, montant incorrect.", "fr"),
        (
            "Hallo, ich habe eine Frage zu meiner Rechnung. Der Betrag ist nicht korrekt, "
            "das ist wirklich ärgerlich!",
            "de",
        ),
        ("Rechnung falsch, Betrag doppelt abgebucht, bitte prüfen.", "de"),
    ],
)
def test_french_and_german_get_no_english_cues(text: str, code: str) -> None:
    r = read_message(text)
    assert r.language == code
    assert not r.language_supported
    assert r.tone_spans == ()  # no cue, and no English model term, is shown
    assert r.stakes == ()
    assert not r.is_novice


@pytest.mark.parametrize(
    "text,code",
    [
        ("Still waiting since Monday for an answer.", "en"),  # plainly English: fast path
        ("ok", "en"),  # too short to ask: the cheap answer stays
        ("Great job, thanks!", "en"),
        ("Спасибо, всё работает.", "ru"),  # a script settles it
    ],
)
def test_language_of_english_and_other_scripts(text: str, code: str) -> None:
    r = read_message(text)
    assert r.language == code
    assert r.language_supported == (code == "en")


def test_refine_keeps_the_cheap_answer_when_unsure_or_short() -> None:
    cheap = Language("en", 0.3)
    assert language.refine(cheap, "ok thanks") is cheap
    assert language.refine(Language("ru", 0.9), "Спасибо, всё работает отлично") == Language(
        "ru", 0.9
    )
    assert language.refine(cheap, "Je ne peux pas me connecter depuis hier soir.").code == "fr"


def test_plain_english_never_loads_the_identifier() -> None:
    # The bench's weights-only child reads English: py3langid's model (tens of MB) must
    # stay out of that process.
    code = (
        "import sys, calmdesk.engine as e; e.read_message('warm up: loads the weights once'); "
        "e.read_message('Still waiting since Monday, the export is broken.'); "
        "print('py3langid' in sys.modules, e.language.is_loaded())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    "text,plain",
    [
        ("Same here, terrible feeling", True),  # two everyday English words, no other's
        ("Pretty much every dude I have met.", True),
        ("I come as soon as I can, the app crashes", True),  # "come", "as": one of many
        ("Nice job building yourself", False),  # no telling word: py3langid is asked
        ("Guilty as well!", False),  # one English word against one Portuguese
        ("Google no lanzara ningun producto en South by SouthWest", False),  # "by" alone
        ("Bonjour, je ne peux pas me connecter, my account is broken", False),
    ],
)
def test_plainly_english_needs_no_identifier(text: str, plain: bool) -> None:
    # The cheap check settles plain English at once (confidence 1: py3langid is never
    # asked); a line of another language with an English word or two is still asked.
    from calmdesk.engine.text import detect_language, words

    lows = [w.low for w in words(text)]
    found = detect_language(text, lows, set(lows))
    assert (found == Language("en", 1.0)) is plain
