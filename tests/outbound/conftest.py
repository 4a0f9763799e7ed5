from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.outbound.fakeserver import FakeServer


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """A scripted HTTP server on a loopback port (see fakeserver.py)."""
    with FakeServer() as server:
        yield server
