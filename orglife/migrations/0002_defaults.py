"""The default compliance rules and the point kinds of organisational life."""

from django.db import migrations

from backend.points.rule_migrations import add_rules

RULES = [
    # kind, name, description, points, daily cap
    ("orglife_attend", "参加组织生活", "按时参加三会一课、主题党日、学习日或大讲堂并签到", 2, None),
    ("orglife_makeup", "完成补学", "缺席后完成补学任务", 1, None),
]

# kind, how often, at least
COMPLIANCE = [
    ("party_meeting", "quarter", 1),
    ("committee", "month", 1),
    ("group", "month", 1),
    ("party_class", "quarter", 1),
    ("theme_day", "month", 1),
    ("study_day", "month", 1),
]


def compliance_forward(apps, schema_editor):
    ComplianceRule = apps.get_model("orglife", "ComplianceRule")
    for kind, per, times in COMPLIANCE:
        ComplianceRule.objects.get_or_create(kind=kind, defaults={"per": per, "times": times})


def compliance_backward(apps, schema_editor):
    apps.get_model("orglife", "ComplianceRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial"), ("points", "0002_default_rules")]
    operations = [
        add_rules(RULES),
        migrations.RunPython(compliance_forward, compliance_backward),
    ]
