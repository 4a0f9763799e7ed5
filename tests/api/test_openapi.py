"""The schema served at /api/v1/openapi.json is the one committed as docs/openapi.json
(after changing the API: ``CALMDESK_WRITE_OPENAPI=1 pytest tests/api/test_openapi.py``
writes it), the docs page is served, and the API's answers match the schema: a
hand-written check of the JSON-Schema subset ninja writes, over every route's success
and error answers (tests/api/test_schemathesis.py has schemathesis check generated ones)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from django.test import Client

from tests.api.conftest import Api
from tests.api.test_routes import _call, _routes
from tests.desk.conftest import Desk

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def _served() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_committed_schema_is_the_served_one(db) -> None:  # type: ignore[no-untyped-def]
    served = _served()
    if os.environ.get("CALMDESK_WRITE_OPENAPI") == "1":
        COMMITTED.write_text(
            json.dumps(served, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    assert json.loads(COMMITTED.read_text()) == served, (
        "docs/openapi.json is out of date: rewrite it with CALMDESK_WRITE_OPENAPI=1 (above)"
    )
    assert set(served["webhooks"]) >= {"reply.sent", "conversation.created"}
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


# -- a small validator for the subset of JSON Schema the generated schema uses ----------


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = root["components"]["schemas"][name]
    return schema


def problems(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        options = [problems(value, option, root, at) for option in schema["anyOf"]]
        return [] if any(not p for p in options) else [f"{at}: matches no anyOf"]
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None and not checks[kind](value):
        return [f"{at}: {value!r} is not {kind}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} not in {schema['enum']}")
    if kind == "string" and schema.get("format") == "date-time":
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$", value):
            found.append(f"{at}: {value!r} is not an ISO 8601 UTC time")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "object":
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{at}: {name} missing")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found += problems(value[name], sub, root, f"{at}.{name}")
    if kind == "array" and "items" in schema:
        for n, item in enumerate(value):
            found += problems(item, schema["items"], root, f"{at}[{n}]")
    return found


def _conforms(root: dict[str, Any], method: str, template: str, response) -> None:  # type: ignore[no-untyped-def]
    operation = root["paths"][template][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {template}: {response.status_code} is not documented"
    schema = documented["content"]["application/json"]["schema"]
    assert problems(response.json(), schema, root) == [], (method, template)


def _template(path: str) -> str:
    path = path.split("?", 1)[0]
    path = re.sub(r"/problems/\d+", "/problems/{problem_pk}", path)
    path = re.sub(r"^/problems/\{problem_pk\}", "/problems/{pk}", path)
    path = re.sub(r"/conversations/\d+", "/conversations/{pk}", path)
    return "/api/v1" + re.sub(r"/customers/\d+", "/customers/{pk}", path)


def test_every_answer_matches_the_schema(desk: Desk, apis: dict[str, Api]) -> None:
    root = _served()
    calls = [
        *_routes(desk),
        ("get", "/me", None),
        ("get", "/conversations", None),
        ("get", "/mailboxes", None),
        ("get", "/saved-replies", None),
        ("get", "/tags", None),
        ("post", "/analyze", {"text": "I was charged twice and nobody answers!"}),
        ("post", "/check", {"draft": "As I said, it is not our fault."}),
        ("post", "/check", {"draft": 5}),  # 422
        ("post", f"/conversations/{desk.conversation.pk}/status", {"status": "gone"}),  # 422
        (
            "post",
            f"/conversations/{desk.conversation.pk}/snooze",
            {"until": "2000-01-01T00:00:00Z"},
        ),  # 400
    ]
    for method, path, body in calls:
        for who in ("alice", "charlie"):
            _conforms(root, method, _template(path), _call(apis[who], method, path, body))
    _conforms(root, "get", "/api/v1/me", Api("").get("/me"))  # 401
    heated = {"body": "This is not our fault. As I already said, it works."}
    refused = apis["bob"].post(f"/conversations/{desk.conversation.pk}/reply", heated)
    assert refused.status_code == 409
    _conforms(root, "post", "/api/v1/conversations/{pk}/reply", refused)
