"""The catalog search index (lectio.catalog.search): an FTS5 table beside a plain
table of keys and filter columns on SQLite; one table with a tsvector column and a
GIN index on PostgreSQL. Triggers copy the records' availability flags into the
index and drop the index rows of deleted records, whoever changes them.

Outside Django's model state on purpose: only lectio.catalog.search reads and
writes these tables."""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        title, people, other, summary, meta,
        tokenize = "unicode61 remove_diacritics 0 tokenchars '_'",
        prefix = '2 3'
    )""",
    """CREATE TABLE catalog_search_doc (
        skey INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL UNIQUE,
        format TEXT NOT NULL,
        year INTEGER NULL,
        language TEXT NOT NULL,
        available_now INTEGER NOT NULL,
        on_reserve INTEGER NOT NULL
    )""",
    """CREATE TRIGGER catalog_search_flags AFTER UPDATE OF available_now, on_reserve
    ON catalog_record BEGIN
        UPDATE catalog_search_doc SET available_now = NEW.available_now,
            on_reserve = NEW.on_reserve WHERE record_id = NEW.id;
    END""",
    """CREATE TRIGGER catalog_search_gone AFTER DELETE ON catalog_record BEGIN
        DELETE FROM catalog_search_fts WHERE rowid =
            (SELECT skey FROM catalog_search_doc WHERE record_id = OLD.id);
        DELETE FROM catalog_search_doc WHERE record_id = OLD.id;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER catalog_search_gone",
    "DROP TRIGGER catalog_search_flags",
    "DROP TABLE catalog_search_doc",
    "DROP TABLE catalog_search_fts",
]

POSTGRES = [
    """CREATE TABLE catalog_search (
        record_id bigint PRIMARY KEY,
        skey bigint NOT NULL UNIQUE,
        doc tsvector NOT NULL,
        title text NOT NULL,
        people text NOT NULL,
        other text NOT NULL,
        summary text NOT NULL,
        format text NOT NULL,
        year integer NULL,
        language text NOT NULL,
        available_now boolean NOT NULL,
        on_reserve boolean NOT NULL
    )""",
    "CREATE INDEX catalog_search_words ON catalog_search USING gin (doc)",
    """CREATE FUNCTION catalog_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM catalog_search WHERE record_id = OLD.id;
            RETURN OLD;
        END IF;
        UPDATE catalog_search SET available_now = NEW.available_now,
            on_reserve = NEW.on_reserve WHERE record_id = NEW.id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER catalog_search_flags AFTER UPDATE OF available_now, on_reserve
    ON catalog_record FOR EACH ROW
    WHEN (OLD.available_now IS DISTINCT FROM NEW.available_now
          OR OLD.on_reserve IS DISTINCT FROM NEW.on_reserve)
    EXECUTE FUNCTION catalog_search_sync()""",
    """CREATE TRIGGER catalog_search_gone AFTER DELETE ON catalog_record
    FOR EACH ROW EXECUTE FUNCTION catalog_search_sync()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER catalog_search_gone ON catalog_record",
    "DROP TRIGGER catalog_search_flags ON catalog_record",
    "DROP FUNCTION catalog_search_sync()",
    "DROP TABLE catalog_search",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
