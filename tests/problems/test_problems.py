"""Problems: linking from a conversation (events in the thread), the suggestion, the
problem page counting distinct customers in the agent's mailboxes, the report and its
exports, and answer all (drafts coached, sent once, undone whole or one)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from calmdesk.desk.models import Event, EventKind, Message, MessageKind
from calmdesk.mail.models import Outbox
from calmdesk.problems.actions import (
    do_create_problem,
    do_link_problem,
    do_set_problem_status,
    do_unlink_problem,
)
from calmdesk.problems.answer import (
    do_draft_answers,
    do_send_answers,
    do_undo_answer,
    do_undo_answers,
)
from calmdesk.problems.models import AnswerItem, ItemState, ProblemLink, ProblemStatus
from calmdesk.problems.suggest import forget_index, suggestions_for
from calmdesk.problems.views.report import neutralise

from .conftest import receive


@pytest.fixture(autouse=True)
def _cold_index():
    forget_index()
    yield
    forget_index()


def test_linking_and_unlinking_are_events_in_the_thread(desk):
    problem = do_create_problem(desk.alice, "Checkout times out", conversation=desk.conversation)
    assert do_link_problem(problem, desk.conversation, desk.alice) is None  # once
    assert do_unlink_problem(problem, desk.conversation, desk.bob)
    kinds = list(desk.conversation.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.PROBLEM_LINK, EventKind.PROBLEM_UNLINK]
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    assert "unlinked the problem" in page.content.decode()


def test_marking_fixed_is_told_in_every_linked_thread(desk):
    problem = do_create_problem(desk.alice, "Checkout times out", conversation=desk.conversation)
    do_set_problem_status(problem, desk.alice, ProblemStatus.FIXED)
    assert problem.fixed_at is not None
    event = Event.objects.get(kind=EventKind.PROBLEM_STATUS)
    assert (event.conversation_id, event.data["new"]) == (desk.conversation.pk, "fixed")


def test_the_box_suggests_a_problem_and_links_it_in_one_click(desk):
    problem = do_create_problem(desk.alice, "Checkout sync timeout", conversation=desk.conversation)
    other = receive(
        desk.support, "lee@store.example", "Checkout broken again, ERR_SYNC_TIMEOUT", "Sync"
    )
    client = desk.client_for(desk.alice)
    box = client.get(
        reverse("conversation_problems", args=[other.conversation.pk])
    ).content.decode()
    assert "Looks like" in box and "Checkout sync timeout" in box and "checkout" in box
    client.post(
        reverse("conversation_problem_link", args=[other.conversation.pk]), {"problem": problem.pk}
    )
    assert ProblemLink.objects.filter(problem=problem).count() == 2
    # Linked now: no longer suggested (the index was rebuilt after the version bump).
    assert suggestions_for(other.conversation, [problem.pk]) == []


def test_the_page_counts_customers_not_conversations_and_only_visible_ones(desk):
    problem = do_create_problem(desk.admin, "Charges", conversation=desk.conversation)
    again = receive(desk.support, "maya@shop.example", "Still broken, new thread", "Again")
    do_link_problem(problem, again.conversation, desk.admin)
    do_link_problem(problem, desk.billing_conversation, desk.admin)
    customer = desk.customer
    customer.monthly_revenue = Decimal("120")
    customer.revenue_currency = "EUR"
    customer.save()
    url = reverse("problem", args=[problem.pk])
    admin = desk.client_for(desk.admin).get(url)
    assert admin.context["impact"].customers == 2 and admin.context["impact"].conversations == 3
    assert "120 EUR" in admin.content.decode()
    alice = desk.client_for(desk.alice).get(url)
    assert alice.context["impact"].customers == 1
    assert "Counts are over the mailboxes you can see." in alice.content.decode()
    charlie = desk.client_for(desk.charlie).get(url).content.decode()
    assert "Maya" not in charlie and "checkout" not in charlie.lower()


def test_report_exports_neutralise_formulas(desk):
    do_create_problem(desk.admin, "=HYPERLINK(1)", conversation=desk.conversation)
    client = desk.client_for(desk.admin)
    body = client.get(reverse("problem_report") + "?format=csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][3] == "1"
    markdown = client.get(reverse("problem_report") + "?format=md").content.decode()
    assert "| =HYPERLINK(1) | Bug | Open | 1 |" in markdown
    page = client.get(reverse("problem_report") + "?sort=revenue&period=30")
    assert page.status_code == 200 and "<svg" in page.content.decode()


@pytest.mark.parametrize(
    "cell,kept", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"), ("@x", "'@x"), ("ok", "ok")]
)
def test_neutralise(cell, kept):
    assert neutralise(cell) == kept


def test_answer_all_is_coached_sent_once_and_undone(desk, settings):
    settings.DEFAULT_UNDO_SECONDS = 600
    problem = do_create_problem(desk.admin, "Checkout sync timeout", conversation=desk.conversation)
    lee = receive(desk.support, "lee@store.example", "Checkout broken", "Sync", name="Lee Park")
    do_link_problem(problem, lee.conversation, desk.admin)
    do_set_problem_status(problem, desk.admin, ProblemStatus.FIXED)
    batch = do_draft_answers(
        problem, desk.alice, "Hi {customer.first_name}, it is fixed. Calm down.", mailbox_ids=None
    )
    items = list(batch.items.order_by("conversation_id"))
    assert [i.body.split(",")[0] for i in items] == ["Hi Maya", "Hi Lee"]
    assert all(i.findings for i in items)  # "Calm down." is flagged before sending
    assert do_send_answers(batch, desk.alice) == 2
    assert do_send_answers(batch, desk.alice) == 0  # a re-run sends nothing twice
    replies = Message.objects.filter(kind=MessageKind.REPLY)
    assert replies.count() == 2 and Outbox.objects.count() == 2
    assert do_undo_answer(items[0], desk.alice)
    assert do_undo_answers(batch, desk.alice) == 1
    states = set(AnswerItem.objects.values_list("state", flat=True))
    assert states == {ItemState.UNDONE}


def test_an_interrupted_batch_resumes_with_the_rest(desk, settings):
    settings.DEFAULT_UNDO_SECONDS = 600
    problem = do_create_problem(desk.admin, "Sync", conversation=desk.conversation)
    lee = receive(desk.support, "lee@store.example", "Checkout broken", "Sync", name="Lee Park")
    do_link_problem(problem, lee.conversation, desk.admin)
    batch = do_draft_answers(problem, desk.alice, "Fixed, {customer.first_name}.", mailbox_ids=None)
    first = batch.items.order_by("pk").first()
    # As if the process died after the first send: that item is sent, the other pending.
    from calmdesk.problems.answer import _send_one

    assert _send_one(first.pk, desk.alice)
    assert do_send_answers(batch, desk.alice) == 1
    assert Message.objects.filter(kind=MessageKind.REPLY).count() == 2


def test_answer_pages_belong_to_their_author(desk):
    problem = do_create_problem(desk.alice, "Sync", conversation=desk.conversation)
    do_set_problem_status(problem, desk.alice, ProblemStatus.FIXED)
    client = desk.client_for(desk.alice)
    response = client.post(reverse("problem_answer", args=[problem.pk]), {"template": "Fixed!"})
    batch_url = response["Location"]
    assert client.get(batch_url).status_code == 200
    assert desk.client_for(desk.bob).get(batch_url).status_code == 404


def test_editing_a_problem_names_its_owner(desk):
    problem = do_create_problem(desk.alice, "Sync", conversation=desk.conversation)
    client = desk.client_for(desk.alice)
    client.post(
        reverse("problem_edit", args=[problem.pk]),
        {"title": "Nightly sync times out", "kind": "bug", "owner": desk.bob.pk},
    )
    problem.refresh_from_db()
    assert (problem.title, problem.owner) == ("Nightly sync times out", desk.bob)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert "owned by" in page and "Nightly sync times out" in page
