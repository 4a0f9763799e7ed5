"""The API's errors and its bearer-token authentication.

Every error is ``{"error": {"code": "…", "message": "…"}}`` with one of ``CODES``; the
codes are stable (integrations branch on them), the messages are for people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from calmdesk.api.models import ApiToken, Scope
from calmdesk.api.tokens import count_request, live_token

CODES = {
    "invalid": "The request is not valid: a field is missing or wrong.",
    "unauthorized": "No valid token: send Authorization: Bearer <token>.",
    "scope": "This token's scope does not allow this.",
    "forbidden": "Your role does not allow this.",
    "not_found": "Not found.",
    "refused": "The desk refused the change.",
    "heated_reply": "The draft reads heated: re-read the findings.",
    "cooling_down": "The cool-down after a heated draft has not ended.",
    "conflict": "The conversation changed since the time given.",
    "changed_recently": "The conversation changed in the last minute.",
    "rate_limited": "Too many requests for this token.",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        assert code in CODES, code
        super().__init__(message or CODES[code])
        self.status = status
        self.code = code
        self.message = message or CODES[code]
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


class TokenAuth(HttpBearer):
    """A live token of one of ``scopes``; counts the request against its rate limit. The
    token's owner becomes ``request.user``, so every read goes through desk.access as
    the pages' do."""

    def __init__(self, *scopes: str) -> None:
        super().__init__()
        self.scopes = frozenset(scopes)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = live_token(token)
        if found is None:
            return None
        wait = count_request(found)
        if wait:
            raise ApiError(429, "rate_limited", headers={"Retry-After": str(wait)})
        if found.scope not in self.scopes:
            raise ApiError(403, "scope")
        request.user = found.owner
        return found


# Reading desk data, changing it, and the engine alone (any token may call the engine).
READ = TokenAuth(Scope.READ, Scope.WRITE)
WRITE = TokenAuth(Scope.WRITE)
ENGINE = TokenAuth(Scope.READ, Scope.WRITE, Scope.ENGINE)
