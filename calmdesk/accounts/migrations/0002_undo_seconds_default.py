from django.db import migrations, models


def default_to_setting(apps, schema_editor):
    # Until now every profile was made with 20 (the field's default): those follow the
    # desk's CALMDESK_UNDO_SECONDS from now on. Another value is the agent's own choice.
    agent = apps.get_model("accounts", "Agent")
    agent.objects.filter(undo_seconds=20).update(undo_seconds=None)


def back_to_twenty(apps, schema_editor):
    agent = apps.get_model("accounts", "Agent")
    agent.objects.filter(undo_seconds=None).update(undo_seconds=20)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agent",
            name="undo_seconds",
            field=models.PositiveIntegerField(
                blank=True,
                help_text=(
                    "How long a sent reply waits before it leaves; empty for the desk's default."
                ),
                null=True,
            ),
        ),
        migrations.RunPython(default_to_setting, back_to_twenty),
    ]
