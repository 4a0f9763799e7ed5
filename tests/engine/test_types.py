"""Reading.to_dict is built by hand for speed; it must say exactly what asdict says."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from calmdesk.engine import read_message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Thanks!",
        "This is the THIRD time I'm writing. Error: ERR_SYNC_TIMEOUT on 4.2.1 since Monday. "
        "We are losing sales. How do I roll back?",
        "Hola, no puedo entrar a mi cuenta desde ayer.",
    ],
)
def test_to_dict_matches_asdict(text: str) -> None:
    reading = read_message(text)
    expected = {**asdict(reading), "is_unsure": reading.is_unsure}
    assert reading.to_dict(include_text=True) == expected
    without_text = dict(expected)
    del without_text["text"]
    assert reading.to_dict() == without_text
