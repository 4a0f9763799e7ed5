# Snooze: nullable columns, so SQLite adds them in place (no table rebuild that would
# break the search triggers of 0003); the event kinds change only their choices.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0010_revenue_currency_iso_code"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="snoozed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="conversation",
            name="woke_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="kind",
            field=models.CharField(
                choices=[
                    ("status", "Status changed"),
                    ("assign", "Assigned"),
                    ("tag", "Tagged"),
                    ("untag", "Tag removed"),
                    ("merge", "Customers merged"),
                    ("erase", "Customer erased"),
                    ("send", "Send"),
                    ("snooze", "Snoozed"),
                    ("unsnooze", "Unsnoozed"),
                    ("wake", "Woke up"),
                    ("call", "Call logged"),
                    ("reproduction", "Reproduction recorded"),
                    ("mail", "Mail notice"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(("snoozed_until__isnull", False)),
                fields=["snoozed_until", "id"],
                name="conv_snoozed",
            ),
        ),
    ]
