from __future__ import annotations

from collections.abc import Iterator

import pytest

from calmdesk.jobs import registry


@pytest.fixture(autouse=True)
def only_the_tests_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The jobs the apps register (system mail…) are left out: these tests count runs of
    their own jobs only."""
    monkeypatch.setattr(registry, "_JOBS", {})
    yield
