"""The problem page does not wait for the engine's choice of the customers' own words:
they load after it, counted over the mailboxes the agent may see."""

from __future__ import annotations

from django.urls import reverse

from calmdesk.problems.actions import do_create_problem, do_link_problem


def test_the_own_words_load_after_the_page_and_only_from_visible_mailboxes(desk):
    problem = do_create_problem(desk.admin, "Charges", conversation=desk.conversation)
    do_link_problem(problem, desk.billing_conversation, desk.admin)
    page = desk.client_for(desk.alice).get(reverse("problem", args=[problem.pk]))
    url = reverse("problem_own_words", args=[problem.pk])
    assert f'hx-get="{url}"' in page.content.decode()  # the page does not wait for the engine
    assert "words" not in page.context
    admin = desk.client_for(desk.admin).get(url, headers={"HX-Request": "true"})
    alice = desk.client_for(desk.alice).get(url, headers={"HX-Request": "true"})
    sources = {w.conversation_id for w in admin.context["words"]}
    assert desk.billing_conversation.pk in sources
    assert desk.billing_conversation.pk not in {w.conversation_id for w in alice.context["words"]}
    charlie = desk.client_for(desk.charlie).get(url)  # billing's agent: not support's words
    assert desk.conversation.pk not in {w.conversation_id for w in charlie.context["words"]}
