"""The demo desk shows the empathy features on first open."""

from __future__ import annotations

from django.urls import reverse

from calmdesk.desk.demo.generate import generate
from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.empathy.context import needs_call
from calmdesk.empathy.demo import add_demo_reproductions
from calmdesk.empathy.models import ConversationCare, MessageReading
from calmdesk.empathy.reanalyze import reanalyze


def test_demo_data_is_read_and_has_something_to_show(db, client) -> None:  # type: ignore[no-untyped-def]
    generate(300, seed=7, progress=False)
    customer_messages = Message.objects.filter(kind=MessageKind.CUSTOMER).count()
    assert reanalyze(progress=False) == customer_messages
    assert MessageReading.objects.count() == customer_messages
    assert add_demo_reproductions() > 0

    tones = set(MessageReading.objects.values_list("tone", flat=True))
    assert {"angry", "frustrated", "grateful"} & tones
    assert len(tones) >= 4
    assert ConversationCare.objects.exclude(stakes=[]).exists()
    assert any(
        needs_call(care.conversation, care)
        for care in ConversationCare.objects.select_related("conversation")
    )

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo"))
    angry = Conversation.objects.filter(care__latest_tone="angry").first() or (
        Conversation.objects.filter(care__latest_tone="frustrated").first()
    )
    page = client.get(reverse("conversation", args=[angry.pk])).content.decode()
    assert "data-reading" in page and "<mark" in page
    inbox = client.get(reverse("inbox")).content.decode()
    assert 'class="gauge tone-' in inbox
