"""Search at size: indexes for what a search reads at a million conversations.

- Organisation names as search reads them (lowercased: the whole name or its start), so a
  search's organisation branch looks a name up instead of reading every organisation
  (14,000 of them at 250,000 conversations). On PostgreSQL the pattern operator class lets
  the same index answer ``LIKE 'northwind %'``; on SQLite search.py reads it as a range.
- A tag's conversations in order, and a mailbox's conversations of one status in order
  (those not merged away): operators alone list conversations newest first, and where a
  tag and a status meet rarely (``tag:billing status:closed`` in Support: never) the two
  lists are read side by side from these indexes alone, instead of every conversation.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX desk_conversation_tags_by_tag"
    " ON desk_conversation_tags (tag_id, conversation_id)",
    "CREATE INDEX conv_operators ON desk_conversation (mailbox_id, status, id)"
    " WHERE merged_into_id IS NULL",
]
ORGANISATION = {
    "postgresql": "CREATE INDEX desk_organisation_lower_name"
    " ON desk_organisation (lower(name) text_pattern_ops)",
    "sqlite": "CREATE INDEX desk_organisation_lower_name ON desk_organisation (lower(name))",
}
BACKWARD = [
    "DROP INDEX IF EXISTS desk_organisation_lower_name",
    "DROP INDEX IF EXISTS desk_conversation_tags_by_tag",
    "DROP INDEX IF EXISTS conv_operators",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [*FORWARD, *([ORGANISATION[vendor]] if vendor in ORGANISATION else [])]:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("desk", "0015_conversation_merge")]

    operations = [migrations.RunPython(forward, backward)]
