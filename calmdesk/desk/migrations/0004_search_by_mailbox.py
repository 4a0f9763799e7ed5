"""The search index learns each message's mailbox (a token like ``mb3``), so a search is
narrowed to the agent's mailboxes inside the index: an agent of a small mailbox no longer
pays for walking every match in the others."""

import importlib

from django.db import migrations

previous = importlib.import_module("calmdesk.desk.migrations.0003_search")

SQLITE_ROW = """
    SELECT {id}, {conversation}, 'mb' || c.mailbox_id, c.subject, {body},
           cu.name || ' ' || coalesce(
               (SELECT group_concat(e.email, ' ') FROM desk_customeremail e
                WHERE e.customer_id = cu.id), '')
    FROM desk_conversation c JOIN desk_customer cu ON cu.id = c.customer_id
"""
SQLITE_TRIGGER_ROW = (
    "INSERT INTO desk_search(rowid, conversation_id, mailbox, subject, body, customer)"
    + SQLITE_ROW.format(id="new.id", conversation="new.conversation_id", body="new.body_text")
    + " WHERE c.id = new.conversation_id;"
)
SQLITE_FORWARD = [
    *previous.SQLITE_BACKWARD,
    "CREATE VIRTUAL TABLE desk_search USING fts5("
    "conversation_id UNINDEXED, mailbox, subject, body, customer, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER desk_search_ai AFTER INSERT ON desk_message BEGIN {SQLITE_TRIGGER_ROW} END",
    "CREATE TRIGGER desk_search_ad AFTER DELETE ON desk_message BEGIN "
    "DELETE FROM desk_search WHERE rowid = old.id; END",
    "CREATE TRIGGER desk_search_au AFTER UPDATE OF body_text ON desk_message BEGIN "
    f"DELETE FROM desk_search WHERE rowid = old.id; {SQLITE_TRIGGER_ROW} END",
    "INSERT INTO desk_search(rowid, conversation_id, mailbox, subject, body, customer)"
    + SQLITE_ROW.format(id="m.id", conversation="m.conversation_id", body="m.body_text")
    + " JOIN desk_message m ON m.conversation_id = c.id",
]
SQLITE_BACKWARD = [
    *previous.SQLITE_BACKWARD,
    *previous.SQLITE_FORWARD,
    "INSERT INTO desk_search(rowid, conversation_id, subject, body, customer)"
    " SELECT m.id, m.conversation_id, c.subject, m.body_text, cu.name || ' ' || coalesce("
    "(SELECT group_concat(e.email, ' ') FROM desk_customeremail e"
    " WHERE e.customer_id = cu.id), '')"
    " FROM desk_message m JOIN desk_conversation c ON c.id = m.conversation_id"
    " JOIN desk_customer cu ON cu.id = c.customer_id",
]

POSTGRES_DOCUMENT = """to_tsvector('simple', regexp_replace(
    'mb' || c.mailbox_id || ' ' || c.subject || ' ' || {body} || ' ' || cu.name || ' '
    || coalesce((SELECT string_agg(e.email, ' ') FROM desk_customeremail e
                 WHERE e.customer_id = cu.id), ''),
    '[^[:alnum:]]+', ' ', 'g'))"""
POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION desk_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM desk_search WHERE message_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO desk_search (message_id, conversation_id, document)
            SELECT NEW.id, NEW.conversation_id, {POSTGRES_DOCUMENT.format(body="NEW.body_text")}
            FROM desk_conversation c JOIN desk_customer cu ON cu.id = c.customer_id
            WHERE c.id = NEW.conversation_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    "DELETE FROM desk_search",
    "INSERT INTO desk_search (message_id, conversation_id, document)"
    f" SELECT m.id, m.conversation_id, {POSTGRES_DOCUMENT.format(body='m.body_text')}"
    " FROM desk_message m JOIN desk_conversation c ON c.id = m.conversation_id"
    " JOIN desk_customer cu ON cu.id = c.customer_id",
]
POSTGRES_BACKWARD = [
    previous.POSTGRES_FORWARD[3].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
    "DELETE FROM desk_search",
    # Re-writing every body fires the restored trigger, which indexes it the old way.
    "UPDATE desk_message SET body_text = body_text",
]


class Migration(migrations.Migration):
    dependencies = [("desk", "0003_search")]

    operations = [
        migrations.RunPython(
            previous._run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            previous._run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
