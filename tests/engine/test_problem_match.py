"""The problem suggester: a table of messages and the problem each should (or should
not) be matched to, over a small index of three problems."""

import dataclasses

import pytest

from calmdesk.engine.problem_match import build_index, features, stem, suggest

EXPORT, CHARGE, RESET = 1, 2, 3
INDEX = build_index(
    {
        EXPORT: [
            "The CSV export crashes when I click download.",
            "Exporting my orders to CSV fails with an error every time.",
        ],
        CHARGE: [
            "I was charged twice for my subscription this month.",
            "Double charge on my card, please refund one.",
        ],
        RESET: ["The password reset email never arrives.", "No reset email in my inbox."],
    }
)


@pytest.mark.parametrize(
    "message,problem,term",
    [
        ("The CSV export crashed again this morning", EXPORT, "csv"),
        ("exporting to csv gives me an error", EXPORT, "csv"),
        ("You charged my card twice!", CHARGE, "charged"),
        ("my password reset email did not arrive", RESET, "reset"),
        ("Reset e-mail never came", RESET, "reset"),
        ("Thanks so much, you are great", None, None),
        ("", None, None),
        ("Hi, hello, thanks", None, None),
    ],
)
def test_it_suggests_the_problem_and_says_why(message, problem, term):
    found = suggest(INDEX, message, limit=1)
    if problem is None:
        assert found == []
    else:
        assert found[0].problem_id == problem
        assert term in found[0].shared_terms


def test_a_linked_problem_is_not_suggested_again():
    found = suggest(INDEX, "The CSV export crashed again", exclude=[EXPORT])
    assert all(s.problem_id != EXPORT for s in found)


def test_suggestions_are_frozen_and_best_first():
    found = suggest(INDEX, "csv export charged twice", limit=3, min_score=0.0)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].score = 1.0  # type: ignore[misc]


def test_an_empty_index_suggests_nothing():
    assert suggest(build_index({}), "The CSV export crashed") == []


@pytest.mark.parametrize(
    "text,present,absent",
    [
        # Stems, no bigrams: a short message shares single words with a problem.
        ("Crashes on export", ["w:crash", "w:export", "c:cra"], ["w:on", "w:crash export"]),
        ("Albums crashed, crashing", ["w:album", "w:crash"], ["w:albums", "w:crashed"]),
        ("see https://x.example/a @brand", [], ["w:https", "w:brand"]),
        ("Error ERR_SYNC_TIMEOUT again", ["w:err_sync_timeout"], ["w:err", "w:sync"]),
    ],
)
def test_features(text, present, absent):
    found = features(text)
    assert all(f in found for f in present)
    assert all(f not in found for f in absent)


@pytest.mark.parametrize(
    "word,stemmed",
    [
        ("crashes", "crash"),
        ("crashed", "crash"),
        ("crashing", "crash"),
        ("albums", "album"),
        ("spotify's", "spotify"),
        ("access", "access"),  # a double s is no plural
        ("bus", "bus"),  # too short to lose its ending
        ("thing", "thing"),
        ("ads", "ads"),
    ],
)
def test_stem(word, stemmed):
    assert stem(word) == stemmed


@pytest.mark.parametrize(
    "message,problem,said",
    [
        # Linked messages say "crashes" and "exporting"; the message's own words explain.
        ("the export crashed", EXPORT, {"export", "crashed"}),
        ("Refunds for a double charge?", CHARGE, {"double"}),
        ("resetting my password", RESET, {"password"}),
    ],
)
def test_a_different_ending_still_matches_and_is_shown_as_written(message, problem, said):
    found = suggest(INDEX, message, limit=1)
    assert found[0].problem_id == problem
    assert said <= set(found[0].shared_terms)
