"""The API as alice (Support), charlie (Billing), dave (a lead) and the admin use it:
every route scoped like the pages (another mailbox's is a 404 with nothing in it), the
token scopes, an API reply as a reply (coach, cool-down, collision guard), keyset pages,
the engine's JSON equal to the command line's, and the rate limit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from calmdesk.api import tokens
from calmdesk.api.models import ApiToken
from calmdesk.api.tokens import do_create_token, do_revoke_token
from calmdesk.desk.models import MessageKind
from calmdesk.engine import Thread, check_reply
from calmdesk.engine.reading import read_message
from tests.api.conftest import Api, api_for
from tests.desk.conftest import Desk, receive
from tests.empathy.conftest import Clock, clock  # noqa: F401  (the fixture)


def _routes(desk: Desk) -> list[tuple[str, str, dict | None]]:
    """Every desk route on Support's conversation and Maya, with a harmless body."""
    c, m = desk.conversation.pk, desk.customer.pk
    return [
        ("get", f"/conversations/{c}", None),
        ("get", f"/customers/{m}", None),
        ("get", f"/customers/{m}/conversations", None),
        ("post", f"/conversations/{c}/notes", {"body": "Looking"}),
        ("post", f"/conversations/{c}/assign", {"assignee": None}),
        ("post", f"/conversations/{c}/status", {"status": "active"}),
        ("post", f"/conversations/{c}/tags", {"add": ["sync"]}),
        ("post", f"/conversations/{c}/snooze", {"until": None}),
        ("patch", f"/customers/{m}", {"plan": "Pro"}),
        (
            "post",
            f"/conversations/{c}/reply",
            {
                "body": "Hi Maya, thanks for the details. We are looking at it now.",
                # Everyone writes here in turn: each says they saw it all.
                "if_unchanged_since": (timezone.now() + timedelta(hours=1)).isoformat(),
            },
        ),
    ]


def _call(api: Api, method: str, path: str, body: dict | None):  # type: ignore[no-untyped-def]
    if method == "get":
        return api.get(path)
    return api.post(path, body, method=method)


def test_every_route_for_every_persona(desk: Desk, apis: dict[str, Api]) -> None:
    for method, path, body in _routes(desk):
        refused = _call(apis["charlie"], method, path, body)
        assert refused.status_code == 404, path
        assert refused.json() == {"error": {"code": "not_found", "message": "Not found."}}
        for name in ("alice", "dave", "admin"):
            response = _call(apis[name], method, path, body)
            assert response.status_code in (200, 201), (name, path, response.content)
        anonymous = Api("").client.generic(method.upper(), f"/api/v1{path}")
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "unauthorized"
    listed = apis["charlie"].get("/conversations").json()["items"]
    assert [c["id"] for c in listed] == [desk.billing_conversation.pk]
    assert [m["slug"] for m in apis["charlie"].get("/mailboxes").json()] == ["billing"]
    assert {m["slug"] for m in apis["dave"].get("/mailboxes").json()} == {"billing", "support"}


def test_scopes(desk: Desk) -> None:
    reader, engine = api_for(desk.alice, "read"), api_for(desk.alice, "engine")
    c = desk.conversation.pk
    assert reader.get(f"/conversations/{c}").status_code == 200
    refused = reader.post(f"/conversations/{c}/notes", {"body": "x"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "scope"
    assert engine.get(f"/conversations/{c}").status_code == 403
    assert engine.get("/conversations").status_code == 403
    assert engine.get("/me").json()["mailboxes"] == []
    assert engine.post("/analyze", {"text": "Thanks, that fixed it!"}).status_code == 200
    assert engine.post("/check", {"draft": "Hi Maya"}).status_code == 200


def test_revoked_and_expired_tokens_are_refused(desk: Desk) -> None:
    made = do_create_token(desk.alice, "ci", "read")
    api = Api(made.raw)
    assert api.get("/me").status_code == 200
    assert ApiToken.objects.get(pk=made.token.pk).last_used_at is not None
    assert made.raw not in str(ApiToken.objects.values_list().get(pk=made.token.pk))
    do_revoke_token(made.token)
    assert api.get("/me").status_code == 401
    old = do_create_token(desk.alice, "old", "read", days=1, now=timezone.now() - timedelta(days=2))
    assert Api(old.raw).get("/me").status_code == 401
    assert Api("cdk_" + "x" * 43).get("/me").status_code == 401


def test_a_heated_reply_is_409_until_acknowledged_after_the_cooldown(
    desk: Desk,
    apis: dict[str, Api],
    clock: Clock,  # noqa: F811
) -> None:
    url = f"/conversations/{desk.conversation.pk}/reply"
    heated = {"body": "This is not our fault. As I already said, it works."}
    refused = apis["alice"].post(url, heated)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "heated_reply"
    assert {f["code"] for f in error["findings"]}
    assert error["cooldown_ends_at"]
    early = apis["alice"].post(url, {**heated, "acknowledge_findings": True})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "cooling_down"
    clock.advance(30)
    assert apis["alice"].post(url, heated).status_code == 409  # still needs acknowledging
    sent = apis["alice"].post(url, {**heated, "acknowledge_findings": True})
    assert sent.status_code == 201, sent.content
    reply = desk.conversation.messages.get(kind=MessageKind.REPLY)
    assert sent.json()["id"] == reply.pk
    assert reply.outbox.send_at > reply.created_at  # type: ignore[attr-defined]  # its undo window


def test_the_collision_guard(desk: Desk, apis: dict[str, Api]) -> None:
    calm = {"body": "Hi Omar, sorry about the double charge. I am refunding it now."}
    url = f"/conversations/{desk.billing_conversation.pk}/reply"
    recent = apis["charlie"].post(url, calm)
    assert recent.status_code == 409  # Omar wrote a moment ago and no time was given
    assert recent.json()["error"]["code"] == "changed_recently"
    seen = desk.billing_conversation.last_message_at
    assert (
        apis["charlie"].post(url, {**calm, "if_unchanged_since": seen.isoformat()}).status_code
        == 201
    )
    receive(desk.billing, "omar@books.example", "Any news?", conversation=desk.billing_conversation)
    stale = apis["charlie"].post(url, {**calm, "if_unchanged_since": seen.isoformat()})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert len(stale.json()["error"]["added_message_ids"]) == 1


def test_keyset_pages_and_the_filter_grammar(desk: Desk, apis: dict[str, Api]) -> None:
    for n in range(4):
        receive(desk.support, f"c{n}@shop.example", f"Question {n}", f"Subject {n}")
    api = apis["alice"]
    seen: list[int] = []
    page = api.get("/conversations", limit=2).json()
    while True:
        assert len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        page = api.get("/conversations", limit=2, cursor=page["next_cursor"]).json()
    assert len(seen) == len(set(seen)) == 5
    api.post(f"/conversations/{desk.conversation.pk}/tags", {"add": ["Checkout"]})
    tagged = api.get("/conversations", q="tag:checkout").json()
    assert [c["id"] for c in tagged["items"]] == [desk.conversation.pk]
    assert tagged["items"][0]["tags"] == ["checkout"]
    unknown = api.get("/conversations", q="tag:nope").json()
    assert unknown["problems"]
    bad = api.get("/conversations", cursor="zzz")
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid"


def test_engine_json_is_the_command_lines(desk: Desk, apis: dict[str, Api]) -> None:
    text = "This is the third time I write. My export is STILL broken and I lose orders!"
    analyzed = apis["alice"].post("/analyze", {"text": text})
    assert analyzed.json() == json.loads(json.dumps(read_message(text).to_dict()))
    draft = "As I already said, this is not our fault."
    checked = apis["alice"].post(
        "/check",
        {
            "draft": draft,
            "thread": {"customer_name": "Maya", "messages": [{"role": "customer", "text": text}]},
        },
    )
    findings = check_reply(draft, Thread(customer_name="Maya", messages=(("customer", text),)))
    assert checked.json() == json.loads(json.dumps({"findings": [f.to_dict() for f in findings]}))
    assert checked.json()["findings"]
    invalid = apis["alice"].post("/check", {"thread": {}})
    assert invalid.status_code == 422
    assert invalid.json()["error"] == {"code": "invalid", "message": "draft: Field required"}


def test_customer_attributes(desk: Desk, apis: dict[str, Api]) -> None:
    path = f"/customers/{desk.customer.pk}"
    changed = apis["alice"].patch(path, {"plan": "Scale", "monthly_revenue": "49.00"})
    assert changed.status_code == 200
    assert (changed.json()["plan"], changed.json()["monthly_revenue"]) == ("Scale", "49.00")
    refused = apis["alice"].patch(path, {"revenue_currency": "eur"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "refused"
    assert apis["alice"].get(path).json()["revenue_currency"] == "USD"


def test_the_rate_limit(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "RATE_PER_MINUTE", 3)
    api = api_for(desk.alice, "read")
    assert [api.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/me")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert api_for(desk.bob, "read").get("/me").status_code == 200  # per token


def test_merge_and_erase(desk: Desk, apis: dict[str, Api]) -> None:
    second = receive(desk.support, "maya@shop.example", "Still broken.", "Cart").conversation
    into_billing = {"into": desk.billing_conversation.pk}
    assert apis["alice"].post(f"/conversations/{second.pk}/merge", into_billing).status_code == 404
    assert (
        apis["charlie"].post(f"/conversations/{second.pk}/merge", into_billing).status_code == 404
    )
    merged = apis["alice"].post(f"/conversations/{second.pk}/merge", {"into": desk.conversation.pk})
    assert merged.status_code == 200, merged.content
    assert merged.json()["id"] == desk.conversation.pk
    assert desk.conversation.messages.count() == 2

    path = f"/customers/{desk.customer.pk}/erase"
    assert apis["charlie"].post(path).status_code == 404
    refused = apis["alice"].post(path)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    erased = apis["admin"].post(path)
    assert erased.status_code == 200
    assert erased.json()["removed_messages"] == 2
    assert apis["admin"].get(f"/customers/{desk.customer.pk}").json()["erased"] is True
