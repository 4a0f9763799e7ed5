"""The kept emotional load (team.kept_load). An existing desk has none yet: the
conversations with a customer message in the last two days are marked to be counted on
the first read or by the worker's job. The pages read only today (in each agent's zone),
so older days are left to ``calmdesk rollup --since``, which counts any period at once;
marking all history would make the first read after an upgrade count the whole desk."""

from datetime import UTC, datetime, timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def mark_recent_conversations(apps, schema_editor):
    Message = apps.get_model("desk", "Message")
    LoadToRecount = apps.get_model("team", "LoadToRecount")
    since = datetime.now(UTC) - timedelta(days=2)
    ids = Message.objects.filter(kind="customer", created_at__gte=since).values_list(
        "conversation_id", flat=True
    )
    LoadToRecount.objects.bulk_create(
        [LoadToRecount(conversation_id=pk) for pk in sorted(set(ids))], batch_size=5000
    )


class Migration(migrations.Migration):

    dependencies = [
        ('desk', '0015_conversation_merge'),
        ('team', '0003_business_hours_digest_choice'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LoadToRecount',
            fields=[
                ('conversation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='desk.conversation')),
            ],
        ),
        migrations.CreateModel(
            name='KeptLoad',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('points', models.FloatField()),
                ('messages', models.PositiveIntegerField()),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('conversation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='desk.conversation')),
            ],
            options={
                'indexes': [models.Index(fields=['conversation'], name='kept_load_conversation')],
                'constraints': [models.UniqueConstraint(fields=('agent', 'day', 'conversation'), name='one_kept_load_a_thread_a_day')],
            },
        ),
        migrations.RunPython(mark_recent_conversations, migrations.RunPython.noop),
    ]
