from django.db import migrations, models


def copy_parts_of_running_rooms(apps, schema_editor):
    """A room saved before its players and board were kept apart has them inline;
    its next step writes a snapshot without them, so they go into the columns now."""
    Contest = apps.get_model("contests", "Contest")
    running = Contest.objects.exclude(status="finished").exclude(snapshot__isnull=True)
    for contest in running.iterator():
        contest.snapshot_players = contest.snapshot.get("players")
        contest.snapshot_board = contest.snapshot.get("board")
        contest.save(update_fields=["snapshot_players", "snapshot_board"])


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0003_stage_rounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="contest",
            name="snapshot_board",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contest",
            name="snapshot_players",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="contest",
            name="snapshot",
            field=models.JSONField(
                blank=True,
                help_text=(
                    "the room as of its last step (contests.engine.room_to_dict, version 1); "
                    "while it runs, without its players and board, which are kept apart"
                ),
                null=True,
            ),
        ),
        migrations.RunPython(copy_parts_of_running_rooms, migrations.RunPython.noop),
    ]
