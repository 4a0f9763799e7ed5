from django.db import migrations, models

# A plain ADD COLUMN with a constant default, on both databases. Django's own AddField on
# SQLite rebuilds the customer table, and the search triggers of 0003 (which read
# desk_customer) fail while it is gone.
ADD_COLUMN = (
    "ALTER TABLE desk_customer ADD COLUMN revenue_currency varchar(3) NOT NULL DEFAULT 'USD'"
)
DROP_COLUMN = "ALTER TABLE desk_customer DROP COLUMN revenue_currency"


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0005_conversation_priority_score"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD_COLUMN, DROP_COLUMN)],
            state_operations=[
                migrations.AddField(
                    model_name="customer",
                    name="revenue_currency",
                    field=models.CharField(blank=True, default="USD", max_length=3),
                ),
            ],
        ),
    ]
