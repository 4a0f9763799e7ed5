"""The compiled engine (mypyc) reads and checks exactly as the pure-Python one does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from calmdesk import engine
from calmdesk.engine import native
from calmdesk.engine.coach import check_reply
from calmdesk.engine.reading import read_message
from calmdesk.engine.types import Thread
from tests.conftest import IN_CI, SHARED_DATA

RECEIVED = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
TEXTS = [
    "",
    "   \n\t ",
    "\x00\x01binary\xff",
    "Hi, I've been waiting since Monday and this is the third time I'm writing. "
    "The export fails with error 500 on version 4.2.1. I want a refund!!!",
    "THIS IS UNACCEPTABLE. Our clients can't log in and we lose money every hour.",
    "Thanks so much, that fixed it. I was going to cancel, glad I didn't.",
    "Steps:\n1. I cleared the cache\n2. I restarted the app\nExpected: the report. "
    "Actual: it says 'Access denied'. See https://example.com/x?id=3",
    "¿Por qué no funciona mi cuenta? Necesito ayuda urgente.",
    "How do I export as CSV? And where is the button? Why is it greyed out?",
    "Great, just great. Thanks for nothing.",
    "Adan here. My order #4471 for $129.99 still hasn't arrived, two days ago you said "
    "tomorrow. Please escalate this to a manager.",
    "I'm lost, what does 'sync token' mean? It makes no sense 😡",
    "word " * 3000,
]
DRAFTS = [
    "Hi Adam, as I already said, this is not our fault. You must have deleted the file.",
    "Hi Adan, I'm sorry the export has let you down. I reproduced it on 4.2.1: here is "
    "a fix we tested.",
    "OBVIOUSLY you didn't read the docs!!!",
]


def _corpus() -> list[str]:
    texts = list(TEXTS)
    test = SHARED_DATA / "goemotions" / "test.tsv"
    if test.exists():  # a few hundred real comments, when the shared data is beside us
        with test.open(encoding="utf-8") as f:
            texts += [line.split("\t")[0] for n, line in enumerate(f) if n % 20 == 0]
    return texts


def _results(texts: list[str]) -> dict[str, list[object]]:
    thread = Thread(customer_name="Adan", messages=(("customer", TEXTS[3]),))
    return {
        "readings": [read_message(t, received_at=RECEIVED).to_dict() for t in texts],
        "findings": [[f.to_dict() for f in check_reply(d, thread)] for d in DRAFTS],
    }


def test_the_build_is_compiled_in_ci() -> None:
    """CI machines have a compiler, so CI reads with the compiled engine (and the test
    below compares it with the pure one); a user's machine without one runs pure."""
    assert engine.BUILD in {"compiled", "pure", "absent", "stale"}
    if IN_CI:
        assert engine.BUILD == "compiled", native.compiler_missing() or engine.BUILD


@pytest.mark.slow  # a subprocess
def test_compiled_and_pure_engine_agree() -> None:
    if engine.BUILD != "compiled":
        pytest.skip(f"the engine is not compiled here ({engine.BUILD}): `make venv` builds it")
    texts = _corpus()
    script = (
        "import json, sys\n"
        "from tests.engine.test_native import _results\n"
        "from calmdesk import engine\n"
        "assert engine.BUILD == 'pure', engine.BUILD\n"
        "json.dump(_results(json.load(sys.stdin)), sys.stdout)\n"
    )
    env = {**os.environ, native.PURE_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=str(native.ENGINE_DIR.parent.parent),
    )
    pure = json.loads(out.stdout)
    compiled = json.loads(json.dumps(_results(texts)))
    assert len(compiled["readings"]) == len(texts)
    for text, a, b in zip(texts, compiled["readings"], pure["readings"], strict=True):
        assert a == b, text[:80]
    assert compiled["findings"] == pure["findings"]


@pytest.mark.parametrize(
    "x",
    [0.0, 1.0, 0.5, 0.00005, 0.00015, 0.12345, 0.99995, 0.3333333333, 2 / 3, 1e-12, 123.45675],
)
def test_round4_is_round(x: float) -> None:
    from calmdesk.engine.reading import round4

    assert round4(x) == round(x, 4)
    assert round4(-x) == round(-x, 4)


def test_round4_is_round_on_many_values() -> None:
    import random

    from calmdesk.engine.reading import round4

    rng = random.Random(4)
    values = [rng.random() for _ in range(50_000)] + [k / 20_000 for k in range(20_001)]
    assert [round4(x) for x in values] == [round(x, 4) for x in values]


@pytest.mark.parametrize("value", [None, 12, 3.5, ["a list"]])
def test_anything_but_text_is_a_type_error(value: object) -> None:
    """Compiled, the annotations are enforced; pure, the functions check the same."""
    from calmdesk.engine import strip_quotes_and_signature

    with pytest.raises(TypeError):
        read_message(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        strip_quotes_and_signature(value)  # type: ignore[arg-type]


def test_bytes_are_read_as_utf8() -> None:
    raw = "Still waiting since Monday, señor. I want a refund!".encode()
    assert read_message(raw) == read_message(raw.decode())
    broken = read_message(b"\xff\xfe refund now \x80")
    assert broken.text == "\ufffd\ufffd refund now \ufffd"


@pytest.mark.parametrize("value", [None, 12, b"bytes draft"])
def test_a_draft_that_is_not_text_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        check_reply(value, Thread())  # type: ignore[arg-type]
