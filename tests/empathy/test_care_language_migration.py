"""Migration 0007 fills an existing desk's care rows with the newest reading's language
and unsure flag, as the actions would have."""

from __future__ import annotations

import importlib

from django.apps import apps

from calmdesk.empathy.models import ConversationCare

from .conftest import Desk, receive

fill = importlib.import_module("calmdesk.empathy.migrations.0007_care_latest_language_filled").fill

FRENCH = "Je n'arrive plus à me connecter depuis hier. Le mot de passe est refusé."


def test_the_fill_matches_what_the_actions_keep(desk: Desk) -> None:
    receive(desk.support, "amelie@shop.example", FRENCH, "Connexion")
    receive(desk.support, "sam@shop.example", "Order 1234.", "Order")
    receive(desk.support, "maya@shop.example", "Thanks, it works!", conversation=desk.conversation)
    kept = {c.pk: (c.latest_language, c.latest_unsure) for c in ConversationCare.objects.all()}
    assert sorted(kept.values()) == [("en", False), ("en", False), ("en", True), ("fr", True)]
    ConversationCare.objects.update(latest_language="", latest_unsure=False)  # before 0006
    fill(apps, None)
    assert {
        c.pk: (c.latest_language, c.latest_unsure) for c in ConversationCare.objects.all()
    } == kept
