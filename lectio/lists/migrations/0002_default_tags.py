from django.db import migrations

DEFAULT_TAGS = [("Essential", 0), ("Recommended", 1), ("Optional", 2)]


def create_tags(apps, schema_editor):
    Tag = apps.get_model("lists", "Tag")
    for name, position in DEFAULT_TAGS:
        Tag.objects.get_or_create(kind="public", name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("lists", "0001_initial")]
    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
