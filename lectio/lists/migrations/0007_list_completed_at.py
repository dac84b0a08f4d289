from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def backfill(apps, schema_editor):
    """Completed lists take the time and actor of their last change to Complete
    from the audit rows."""
    ReadingList = apps.get_model("lists", "ReadingList")
    Event = apps.get_model("core", "Event")
    complete = ReadingList.objects.filter(status="Complete").values_list("pk", flat=True)
    ids = list(complete)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        latest: dict[int, tuple] = {}
        for list_id, at, actor_id, params in (
            Event.objects.filter(verb="list.status", list_id__in=chunk)
            .order_by("created_at", "id")
            .values_list("list_id", "created_at", "actor_id", "params")
        ):
            if isinstance(params, dict) and params.get("to") == "Complete":
                latest[list_id] = (at, actor_id)
        for list_id, (at, actor_id) in latest.items():
            ReadingList.objects.filter(pk=list_id).update(
                completed_at=at, completed_by_id=actor_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_event"),
        ("lists", "0006_catalog_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="readinglist",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="readinglist",
            name="completed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
