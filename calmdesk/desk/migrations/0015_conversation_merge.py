# Conversation merge: merged_into is a nullable column, so SQLite adds it in place (no
# table rebuild that would break the search triggers of 0003); the event kinds change
# only their choices.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0014_saved_views_and_forward"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="merged_from",
                to="desk.conversation",
            ),
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
                    ("conv_merge", "Conversations merged"),
                    ("conv_unmerge", "Conversations merge undone"),
                    ("erase", "Customer erased"),
                    ("send", "Send"),
                    ("snooze", "Snoozed"),
                    ("unsnooze", "Unsnoozed"),
                    ("wake", "Woke up"),
                    ("call", "Call logged"),
                    ("reproduction", "Reproduction recorded"),
                    ("mail", "Mail notice"),
                    ("problem_link", "Problem linked"),
                    ("problem_unlink", "Problem unlinked"),
                    ("problem_status", "Problem status changed"),
                ],
                max_length=20,
            ),
        ),
    ]
