from django.db import migrations


def questions_asked(contest) -> int:
    """As ``engine.asked_count`` (classic, team) or ``stage.answer_tally``'s
    questions (on stage) count them, from the finished contest's own record."""
    if contest.format == "stage":
        decisions = contest.decisions.values_list("seq", "kind")
        voided = {seq for seq, kind in decisions if kind == "void"}
        return len({seq for seq, _kind in decisions} - voided)
    snapshot = contest.snapshot or {}
    voided = set(snapshot.get("voided") or [])
    return len([s for s in range(1, (snapshot.get("seq") or 0) + 1) if s not in voided])


def backfill(apps, schema_editor):
    """Results recorded before ``asked`` was kept get it from their contest."""
    Contest = apps.get_model("contests", "Contest")
    ContestResult = apps.get_model("contests", "ContestResult")
    for contest in Contest.objects.filter(status="finished").iterator():
        ContestResult.objects.filter(contest=contest).update(asked=questions_asked(contest))


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0005_contestresult_asked"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
