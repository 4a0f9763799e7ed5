"""Fill the care rows' new latest_language and latest_unsure (0006) from each
conversation's newest customer reading, so an existing desk marks unsure readings without
waiting for ``calmdesk reanalyze``. Unsure is what the engine's Reading.is_unsure says: a
language other than English, or a confidence under UNSURE_BELOW (0.35 when this was written)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

UNSURE_BELOW = 0.35


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    ConversationCare = apps.get_model("empathy", "ConversationCare")
    MessageReading = apps.get_model("empathy", "MessageReading")
    newest = MessageReading.objects.filter(
        message__conversation_id=OuterRef("conversation_id")
    ).order_by("-message__created_at", "-message_id")
    ConversationCare.objects.update(
        latest_language=Coalesce(Subquery(newest.values("language")[:1]), Value(""))
    )
    ConversationCare.objects.exclude(latest_language__in=["", "en"]).update(latest_unsure=True)
    ConversationCare.objects.annotate(confidence=Subquery(newest.values("confidence")[:1])).filter(
        confidence__lt=UNSURE_BELOW
    ).update(latest_unsure=True)


class Migration(migrations.Migration):
    dependencies = [("empathy", "0006_care_latest_language")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
