"""The point kind that taking part in a live contest awards."""

from django.db import migrations

RULES = [
    # kind, name, description, points, daily cap
    ("contest_participation", "参加知识竞赛", "参加一场知识竞赛（每场计一次）", 5, None),
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
        ("contests", "0001_initial"),
        ("points", "0002_default_rules"),
    ]
    operations = [migrations.RunPython(create_rules, remove_rules)]
