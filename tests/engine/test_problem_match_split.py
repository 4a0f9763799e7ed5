"""The suggester's labelled tweets are split for good into a tuning half (changes are
tried there) and a report half (the figures quoted): the split is fixed by the ids alone."""

from calmdesk.bench.problems import load_labels, split_of


def test_the_split_is_fixed_and_covers_every_label():
    labels = load_labels()
    halves = {name: {t for t in labels if split_of(t) == name} for name in ("tuning", "report")}
    assert (len(halves["tuning"]), len(halves["report"])) == (92, 108)
    assert halves["tuning"].isdisjoint(halves["report"])
    assert halves["tuning"] | halves["report"] == set(labels)
    # Both halves name problems and hold tweets that name none.
    for half in halves.values():
        assert {labels[t] == "none" for t in half} == {True, False}
