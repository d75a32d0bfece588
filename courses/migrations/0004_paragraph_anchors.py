"""
Every lecture's text re-rendered with numbered paragraphs (``id="p1"``…), the
passages a question may cite (``courses.rendering.render_lecture``). A data
migration only: rendering is pure, so calling today's function here is safe;
going back leaves the ids in place (harmless).
"""

from django.db import migrations


def render_all(apps, schema_editor):
    from courses.rendering import render_lecture

    Lecture = apps.get_model("courses", "Lecture")
    for lecture in Lecture.objects.only("pk", "body").iterator(chunk_size=200):
        Lecture.objects.filter(pk=lecture.pk).update(body_html=render_lecture(lecture.body))


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_search_indexes")]

    operations = [migrations.RunPython(render_all, migrations.RunPython.noop)]
