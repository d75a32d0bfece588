"""The point kind that taking part in a live contest awards."""

from django.db import migrations

from backend.points.rule_migrations import add_rules

RULES = [
    # kind, name, description, points, daily cap
    ("contest_participation", "参加知识竞赛", "参加一场知识竞赛（每场计一次）", 5, None),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0001_initial"),
        ("points", "0002_default_rules"),
    ]
    operations = [add_rules(RULES)]
