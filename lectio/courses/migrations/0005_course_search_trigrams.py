"""On PostgreSQL, a trigram index over all of a course's searched text, so the Alma
API's `all~` finds courses without reading every row. It needs the pg_trgm extension
(trusted since PostgreSQL 13: a database owner may create it). Where it cannot be
created the index is left out with a warning and the search reads every row, as on
SQLite, which has no such index."""

import warnings

from django.db import migrations, transaction

# Must match lectio.api.alma.query.ALL_TEXT character for character,
# or the planner will not use the index.
ALL_TEXT = (
    "UPPER(code || chr(31) || section || chr(31) || name || chr(31) || "
    "notes::text || chr(31) || searchable_ids::text)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # no privilege: the search still works, only slower
        warnings.warn(
            f"pg_trgm could not be created ({exc}); the course search's all~ will "
            "read every course. Create the extension as a superuser and migrate "
            "courses zero-to-this again to add the index.",
            stacklevel=1,
        )
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS course_all_text_trgm ON courses_course "
        f"USING gin ({ALL_TEXT} gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS course_all_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("courses", "0004_teaching_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
