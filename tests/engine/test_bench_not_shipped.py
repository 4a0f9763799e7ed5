"""The bench's not-shipped sentiment heads (issue 10): a head trained in the run is read
by name and never replaces the shipped one; the flag needs the rows it must not train on."""

from __future__ import annotations

import numpy as np
import pytest

from calmdesk.engine import model, sentiment


def test_not_shipped_needs_support_only_and_a_sample() -> None:
    from calmdesk.bench.engine import run

    for argv in (["--not-shipped"], ["--not-shipped", "--support-only"]):
        with pytest.raises(SystemExit):
            run(argv)


def test_an_installed_head_is_read_by_its_name_only() -> None:
    tone = model.load_tone()
    if tone is None:
        pytest.fail("the shipped tone weights are missing")
    text = "The export finished and the file looks right."
    shipped = sentiment.read_text(text)
    w = np.zeros((len(tone.vocab), 3), dtype=np.float32)
    b = np.array([4.0, 0.0, 0.0], dtype=np.float32)  # every text reads negative
    sentiment.install_head("test_all_negative", w, b)
    assert sentiment.read_text(text, "test_all_negative").sentiment == "negative"
    assert sentiment.read_text(text).score == shipped.score
