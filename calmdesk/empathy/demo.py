"""Empathy records for the demo desk: some bug reports carry a reproduction record, so the
coach's unreproduced-fix rule and the sidebar have something to show on first open."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from calmdesk.desk.models import Conversation
from calmdesk.empathy.actions import do_record_reproduction
from calmdesk.empathy.models import ConversationCare, Reproduction

ENVIRONMENTS = (
    "Shop 4.2.1, Chrome 131 on macOS 15",
    "Shop 4.2.0, Firefox 133 on Windows 11",
    "Shop 5.0.0-beta.2, Safari 18 on iOS",
)
STEPS = (
    "Created a cart with two variants of one product, applied SPRING20, checked out.",
    "Imported the customer's CSV (1,204 rows) into a clean test shop.",
    "Synced a catalogue of 150 variants with inventory sync on.",
)


def add_demo_reproductions(*, seed: int = 2026, share: float = 0.4) -> int:
    """Record reproduction on a seeded share of the bug-tagged conversations that have no
    record yet; returns how many were recorded."""
    rng = random.Random(seed)
    agent = get_user_model().objects.filter(username="alice").first()
    if agent is None:  # the demo desk is not there
        return 0
    tried = set(
        ConversationCare.objects.exclude(reproduction=Reproduction.NOT_TRIED).values_list(
            "conversation_id", flat=True
        )
    )
    recorded = 0
    for conversation in Conversation.objects.filter(tags__name="bug").order_by("id"):
        if conversation.pk in tried or rng.random() > share:
            continue
        state = rng.choice(
            [Reproduction.REPRODUCED, Reproduction.REPRODUCED, Reproduction.NOT_REPRODUCED]
        )
        do_record_reproduction(
            conversation,
            agent,
            state=state,
            steps=rng.choice(STEPS),
            environment=rng.choice(ENVIRONMENTS),
        )
        recorded += 1
    return recorded
