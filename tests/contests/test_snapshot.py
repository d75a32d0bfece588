"""The record of a running room: each step's snapshot, with the players and the
board kept apart and written only by the steps that change them, rebuilds the
room exactly (``services.contest_room``)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contests import engine, services
from contests.models import Contest

from ..factories import make_bank, make_question, make_quiz

T0 = 1_800_000_000_000


def _saved_step(contest, room, event):
    """Applies ``event`` and saves the step as the runtime does; the SQL it ran."""
    after, _ = engine.apply(room, event)
    with CaptureQueriesContext(connection) as queries:
        services.contest_save(contest=contest, before=room, room=after)
    return after, " ".join(q["sql"] for q in queries.captured_queries)


def test_steps_write_the_players_and_board_only_when_they_change(org):
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(2)])
    contest = services.contest_create(host=org.secretary, quiz=quiz)
    room = services.contest_room(contest)

    room, sql = _saved_step(contest, room, engine.Join(T0, "u1", "甲", "一支部"))
    assert "snapshot_players" in sql and "snapshot_board" not in sql
    room, sql = _saved_step(contest, room, engine.Join(T0 + 1, "u2", "乙", "一支部"))
    room, sql = _saved_step(contest, room, engine.Start(T0 + 2))
    assert "snapshot_players" not in sql and "snapshot_board" not in sql  # a few KB
    answer = engine.Answer("u1", 1, {"choices": ["B"]}, T0 + 500, 498)
    room = engine.with_answers(room, {"1:u1": answer})
    room, sql = _saved_step(contest, room, engine.Close(T0 + 1000))
    assert "snapshot_board" in sql and "snapshot_players" not in sql
    room, sql = _saved_step(contest, room, engine.Next(T0 + 2000))
    assert "snapshot_players" not in sql and "snapshot_board" not in sql

    rebuilt = services.contest_room(Contest.objects.get(pk=contest.pk))
    assert rebuilt.players == room.players
    assert rebuilt.board == room.board and rebuilt.board_upto == 1
    assert (rebuilt.phase, rebuilt.seq, rebuilt.ends_at) == (room.phase, 2, room.ends_at)
    assert rebuilt.version == room.version


def test_a_finished_room_keeps_everything_in_its_snapshot(org):
    quiz = make_quiz([make_question(make_bank(), "single")])
    contest = services.contest_create(host=org.secretary, quiz=quiz)
    room = services.contest_room(contest)
    for event in (engine.Join(T0, "u1", "甲"), engine.Start(T0 + 1), engine.End(T0 + 2)):
        room, _ = _saved_step(contest, room, event)
    contest.refresh_from_db()
    assert contest.status == "finished"
    assert [p["id"] for p in contest.snapshot["players"]] == ["u1"]
    assert services.contest_room(contest).players.keys() == {"u1"}
