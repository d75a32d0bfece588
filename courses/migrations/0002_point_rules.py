"""The point kinds that studying lectures and reading lists awards."""

from django.db import migrations

RULES = [
    # kind, name, description, points, daily cap
    ("lecture_complete", "学习大讲堂", "完成一讲机关大讲堂的学习", 10, None),
    ("reading_complete", "完成阅读篇目", "阅读清单中一项篇目打卡完成", 2, 10),
]


def create_rules(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    for kind, name, description, points, cap in RULES:
        PointRule.objects.get_or_create(
            kind=kind,
            defaults={
                "name": name,
                "description": description,
                "points": points,
                "daily_cap": cap,
            },
        )


def remove_rules(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    PointRule.objects.filter(kind__in=[r[0] for r in RULES], events__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("points", "0002_default_rules"),
    ]
    operations = [migrations.RunPython(create_rules, remove_rules)]
