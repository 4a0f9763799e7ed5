"""The routes added for outbound conversations, problems and the reports' figures, as
alice (agent of Support), bob (her teammate), dave (a lead) and charlie (an agent of
Billing, the outsider) use them: each scoped like its page, another mailbox's a 404,
every write through its action."""

from __future__ import annotations

from django.utils import timezone

from calmdesk.desk.models import Conversation, EventKind, MessageKind
from calmdesk.mail.models import Outbox
from calmdesk.problems.actions import do_create_problem, do_link_problem
from calmdesk.problems.models import Problem, ProblemLink
from calmdesk.team.rollups import rebuild_all
from tests.api.conftest import Api, api_for
from tests.api.test_openapi import _conforms, _served, _template
from tests.api.test_routes import _call
from tests.desk.conftest import Desk
from tests.empathy.conftest import Clock, clock  # noqa: F401  (the fixture)

CALM = "Hi Lena, we moved your account to the new plan today. Tell me if anything looks off."


def _new(api: Api, mailbox_id: int, **extra: object):  # type: ignore[no-untyped-def]
    body = {"mailbox_id": mailbox_id, "to": "lena@north.example", "subject": "Your plan"}
    return api.post("/conversations", {**body, "body": CALM, **extra})


def test_an_agent_starts_a_conversation_in_their_mailbox_only(
    desk: Desk, apis: dict[str, Api]
) -> None:
    assert _new(apis["charlie"], desk.support.pk).status_code == 404
    assert _new(api_for(desk.alice, "read"), desk.support.pk).status_code == 403
    started = _new(apis["alice"], desk.support.pk, cc=["ops@north.example"])
    assert started.status_code == 201, started.content
    conversation, message = started.json()["conversation"], started.json()["message"]
    assert (conversation["mailbox_id"], conversation["assignee"]) == (desk.support.pk, "alice")
    assert message["kind"] == MessageKind.REPLY
    assert message["send_at"] > message["created_at"]  # waits the undo window
    outbox = Outbox.objects.get(message_id=message["id"])
    assert outbox.recipient == "lena@north.example"
    # The teammate sees it, the outsider does not; the lead may write from any mailbox.
    assert apis["bob"].get(f"/conversations/{conversation['id']}").status_code == 200
    assert apis["charlie"].get(f"/conversations/{conversation['id']}").status_code == 404
    assert _new(apis["dave"], desk.billing.pk).status_code == 201
    refused = _new(apis["alice"], desk.support.pk, to="not an address")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "refused"


def test_a_heated_first_message_waits_its_cooldown(
    desk: Desk,
    apis: dict[str, Api],
    clock: Clock,  # noqa: F811
) -> None:
    heated = "This is not our fault. As I already said, it works."
    refused = _new(apis["alice"], desk.support.pk, body=heated)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "heated_reply"
    assert refused.json()["error"]["findings"]
    early = _new(apis["alice"], desk.support.pk, body=heated, acknowledge_findings=True)
    assert early.json()["error"]["code"] == "cooling_down"
    assert not Conversation.objects.filter(subject="Your plan").exists()
    clock.advance(30)
    sent = _new(apis["alice"], desk.support.pk, body=heated, acknowledge_findings=True)
    assert sent.status_code == 201, sent.content


def _support_problem(desk: Desk) -> Problem:
    return do_create_problem(
        desk.alice,  # type: ignore[arg-type]
        "Checkout sync times out",
        conversation=desk.conversation,
    )


def test_problems_are_scoped_and_counted_as_on_their_pages(
    desk: Desk, apis: dict[str, Api]
) -> None:
    support = _support_problem(desk)
    billing = do_create_problem(
        desk.charlie, "Charged twice", conversation=desk.billing_conversation
    )  # type: ignore[arg-type]
    listed = apis["alice"].get("/problems").json()
    assert [p["id"] for p in listed] == [support.pk]
    assert (listed[0]["customers"], listed[0]["conversations"]) == (1, 1)
    assert {p["id"] for p in apis["dave"].get("/problems").json()} == {support.pk, billing.pk}
    assert apis["charlie"].get(f"/problems/{support.pk}").status_code == 404
    assert (
        apis["charlie"].post(f"/problems/{support.pk}/status", {"status": "fixed"}).status_code
        == 404
    )
    read = apis["bob"].get(f"/problems/{support.pk}").json()
    assert read["conversation_ids"] == [desk.conversation.pk]
    assert [a["customer_id"] for a in read["affected"]] == [desk.customer.pk]
    # A lead sees Billing's problem, but counts only what lies in the mailboxes it names.
    do_link_problem(billing, desk.conversation, desk.dave)  # type: ignore[arg-type]
    assert apis["alice"].get(f"/problems/{billing.pk}").json()["conversation_ids"] == [
        desk.conversation.pk
    ]


def test_problem_changes_go_through_the_actions(desk: Desk, apis: dict[str, Api]) -> None:
    made = apis["alice"].post(
        "/problems", {"title": "Export drops rows", "conversation_id": desk.conversation.pk}
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["customers"] == 1
    assert (
        apis["charlie"]
        .post("/problems", {"title": "x", "conversation_id": desk.conversation.pk})
        .status_code
        == 404
    )
    assert api_for(desk.alice, "read").post("/problems", {"title": "x"}).status_code == 403
    changed = apis["bob"].patch(f"/problems/{pk}", {"owner": "alice", "kind": "docs"})
    assert (changed.json()["owner"], changed.json()["kind"]) == ("alice", "docs")
    assert changed.json()["title"] == "Export drops rows"
    assert apis["bob"].patch(f"/problems/{pk}", {"owner": "nobody-here"}).status_code == 400
    fixed = apis["alice"].post(f"/problems/{pk}/status", {"status": "fixed"})
    assert fixed.json()["status"] == "fixed" and fixed.json()["fixed_at"]
    told = desk.conversation.events.filter(kind=EventKind.PROBLEM_STATUS)
    assert told.count() == 1


def test_linking_a_conversation_to_a_problem(desk: Desk, apis: dict[str, Api]) -> None:
    problem = do_create_problem(desk.alice, "Slow inbox")  # type: ignore[arg-type]
    path = f"/conversations/{desk.conversation.pk}/problems"
    assert apis["charlie"].post(path, {"problem_id": problem.pk}).status_code == 404
    linked = apis["alice"].post(path, {"problem_id": problem.pk})
    assert [p["id"] for p in linked.json()] == [problem.pk]
    assert apis["alice"].post(path, {"problem_id": problem.pk}).status_code == 200  # once
    assert ProblemLink.objects.filter(problem=problem).count() == 1
    assert [p["id"] for p in apis["bob"].get(path).json()] == [problem.pk]
    assert apis["charlie"].get(path).status_code == 404
    gone = apis["bob"].post(f"{path}/{problem.pk}", method="delete")
    assert gone.status_code == 200 and gone.json() == []
    assert apis["alice"].post(path, {"problem_id": 10**9}).status_code == 404


def test_the_product_report_ranks_by_customers(desk: Desk, apis: dict[str, Api]) -> None:
    small = _support_problem(desk)
    big = do_create_problem(desk.dave, "Invoices late", conversation=desk.conversation)  # type: ignore[arg-type]
    do_link_problem(big, desk.billing_conversation, desk.dave)  # type: ignore[arg-type]
    do_create_problem(desk.dave, "Nobody has it yet")  # type: ignore[arg-type]
    lead = apis["dave"].get("/reports/problems").json()["items"]
    assert [(p["id"], p["customers"]) for p in lead] == [(big.pk, 2), (small.pk, 1)]
    # alice counts only Support's conversation: one customer each.
    mine = apis["alice"].get("/reports/problems", days=30).json()
    assert {(p["id"], p["customers"]) for p in mine["items"]} == {(big.pk, 1), (small.pk, 1)}
    assert apis["alice"].get("/reports/problems", days=12).status_code == 422


def test_report_figures_are_the_askers(desk: Desk, apis: dict[str, Api]) -> None:
    rebuild_all(timezone.now())
    team = apis["dave"].get("/reports", days=7).json()
    assert team["agent_id"] is None
    assert set(team["mailbox_ids"]) == {desk.support.pk, desk.billing.pk}
    assert team["total"]["new"] == 2
    assert len(team["periods"]) == 7
    support = apis["dave"].get("/reports", mailbox=desk.support.pk).json()
    assert support["total"]["new"] == 1
    # An agent's figures are their own, and of their mailboxes.
    own = apis["alice"].get("/reports").json()
    assert (own["agent_id"], own["mailbox_ids"]) == (desk.alice.pk, [desk.support.pk])  # type: ignore[attr-defined]
    assert apis["alice"].get("/reports", agent=desk.bob.pk).status_code == 403  # type: ignore[attr-defined]
    assert apis["charlie"].get("/reports", mailbox=desk.support.pk).status_code == 404
    assert apis["alice"].get("/reports", days=8).status_code == 422
    assert apis["dave"].get("/reports", days=30, grain="week").json()["grain"] == "week"


def _walk(desk: Desk, problem: Problem) -> list[tuple[str, str, dict | None]]:
    """Every new route on Support's data, with a harmless body; the unlink goes last
    (a problem linked nowhere is everyone's to see)."""
    c, p = desk.conversation.pk, problem.pk
    first = {"mailbox_id": desk.support.pk, "to": "lena@north.example", "subject": "Plan"}
    return [
        ("post", "/conversations", {**first, "body": CALM}),
        ("get", f"/problems/{p}", None),
        ("patch", f"/problems/{p}", {"description": "Seen on 4.2.1"}),
        ("post", f"/problems/{p}/status", {"status": "planned"}),
        ("get", f"/conversations/{c}/problems", None),
        ("post", f"/conversations/{c}/problems", {"problem_id": p}),
        ("get", f"/reports?mailbox={desk.support.pk}", None),
        ("delete", f"/conversations/{c}/problems/{p}", None),
    ]


def test_every_new_route_for_every_persona(desk: Desk, apis: dict[str, Api]) -> None:
    root = _served()
    for method, path, body in _walk(desk, _support_problem(desk)):
        refused = _call(apis["charlie"], method, path, body)
        assert refused.status_code == 404, (path, refused.content)
        assert refused.json() == {"error": {"code": "not_found", "message": "Not found."}}
        _conforms(root, method, _template(path), refused)
        for name in ("alice", "bob", "dave", "admin"):
            response = _call(apis[name], method, path, body)
            assert response.status_code in (200, 201), (name, path, response.content)
            _conforms(root, method, _template(path), response)
        anonymous = Api("").client.generic(method.upper(), f"/api/v1{path}")
        assert anonymous.status_code == 401
    lists = ["/problems", "/reports/problems", "/reports?grain=week"]
    for path in lists:
        for name in ("alice", "charlie", "dave"):
            _conforms(root, "get", _template(path), apis[name].get(path))
    heated = {"mailbox_id": desk.support.pk, "to": "a@b.example", "subject": "x"}
    refused = apis["bob"].post("/conversations", {**heated, "body": "This is not our fault."})
    _conforms(root, "post", "/api/v1/conversations", refused)
    invalid = apis["bob"].post("/problems", {"title": ""})
    assert invalid.status_code == 422
    _conforms(root, "post", "/api/v1/problems", invalid)
