"""The point kinds that studying lectures and reading lists awards."""

from django.db import migrations

from backend.points.rule_migrations import add_rules

RULES = [
    # kind, name, description, points, daily cap
    ("lecture_complete", "学习大讲堂", "完成一讲机关大讲堂的学习", 10, None),
    ("reading_complete", "完成阅读篇目", "阅读清单中一项篇目打卡完成", 2, 10),
]


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("points", "0002_default_rules"),
    ]
    operations = [add_rules(RULES)]
