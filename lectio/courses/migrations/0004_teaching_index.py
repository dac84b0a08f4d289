"""The course search's helpers: a partial index of who teaches what (the Alma API's
instructors~), and on PostgreSQL statistics on the upper-cased text the search
compares (`UPPER(name::text) LIKE ...`), so the planner knows how many courses
match instead of guessing a handful and sorting every row."""

from django.conf import settings
from django.db import migrations, models

# Exactly the expressions Django's icontains compares on PostgreSQL.
SEARCHED = ("code", "section", "name", "notes", "searchable_ids")


def _statistics(apps, schema_editor, *, create: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        name = f"course_{column}_upper_stats"
        if create:
            schema_editor.execute(
                f"CREATE STATISTICS IF NOT EXISTS {name} "
                f'ON (UPPER("{column}"::text)) FROM courses_course'
            )
        else:
            schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")
    if create:
        schema_editor.execute("ANALYZE courses_course")


def create_statistics(apps, schema_editor):
    _statistics(apps, schema_editor, create=True)


def drop_statistics(apps, schema_editor):
    _statistics(apps, schema_editor, create=False)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_fewer_enrolment_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                condition=models.Q(("role", "instructor")),
                fields=["user", "course"],
                name="enrolment_teaching",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]
