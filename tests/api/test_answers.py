"""Answer all through the API, as the problem's page does it: alice drafts the batch for
a fixed problem (each reply filled in and coached, nothing sent), bob (her teammate) and
charlie (Billing) cannot see her batch, sending hands it to the worker (skips kept), and
undo withdraws what still waits."""

from __future__ import annotations

from calmdesk.problems.actions import do_create_problem, do_link_problem, do_set_problem_status
from calmdesk.problems.models import Problem
from tests.api.conftest import Api, api_for
from tests.api.test_openapi import _conforms, _served
from tests.desk.conftest import Desk, receive

TEMPLATE = (
    "Hi {customer.first_name},\n\nThe checkout sync is fixed. Thank you for waiting.\n\n"
    "{agent.name}"
)


def _fixed(desk: Desk) -> tuple[Problem, int]:
    problem = do_create_problem(desk.alice, "Checkout sync", conversation=desk.conversation)  # type: ignore[arg-type]
    other = receive(desk.support, "ines@cafe.example", "Sync broken here too", "Sync", name="Ines")
    do_link_problem(problem, other.conversation, desk.alice)  # type: ignore[arg-type]
    return problem, other.conversation_id


def test_answer_all_drafts_then_queues_then_undoes(desk: Desk, apis: dict[str, Api]) -> None:
    problem, second = _fixed(desk)
    path = f"/problems/{problem.pk}/answers"
    early = apis["alice"].post(path, {"template": TEMPLATE})
    assert early.status_code == 400  # not fixed yet
    do_set_problem_status(problem, desk.alice, "fixed")  # type: ignore[arg-type]
    assert apis["charlie"].post(path, {"template": TEMPLATE}).status_code == 404
    assert api_for(desk.alice, "read").post(path, {"template": TEMPLATE}).status_code == 403
    drafted = apis["alice"].post(path, {"template": TEMPLATE})
    assert drafted.status_code == 201, drafted.content
    batch = drafted.json()
    assert batch["state"] == "drafted"
    bodies = {i["conversation_id"]: i["body"] for i in batch["items"]}
    assert set(bodies) == {desk.conversation.pk, second}
    assert bodies[desk.conversation.pk].startswith("Hi Maya,")
    assert all(i["state"] == "pending" and i["reply_id"] is None for i in batch["items"])
    root = _served()
    _conforms(root, "post", "/api/v1/problems/{pk}/answers", drafted)

    one = f"{path}/{batch['id']}"
    assert apis["bob"].get(one).status_code == 404  # a batch is its author's
    assert apis["charlie"].get(one).status_code == 404
    _conforms(root, "get", "/api/v1/problems/{pk}/answers/{batch_pk}", apis["alice"].get(one))
    sent = apis["alice"].post(f"{one}/send", {"skip": [second]})
    assert sent.status_code == 200
    assert sent.json()["state"] == "sending"
    assert (sent.json()["progress"]["pending"], sent.json()["progress"]["skipped"]) == (1, 1)
    assert apis["bob"].post(f"{one}/send", {}).status_code == 404
    undone = apis["alice"].post(f"{one}/undo")
    assert undone.status_code == 200
    assert undone.json()["progress"]["pending"] == 0
    assert not desk.conversation.messages.filter(kind="reply").exists()  # nothing left
