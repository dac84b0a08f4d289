from django.db import migrations

# Out of the box: Essential items one copy per 10 students, Recommended per 30; up to
# 10% of a work, or one chapter, is approved for digitization automatically.
PURCHASE = [("Essential", 10), ("Recommended", 30)]
COPYRIGHT = [
    {"name": "Up to 10% of a work", "max_percent": 10, "outcome": "Approved"},
    {"name": "One chapter of a book", "material_type": "book_chapter", "max_chapters": 1,
     "outcome": "Approved"},
]


def create(apps, schema_editor):
    Tag = apps.get_model("lists", "Tag")
    PurchaseRatio = apps.get_model("workflow", "PurchaseRatio")
    CopyrightRule = apps.get_model("workflow", "CopyrightRule")
    for name, per_copy in PURCHASE:
        tag = Tag.objects.filter(kind="public", name=name).first()
        if tag is not None:
            PurchaseRatio.objects.get_or_create(tag=tag, defaults={"students_per_copy": per_copy})
    if not CopyrightRule.objects.exists():
        for position, rule in enumerate(COPYRIGHT):
            CopyrightRule.objects.create(position=position, **rule)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_rules"), ("lists", "0002_default_tags")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
