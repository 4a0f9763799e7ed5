"""The "needs care first" order now reads the conversation's own ``priority_score``
(desk 0005) instead of joining the care row: copy every care score over once."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_care_scores(apps, schema_editor):  # type: ignore[no-untyped-def]
    Conversation = apps.get_model("desk", "Conversation")
    ConversationCare = apps.get_model("empathy", "ConversationCare")
    score = ConversationCare.objects.filter(conversation_id=OuterRef("pk")).values("care_score")
    Conversation.objects.filter(care__isnull=False).update(priority_score=Subquery(score[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("empathy", "0001_initial"),
        ("desk", "0005_conversation_priority_score"),
    ]

    operations = [migrations.RunPython(copy_care_scores, migrations.RunPython.noop)]
