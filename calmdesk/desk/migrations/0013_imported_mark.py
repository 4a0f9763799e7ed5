# The import mark (calmdesk.importer): nullable columns, so SQLite adds them in place (no
# table rebuild that would break the search triggers of 0003).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0012_event_kind_problems"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="imported_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="imported_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
