"""The point kinds the foundation awards. Later apps add theirs the same way."""

from django.db import migrations

from backend.points.rule_migrations import add_rules

RULES = [
    # kind, name, description, points, daily cap
    ("correction", "人工更正", "管理员对积分的更正（可为负数），不受每日上限限制", 0, None),
    ("daily_login", "每日登录", "每天首次登录", 1, 1),
    ("daily_practice", "每日答题", "每日答题每答对一题", 1, 5),
]


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [add_rules(RULES)]
