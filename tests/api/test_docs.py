"""docs/api.md's examples run: every curl against a live server as alice (each must
answer 2xx), and the Python receiver accepts a real signature and refuses a forged one."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from calmdesk.api.tokens import do_create_token
from calmdesk.api.webhooks import signature
from calmdesk.problems.actions import do_create_problem
from tests.desk.conftest import Desk

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)


@pytest.fixture(scope="session")
def migrated() -> None:
    """The live server's handler runs the migration guard's start-up check before a test
    may touch the database; pytest-django migrated it (as tests/browser/conftest.py)."""
    from calmdesk.ops.middleware import MigrationGuardMiddleware

    MigrationGuardMiddleware.migrated = True


def test_every_curl_example_answers(migrated, live_server, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "CALMDESK": live_server.url,
        "TOKEN": do_create_token(desk.alice, "docs", "write").raw,
        "CONVERSATION": str(desk.conversation.pk),
        "CUSTOMER": str(desk.customer.pk),
        "MAILBOX": str(desk.support.pk),
        "PROBLEM": str(
            do_create_problem(desk.bob, "Sync timeouts", conversation=desk.conversation).pk
        ),  # type: ignore[arg-type]
    }
    examples = [b for b in _blocks("sh") if not b.startswith("export ")]
    routes = set()
    for block in examples:
        script = "set -e\n" + block.replace("curl -s ", "curl -sS --fail-with-body ")
        done = subprocess.run(
            ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (block, done.stdout, done.stderr)
        routes |= set(re.findall(r"/api/v1(/[a-z-]+)", block))
    assert routes >= {
        "/me",
        "/conversations",
        "/customers",
        "/mailboxes",
        "/saved-replies",
        "/tags",
        "/analyze",
        "/check",
        "/problems",
        "/reports",
    }


def test_the_receiver_example_verifies_a_signature() -> None:
    (code,) = _blocks("python")
    scope: dict = {}
    exec(code, scope)
    body = b'{"id":1,"event":"note.added"}'
    header = signature("whsec_test", int(time.time()), body)
    assert scope["verify"]("whsec_test", header, body)
    assert not scope["verify"]("whsec_other", header, body)
    old = signature("whsec_test", int(time.time()) - 3600, body)
    assert not scope["verify"]("whsec_test", old, body)
