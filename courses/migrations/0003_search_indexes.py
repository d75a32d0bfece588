"""
Substring search over lecture titles and texts (Chinese has no word breaks, so
search is by substring): on PostgreSQL, trigram GIN indexes make ILIKE '%…%'
fast. Nothing to do on SQLite.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS lecture_title_trgm ON courses_lecture "
    "USING gin (UPPER(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS lecture_body_trgm ON courses_lecture "
    "USING gin (UPPER(body) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS lecture_title_trgm",
    "DROP INDEX IF EXISTS lecture_body_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_point_rules")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
