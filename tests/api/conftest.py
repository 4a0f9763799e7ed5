"""The API tests' desk (tests/desk/conftest.py's people and conversations) and a token
for each of them."""

from __future__ import annotations

import pytest
from django.test import Client

from calmdesk.api.tokens import do_create_token
from tests.desk.conftest import Desk, desk  # noqa: F401  (the fixture)


class Api:
    """A test client that sends a token."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"}

    def get(self, path: str, **params):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path: str, body: object = None, method: str = "post"):  # type: ignore[no-untyped-def]
        send = getattr(self.client, method)
        return send(
            f"/api/v1{path}", body or {}, content_type="application/json", **self._headers()
        )

    def patch(self, path: str, body: object):  # type: ignore[no-untyped-def]
        return self.post(path, body, method="patch")


def api_for(user, scope: str = "write") -> Api:  # type: ignore[no-untyped-def]
    return Api(do_create_token(user, f"{user.username} {scope}", scope).raw)


@pytest.fixture
def apis(desk: Desk) -> dict[str, Api]:  # noqa: F811
    return {
        name: api_for(getattr(desk, name)) for name in ("alice", "bob", "charlie", "dave", "admin")
    }
