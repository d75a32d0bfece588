"""Data migration: the per-period totals filled from the existing ledger."""

from django.db import migrations


def fill(apps, schema_editor):
    from backend.points.totals import totals_rebuild

    totals_rebuild(apps.get_model("points", "PointEvent"), apps.get_model("points", "PointTotal"))


class Migration(migrations.Migration):
    dependencies = [("points", "0003_point_totals")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
