"""schemathesis against the schema the app serves: for every operation of
/api/v1/openapi.json, requests generated from it (valid ones and ones that break it, on
ids that exist and ids that do not) are sent to the running app with alice's write token
(the engine's two routes with an engine-only token). No answer may be a 5xx, and every
answer must be one the schema documents: its status code, content type and body.

Bounded and deterministic: EXAMPLES requests per operation, derandomized, so every run
sends the same ones. The writes go through the real actions; replies wait in the outbox
(no worker runs here), so no mail leaves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from calmdesk.api import tokens
from calmdesk.api.app import NOT_AN_OBJECT
from calmdesk.api.tokens import do_create_token
from calmdesk.ops.middleware import MigrationGuardMiddleware
from calmdesk.problems.actions import do_create_problem, do_link_problem, do_set_problem_status
from calmdesk.problems.answer import do_draft_answers
from tests.desk.conftest import Desk, receive

EXAMPLES = 16
SERVED = "/api/v1/openapi.json"
ENGINE_PATHS = {"/api/v1/analyze", "/api/v1/check"}
# Only to name one test per operation when collecting: the app itself needs the test
# database, there at run time only. The committed schema is the served one
# (tests/api/test_openapi.py), and the test below checks none is left out.
COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
OPERATIONS = [
    (method, path)
    for path, methods in sorted(json.loads(COMMITTED.read_text())["paths"].items())
    for method in sorted(methods)
]


# Left out of generation on purpose, each refused or ignored by design and tested apart:
# a NUL in text (refused with a 422, tests/api/test_fuzz.py) and query parameters the
# operation does not name (ignored, as web APIs do). A schema-valid request may still be
# refused by a rule of the desk the schema cannot state (a username nobody has, a problem
# not yet fixed): 400 "refused"; any other refusal of valid data fails.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"allow-x00": False, "allow-extra-parameters": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2XX", "400", "401", "403", "404", "409", "429"]
            }
        },
    }
)


@dataclass
class World:
    """What the generated ids may land on, and the tokens that ask."""

    ids: dict[str, int]
    desk_token: str
    engine_token: str


@pytest.fixture
def world(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(tokens, "RATE_PER_MINUTE", 10**6)
    problem = do_create_problem(desk.alice, "Checkout sync", conversation=desk.conversation)  # type: ignore[arg-type]
    other = receive(desk.support, "ines@cafe.example", "Sync broken here too", "Sync", name="Ines")
    do_link_problem(problem, other.conversation, desk.alice)  # type: ignore[arg-type]
    do_set_problem_status(problem, desk.alice, "fixed")  # type: ignore[arg-type]
    batch = do_draft_answers(
        problem,
        desk.alice,  # type: ignore[arg-type]
        "Hi {customer.first_name}, it is fixed.",
        mailbox_ids=[desk.support.pk],
    )
    return World(
        ids={
            "conversations": desk.conversation.pk,
            "customers": desk.customer.pk,
            "problems": problem.pk,
            "problem_pk": problem.pk,
            "batch_pk": batch.pk,
        },
        desk_token=do_create_token(desk.alice, "fuzz", "write").raw,
        engine_token=do_create_token(desk.alice, "fuzz engine", "engine").raw,
    )


@pytest.fixture
def served(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[schemathesis.BaseSchema]:  # type: ignore[no-untyped-def]
    """The schema as the app serves it, bound to that app: generated requests go to it."""
    # pytest-django migrated the test database (the guard's start-up check would read the
    # migration files, which may be changing under a developer's hands, as docs' test says).
    monkeypatch.setattr(MigrationGuardMiddleware, "migrated", True)
    # As Django's test client does: the end of a request must not close the connection
    # that holds the test's transaction (on PostgreSQL it would).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SERVED, WSGIHandler(), config=CONFIG)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _real_ids(path: str, ids: dict[str, int]) -> dict[str, int]:
    """The path's parameters on objects that exist: {pk} is of the path's first resource."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return {name: ids[path.split("/")[3] if name == "pk" else name] for name in names}


def _cases(
    operation: schemathesis.APIOperation, path: str, ids: dict[str, int]
) -> st.SearchStrategy:
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(mode) for mode in modes]
    real = _real_ids(path, ids)
    if real:
        strategies += [operation.as_strategy(mode, path_parameters=real) for mode in modes]
    return st.one_of(strategies)


def test_every_served_operation_is_fuzzed(served: schemathesis.BaseSchema) -> None:
    served_operations = sorted(
        (method, path) for path, methods in served.raw_schema["paths"].items() for method in methods
    )
    assert served_operations == sorted(OPERATIONS)


@pytest.mark.slow  # about 30 CPU-seconds for them all (make test-fast leaves them out)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_get_documented_answers(
    method: str, path: str, served: schemathesis.BaseSchema, world: World
) -> None:
    operation = served[path][method]
    token = world.engine_token if path in ENGINE_PATHS else world.desk_token

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, path, world.ids))
    def answered(case: schemathesis.Case) -> None:
        # A cursor is opaque: one that does not decode is refused (422), which its
        # schema, a string, cannot say.
        opaque = [positive_data_acceptance] if "cursor" in (case.query or {}) else []
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=opaque)

    answered()


def _post(path: str, body: str, token: str):  # type: ignore[no-untyped-def]
    return Client().post(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_body_that_is_not_an_object_is_refused(world: World) -> None:
    """schemathesis found `true` taken as an empty set of tag changes (a 200)."""
    path = f"/api/v1/conversations/{world.ids['conversations']}/tags"
    for body in ("true", "[]", "5", '"tags"', "null"):
        refused = _post(path, body, world.desk_token)
        assert refused.status_code == 422, body
        assert refused.json() == {"error": {"code": "invalid", "message": NOT_AN_OBJECT}}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/check", {"draft": "Hi", "thread": None}),  # was read as an empty thread
        ("/api/v1/problems", {"title": "Sync", "conversation_id": True}),  # as conversation 1
        ("/api/v1/problems/{problems}/answers/{batch_pk}/send", {"skip": [2**64]}),  # a 500
        ("/api/v1/problems/{problems}/answers/{batch_pk}/send", {"skip": ["5"]}),
        ("/api/v1/conversations/{conversations}/merge", {"into": 0}),
    ],
)
def test_what_schemathesis_found_is_refused_as_invalid(path: str, body: dict, world: World) -> None:
    token = world.engine_token if path in ENGINE_PATHS else world.desk_token
    refused = _post(path.format(**world.ids), json.dumps(body), token)
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "invalid"
