"""The point kind a passed quiz awards (the points themselves are set per quiz)."""

from django.db import migrations

from backend.points.rule_migrations import add_rules

RULES = [
    # kind, name, description, points, daily cap
    ("quiz_pass", "测试合格", "通过一次测试（每个测试计一次，分值由测试设定）", 5, None),
]


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("points", "0002_default_rules"),
    ]
    operations = [add_rules(RULES)]
