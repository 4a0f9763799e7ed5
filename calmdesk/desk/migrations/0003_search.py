"""Full-text search over subjects, message bodies and customer names and emails.

SQLite: an FTS5 table, one row per message (rowid = message id). PostgreSQL: a table of
tsvectors with a GIN index. On both, triggers on desk_message keep it in step, so every
writer (actions, mail ingest, bulk loads) is indexed without remembering to."""

from django.db import migrations

SQLITE_ROW = """
    INSERT INTO desk_search(rowid, conversation_id, subject, body, customer)
    SELECT new.id, new.conversation_id, c.subject, new.body_text,
           cu.name || ' ' || coalesce(
               (SELECT group_concat(e.email, ' ') FROM desk_customeremail e
                WHERE e.customer_id = cu.id), '')
    FROM desk_conversation c JOIN desk_customer cu ON cu.id = c.customer_id
    WHERE c.id = new.conversation_id;
"""

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE desk_search USING fts5("
    "conversation_id UNINDEXED, subject, body, customer, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER desk_search_ai AFTER INSERT ON desk_message BEGIN {SQLITE_ROW} END",
    "CREATE TRIGGER desk_search_ad AFTER DELETE ON desk_message BEGIN "
    "DELETE FROM desk_search WHERE rowid = old.id; END",
    "CREATE TRIGGER desk_search_au AFTER UPDATE OF body_text ON desk_message BEGIN "
    f"DELETE FROM desk_search WHERE rowid = old.id; {SQLITE_ROW} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS desk_search_ai",
    "DROP TRIGGER IF EXISTS desk_search_ad",
    "DROP TRIGGER IF EXISTS desk_search_au",
    "DROP TABLE IF EXISTS desk_search",
]

POSTGRES_FORWARD = [
    "CREATE TABLE desk_search ("
    "message_id bigint PRIMARY KEY, conversation_id bigint NOT NULL, document tsvector NOT NULL)",
    "CREATE INDEX desk_search_document ON desk_search USING gin (document)",
    "CREATE INDEX desk_search_conversation ON desk_search (conversation_id)",
    # Punctuation becomes a space before parsing, so an address or a version number is
    # split into words the same way SQLite's unicode61 tokenizer splits it.
    """
    CREATE FUNCTION desk_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM desk_search WHERE message_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO desk_search (message_id, conversation_id, document)
            SELECT NEW.id, NEW.conversation_id, to_tsvector('simple', regexp_replace(
                c.subject || ' ' || NEW.body_text || ' ' || cu.name || ' ' || coalesce(
                    (SELECT string_agg(e.email, ' ') FROM desk_customeremail e
                     WHERE e.customer_id = cu.id), ''),
                '[^[:alnum:]]+', ' ', 'g'))
            FROM desk_conversation c JOIN desk_customer cu ON cu.id = c.customer_id
            WHERE c.id = NEW.conversation_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER desk_search_sync AFTER INSERT OR DELETE OR UPDATE OF body_text "
    "ON desk_message FOR EACH ROW EXECUTE FUNCTION desk_search_sync()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS desk_search_sync ON desk_message",
    "DROP FUNCTION IF EXISTS desk_search_sync()",
    "DROP TABLE IF EXISTS desk_search",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("desk", "0002_inbox_counts_and_indexes")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
