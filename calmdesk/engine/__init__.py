"""calmdesk's empathy engine: pure Python + numpy, no Django.

- ``read_message(text)`` → ``Reading``: tone, intensity and the spans carrying them,
  sentences (emotional / informational), facts, stakes and a priority, language.
- ``check_reply(draft, thread)`` → ``list[Finding]``: the reply coach (rules in ``RULES``).
- ``strip_quotes_and_signature(text)`` → ``Stripped``: email text ready to read, with a
  map back to the original.

Deterministic: the same text and engine version give the same result. Compiled by mypyc
when the machine allows it (``native.py``); the readings are the same either way."""

from calmdesk.engine import native

BUILD = native.activate(__path__)  # before any other engine module is imported

# ruff: noqa: E402 (the imports below must come after the build is chosen)
from calmdesk.engine.coach import check_reply
from calmdesk.engine.reading import read_message
from calmdesk.engine.rules import RULES, Rule
from calmdesk.engine.strip import strip_quotes_and_signature
from calmdesk.engine.tones import TONES
from calmdesk.engine.types import (
    Fact,
    Finding,
    Reading,
    Sentence,
    Stake,
    Stripped,
    Thread,
    ToneSpan,
)
from calmdesk.engine.version import ENGINE_VERSION

__all__ = [
    "BUILD",
    "ENGINE_VERSION",
    "RULES",
    "TONES",
    "Fact",
    "Finding",
    "Reading",
    "Rule",
    "Sentence",
    "Stake",
    "Stripped",
    "Thread",
    "ToneSpan",
    "check_reply",
    "read_message",
    "strip_quotes_and_signature",
]
