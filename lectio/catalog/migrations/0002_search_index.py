"""The catalog search index (lectio.catalog.search): an FTS5 table on SQLite, a
table with a tsvector column and a GIN index on PostgreSQL. Outside Django's model
state on purpose: only lectio.catalog.search writes and reads it."""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        title, people, other, summary, meta,
        tokenize = "unicode61 remove_diacritics 0 tokenchars '_'",
        prefix = '2 3'
    )""",
    """CREATE TABLE catalog_search_key (
        record_id INTEGER PRIMARY KEY, skey INTEGER NOT NULL
    )""",
]
SQLITE_DROP = ["DROP TABLE catalog_search_fts", "DROP TABLE catalog_search_key"]

POSTGRES = [
    """CREATE TABLE catalog_search (
        record_id bigint PRIMARY KEY,
        skey bigint NOT NULL UNIQUE,
        doc tsvector NOT NULL,
        title text NOT NULL,
        people text NOT NULL,
        other text NOT NULL,
        summary text NOT NULL
    )""",
    "CREATE INDEX catalog_search_doc ON catalog_search USING gin (doc)",
]
POSTGRES_DROP = ["DROP TABLE catalog_search"]


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
