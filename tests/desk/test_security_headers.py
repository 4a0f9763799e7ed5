"""Every response carries the security headers: a CSP with no inline or evaluated script,
a Permissions-Policy, X-Frame-Options DENY, a Referrer-Policy and nosniff. The browser
tests (tests/browser/test_phone_width.py) check that the desk's pages run under the CSP
without a single violation."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import Desk


def _directives(header: str) -> dict[str, list[str]]:
    pairs = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in pairs}


@pytest.mark.parametrize("path", ["/login/", "/", "/c/0/", "/no-such-page/"])
def test_every_response_carries_the_headers(client: Client, db, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_signed_in_page_carries_them_too(desk: Desk) -> None:
    response = desk.client_for(desk.alice).get(f"/c/{desk.conversation.pk}/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
