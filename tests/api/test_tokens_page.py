"""Settings → API tokens: alice makes a token and sees it once; only its digest is kept;
she revokes it; bob cannot revoke hers, the admin can."""

from __future__ import annotations

import re

from django.urls import reverse

from calmdesk.api.models import ApiToken
from calmdesk.api.tokens import digest_of
from tests.api.conftest import Api
from tests.desk.conftest import Desk


def test_a_token_is_shown_once_and_revoked(desk: Desk) -> None:
    alice = desk.client_for(desk.alice)
    page = alice.post(reverse("api_tokens"), {"name": "Zapier", "scope": "write", "days": 30})
    assert page.status_code == 200
    raw = re.search(r'<code class="api-token">(cdk_[^<]+)</code>', page.content.decode())
    assert raw is not None
    token = ApiToken.objects.get(owner=desk.alice)
    assert token.digest == digest_of(raw[1]) and raw[1] not in token.prefix
    assert (token.name, token.scope) == ("Zapier", "write")
    assert Api(raw[1]).get("/me").json()["username"] == "alice"
    again = alice.get(reverse("api_tokens")).content.decode()
    assert raw[1] not in again and "Zapier" in again and token.prefix in again
    assert "API tokens" in alice.get(reverse("preferences")).content.decode()

    revoke = reverse("api_token_revoke", args=[token.pk])
    assert desk.client_for(desk.bob).post(revoke).status_code == 404
    assert "Zapier" in desk.client_for(desk.admin).get(reverse("api_tokens")).content.decode()
    assert alice.post(revoke).status_code == 302
    assert Api(raw[1]).get("/me").status_code == 401
