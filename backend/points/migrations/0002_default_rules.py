"""The point kinds the foundation awards. Later apps add theirs the same way."""

from django.db import migrations

RULES = [
    # kind, name, description, points, daily cap
    ("correction", "人工更正", "管理员对积分的更正（可为负数），不受每日上限限制", 0, None),
    ("daily_login", "每日登录", "每天首次登录", 1, 1),
    ("daily_practice", "每日答题", "每日答题每答对一题", 1, 5),
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
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(create_rules, remove_rules)]
