"""The empathy tests meet the same people as the desk tests (tests/desk/conftest.py),
and a clock that only moves when a test says so."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.desk.conftest import Desk, desk, make_agent, receive  # noqa: F401


@dataclass
class Clock:
    now: float = 1_767_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """The cool-down's clock, stopped: however slow the requests, no time passes."""
    stopped = Clock()
    monkeypatch.setattr("calmdesk.empathy.coach.clock", stopped)
    yield stopped
