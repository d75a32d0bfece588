"""
Point kinds are defined by the code that awards them, in each app's data
migration. This helper is what those migrations share (it touches only the
historical models it is given, so old migrations keep working as models change).
"""

from django.db import migrations

# A rule: (kind, name, description, points, daily cap or None).
Rule = tuple[str, str, str, int, int | None]


def create_rules(apps, rules: list[Rule]) -> None:
    PointRule = apps.get_model("points", "PointRule")
    for kind, name, description, points, cap in rules:
        PointRule.objects.get_or_create(
            kind=kind,
            defaults={"name": name, "description": description, "points": points, "daily_cap": cap},
        )


def remove_unused_rules(apps, rules: list[Rule]) -> None:
    PointRule = apps.get_model("points", "PointRule")
    PointRule.objects.filter(kind__in=[r[0] for r in rules], events__isnull=True).delete()


def add_rules(rules: list[Rule]) -> migrations.RunPython:
    """The migration operation that adds ``rules`` (and removes them, unused, on the way back)."""

    def forward(apps, schema_editor):
        create_rules(apps, rules)

    def backward(apps, schema_editor):
        remove_unused_rules(apps, rules)

    return migrations.RunPython(forward, backward)
