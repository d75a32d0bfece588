"""The contest's invariants, named, for the tests that break things to check."""

from channels.db import database_sync_to_async

from contests import engine, services, stage
from contests.models import Contest, ContestAnswer, ContestDecision, ContestResult


@database_sync_to_async
def no_acknowledged_answer_lost(contest: Contest, acknowledged: set[tuple[int, str]]) -> None:
    """Every answer acknowledged as accepted (``(seq, player)``) is stored."""
    stored = set(ContestAnswer.objects.filter(contest=contest).values_list("seq", "player"))
    missing = acknowledged - stored
    assert not missing, f"acknowledged but not stored: {sorted(missing)}"


@database_sync_to_async
def scores_equal_an_offline_recount(contest: Contest) -> dict[str, int]:
    """The saved results equal the standings recounted from the stored answers
    alone; returns them."""
    contest.refresh_from_db()
    room = services.contest_room(contest, fresh=True)
    room.answers.update(services.stored_answers(ContestAnswer.objects.filter(contest=contest)))
    results = ContestResult.objects.filter(contest=contest)
    for result in results:
        room.players[result.player] = engine.Player(result.player, result.name)
    room.seq = max((a.seq for a in room.answers.values()), default=0)
    recount = {pid: s.score for pid, s in engine.standings(room).items()}
    saved = dict(results.values_list("player", "score"))
    assert saved == recount, (saved, recount)
    return saved


@database_sync_to_async
def team_scores_equal_the_stored_log(contest: Contest) -> dict[str, int]:
    """On stage: the saved team scores equal base + the stored audit log's
    effective deltas; returns them."""
    room = services.contest_stage_replay(contest)
    recount = stage.team_scores(room)
    saved = dict(ContestResult.objects.filter(contest=contest).values_list("team", "score"))
    assert saved == {team: recount[team] for team in saved}, (saved, recount)
    assert ContestDecision.objects.filter(contest=contest).count() == len(room.log)
    return recount


@database_sync_to_async
def results_never_shrink(contest: Contest, room) -> None:
    """Recording results again, from any room (an emptier one rebuilt late),
    leaves the results as they are."""
    before = list(ContestResult.objects.filter(contest=contest).values_list("player", "score"))
    assert services.contest_record_results(contest=contest, room=room) is False
    after = list(ContestResult.objects.filter(contest=contest).values_list("player", "score"))
    assert after == before
