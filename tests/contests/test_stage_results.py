"""On stage, the final table's right answers follow the judge's corrections and
voids (``stage.answer_tally``), as the scores do."""

from contests import engine as e
from contests import games
from contests import stage as s

from .test_stage_engine import T0, A, B, play, rnd, started


def tally_of(state):
    return {
        row["team"]: (row["correct"], row["answered"], row["score"])
        for row in games.STAGE.results(state)
    }


def test_right_answers_honour_the_judges_corrections_and_voids():
    # given 必答: A answers Q1 (judged right), B answers Q2 (judged wrong)
    state, _ = started(rnd("bida", 3))
    state, _ = play(state, s.Judge(T0 + 2000, "right"), e.Next(T0 + 3000))
    state, _ = play(state, s.Judge(T0 + 4000, "wrong"))
    assert tally_of(state)[A][:2] == (1, 1) and tally_of(state)[B][:2] == (0, 1)
    # when the judge corrects: A's answer was wrong after all, B's right
    state, _ = play(state, s.Correct(T0 + 5000, 1, "wrong"), s.Correct(T0 + 5100, 2, "right"))
    # then the right answers follow, beside the scores
    tally = tally_of(state)
    assert tally[A][:2] == (0, 1) and tally[B][:2] == (1, 1)
    assert tally[B][2] > tally[A][2]
    # a correction of the correction counts as the latest says
    state, _ = play(state, s.Correct(T0 + 5200, 3, "right"))  # entry 3 corrected entry 1
    assert tally_of(state)[A][:2] == (1, 1)
    # a voided question's answer counts for nobody
    state, _ = play(state, e.Void(T0 + 6000, 2))
    assert tally_of(state)[B][:2] == (0, 0)
    # the stage's own ranking rows agree with the scores of the table
    scores = {row["name"]: row["score"] for row in s.ranking(state)}
    assert all(scores[team] == score for team, (_r, _a, score) in tally_of(state).items())
