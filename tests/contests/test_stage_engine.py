"""The on-stage engine (必答 / 抢答 / 风险题 / 加赛), with an injected clock."""

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contests import engine as e
from contests import games, protocol, texts
from contests import stage as s

T0 = 1_700_000_000_000
A, B, C = "一支部", "二支部", "三支部"
TEAM_OF = {"a1": A, "a2": A, "b1": B, "b2": B, "c1": C, "c2": C, "x": "机关党委"}
VALIDATORS = {
    name: jsonschema.Draft202012Validator(schema)
    for name, (_text, schema) in protocol.SERVER_MESSAGES.items()
}


def check(message: dict) -> None:
    """Every message matches its schema in the catalogue, as the edge sends it
    (``texts.localise`` fills an error's ``message``)."""
    assert message["type"] in VALIDATORS, message["type"]
    VALIDATORS[message["type"]].validate(texts.localise(message))


def choice(qid, key="B", points=1000):
    options = [{"key": k, "text": f"选项{k}"} for k in "ABCD"]
    return e.Question(qid, "single", f"第{qid}题", options, [key], points)


def fill(qid):
    """A fill-in whose answer is a word that appears nowhere else: ``秘答{qid}``."""
    return e.Question(qid, "fill", f"填空第{qid}题（　）", [], [[f"秘答{qid}"]])


def rnd(fmt, n=3, start=1, **rules):
    return s.RoundSpec(fmt, f"{fmt}轮", [choice(start + i) for i in range(n)], rules)


def teams(mode_a="captain", mode_b="members", mode_c="captain"):
    return [s.TeamSpec(A, mode_a), s.TeamSpec(B, mode_b), s.TeamSpec(C, mode_c)]


def make(*rounds, team_specs=None, **kw):
    return s.new_room("654321", list(rounds), team_specs or teams(), **kw)


def play(state, *events):
    """Applies the events; checks that ``apply`` leaves its input alone and that
    every message matches its schema."""
    outs = []
    for event in events:
        before = s.room_to_dict(state)
        previous = state
        state, out = s.apply(state, event)
        assert s.room_to_dict(previous) == before, event
        for o in out:
            check(o.message)
        outs += out
    return state, outs


def joined(state, *players):
    """Captains first (a1, b1, c1), then members and a spectator (x)."""
    players = players or ("a1", "b1", "c1", "a2", "b2", "x")
    return play(state, *(e.Join(T0, p, p.upper(), TEAM_OF[p]) for p in players))[0]


def of_type(outs, kind, to=None):
    return [o.message for o in outs if o.message["type"] == kind and (to is None or o.to == to)]


def errors(outs):
    return [o.message["code"] for o in outs if o.message["type"] == "error"]


def started(*rounds, **kw):
    state = joined(make(*rounds, **kw))
    return play(state, e.Start(T0 + 1000))


# --- 必答 ----------------------------------------------------------------------------------------


def test_bida_rotation_with_the_other_devices_locked():
    state, outs = started(rnd("bida", 4))
    turn = of_type(outs, "turn", e.PLAYERS)[0]
    assert (turn["team"], turn["order"], turn["step"]) == (A, [A, B, C], "answering")
    assert turn["eligible"] == [A] and turn["ends_at"] == T0 + 1000 + 20_000
    assert "judge_key" not in turn and of_type(outs, "turn", e.HOST)[0]["judge_key"] == ["B"]
    # the other teams' devices are locked, the spectator too
    state, outs = play(
        state,
        e.SubmitAnswer(T0 + 2000, "b1", 1, {"choices": ["B"]}),
        e.SubmitAnswer(T0 + 2000, "x", 1, {"choices": ["B"]}),
    )
    assert [m["reason"] for m in of_type(outs, "answer_ack")] == ["locked", "locked"]
    assert s.state_payload(state, T0, player="b1")["stage"]["you"]["can_act"] is False
    assert s.state_payload(state, T0, player="a1")["stage"]["you"]["can_act"] is True
    state, outs = play(state, e.SubmitAnswer(T0 + 3000, "a1", 1, {"choices": ["B"]}))
    verdict = of_type(outs, "verdict")[0]
    assert (verdict["team"], verdict["result"], verdict["by"], verdict["delta"]) == (
        A,
        "right",
        "auto",
        10,
    )
    assert of_type(outs, "reveal")[0]["correct"] == ["B"] and state.phase == e.REVEAL
    # B: partial (half); C: the time runs out (wrong = 0); then A again
    state, outs = play(state, e.Next(T0 + 4000), s.Judge(T0 + 5000, "partial"))
    assert of_type(outs, "turn", e.SCREEN)[0]["team"] == B
    assert of_type(outs, "verdict")[0]["delta"] == 5
    state, outs = play(state, e.Next(T0 + 6000), e.Tick(T0 + 6000 + 19_999))
    assert of_type(outs, "turn", e.SCREEN)[0]["team"] == C and not of_type(outs, "verdict")
    state, outs = play(state, e.Tick(T0 + 6000 + 20_000))
    timeout = of_type(outs, "verdict")[0]
    assert (timeout["kind"], timeout["result"], timeout["by"], timeout["delta"]) == (
        "timeout",
        "timeout",
        "system",
        0,
    )
    state, outs = play(state, e.Next(T0 + 30_000))
    assert of_type(outs, "turn", e.SCREEN)[0]["team"] == A
    assert s.team_scores(state) == {A: 110, B: 105, C: 100}


def test_bida_rules_are_configurable():
    rules = {"points": None, "wrong": -5, "partial_pct": 25, "answer_ms": None}
    bida = s.RoundSpec("bida", "必答", [choice(1, points=20), choice(2)], rules)
    state, _ = started(bida)
    assert state.ends_at == T0 + 1000 + 20_000  # the question's own duration
    state, outs = play(state, s.Judge(T0 + 2000, "partial"))
    assert of_type(outs, "verdict")[0]["delta"] == 5  # 25 % of the question's 20 points
    state, outs = play(state, e.Next(T0 + 3000), s.Judge(T0 + 4000, "wrong"))
    assert of_type(outs, "verdict")[0]["delta"] == -5
    with pytest.raises(ValueError):
        s.RoundSpec("bida", "x", [choice(1)], {"bonus": 3})
    with pytest.raises(ValueError):
        s.RoundSpec("qiangda", "x", [choice(1)], {"wrong": 10})
    with pytest.raises(ValueError):
        s.RoundSpec("risk", "x", [choice(1)], {"order": "random"})
    with pytest.raises(ValueError):
        make(s.RoundSpec("tiebreak", "x", [choice(1)]))


# --- 抢答 ----------------------------------------------------------------------------------------


def test_early_buzz_is_penalised_once_and_the_question_goes_on():
    state, _ = started(rnd("qiangda"))
    assert state.step == "reading" and s.next_deadline(state) is None
    state, outs = play(state, s.Buzz(T0 + 2000, "a1", 1))
    assert of_type(outs, "buzz_result", "a1")[0]["reason"] == "early"
    early = of_type(outs, "buzzer")[0]
    assert (early["state"], early["team"], early["delta"], early["voided"]) == (
        "early",
        A,
        -10,
        False,
    )
    assert of_type(outs, "verdict")[0]["kind"] == "early_buzz"
    assert of_type(outs, "audit", e.HOST)[0]["entries"][0]["result"] == "early"
    state, outs = play(state, s.Buzz(T0 + 2100, "a1", 1))  # again: no second penalty
    assert not of_type(outs, "verdict") and s.team_scores(state)[A] == 90
    # a buzz received before the signal but applied after it is early as well
    state, outs = play(state, s.OpenBuzzer(T0 + 3000), s.Buzz(T0 + 2999, "b1", 1))
    assert of_type(outs, "buzz_result", "b1")[0]["reason"] == "early"
    assert s.team_scores(state) == {A: 90, B: 90, C: 100}
    # the penalised team may still buzz once the buzzer is open
    state, outs = play(state, s.Buzz(T0 + 3100, "a1", 1), e.Tick(T0 + 3220))
    assert of_type(outs, "buzzer")[0] == {
        "type": "buzzer",
        "seq": 1,
        "state": "won",
        "team": A,
        "margin_ms": None,
        "ends_at": T0 + 3220 + 20_000,
        "server_now": T0 + 3220,
    }


def test_early_buzz_voids_the_question_when_configured():
    state, _ = started(rnd("qiangda", void_on_early=True))
    state, outs = play(state, s.Buzz(T0 + 2000, "c1", 1))
    assert [v["kind"] for v in of_type(outs, "verdict")] == ["early_buzz", "void"]
    assert of_type(outs, "buzzer")[0]["voided"] is True
    reveal = of_type(outs, "reveal")[0]
    assert reveal["voided"] is True and state.phase == e.REVEAL
    assert s.team_scores(state)[C] == 90  # the penalty stands
    state, outs = play(state, s.OpenBuzzer(T0 + 3000))
    assert errors(outs) == ["phase"]
    # the judge voiding a question takes back its early-buzz penalties too
    state, _ = started(rnd("qiangda"))
    state, _ = play(state, s.Buzz(T0 + 2000, "c1", 1), e.Void(T0 + 2500, 1))
    assert s.team_scores(state)[C] == 100


def test_first_buzz_by_server_time_wins_even_when_applied_out_of_order():
    state, _ = started(rnd("qiangda"))
    opened = T0 + 2000
    state, outs = play(state, s.OpenBuzzer(opened))
    assert of_type(outs, "buzzer")[0]["ends_at"] == opened + 15_000
    assert s.next_deadline(state) == opened + 15_000
    state, outs = play(state, s.Buzz(opened + 300, "b1", 1))  # applied first, received later
    assert of_type(outs, "buzz_result", "b2")[0]["accepted"]  # to the team's members
    assert s.next_deadline(state) == opened + 300 + 120
    state, _ = play(state, s.Buzz(opened + 260, "a1", 1), s.Buzz(opened + 310, "c1", 1))
    assert s.next_deadline(state) == opened + 260 + 120
    state, outs = play(state, s.Buzz(opened + 270, "a1", 1))
    assert of_type(outs, "buzz_result")[0]["reason"] == "duplicate"
    state, outs = play(state, e.Tick(opened + 379))
    assert outs == [] and state.step == "buzzing"
    state, outs = play(state, e.Tick(opened + 380))
    won = of_type(outs, "buzzer")[0]
    assert (won["state"], won["team"], won["margin_ms"]) == ("won", A, 40)
    assert state.step == "answering" and s.next_deadline(state) == opened + 380 + 20_000
    state, outs = play(state, s.Buzz(opened + 390, "b1", 1))
    assert of_type(outs, "buzz_result")[0]["reason"] == "closed"


def test_equal_times_go_to_the_buzz_applied_first():
    state, _ = started(rnd("qiangda"))
    state, outs = play(
        state,
        s.OpenBuzzer(T0 + 2000),
        s.Buzz(T0 + 2100, "c1", 1),
        s.Buzz(T0 + 2100, "b1", 1),
        e.Close(T0 + 2150),  # the host decides at once
    )
    won = of_type(outs, "buzzer")[-1]
    assert (won["team"], won["margin_ms"]) == (C, 0)


def test_a_wrong_answer_passes_the_question_on():
    state, _ = started(rnd("qiangda"))
    state, outs = play(
        state,
        s.OpenBuzzer(T0 + 2000),
        s.Buzz(T0 + 2100, "a1", 1),
        e.Tick(T0 + 2220),
        s.Judge(T0 + 5000, "wrong"),
    )
    assert of_type(outs, "verdict")[-1]["delta"] == -10
    reopened = of_type(outs, "buzzer")[-1]
    assert (reopened["state"], reopened["eligible"]) == ("open", [B, C])
    assert reopened["ends_at"] == T0 + 5000 + 15_000
    state, outs = play(state, s.Buzz(T0 + 5100, "a1", 1))
    assert of_type(outs, "buzz_result")[0]["reason"] == "answered"
    # B wins and answers wrong on a device; C gets it and answers right
    state, outs = play(
        state,
        s.Buzz(T0 + 5200, "b1", 1),
        e.Tick(T0 + 5320),
        e.SubmitAnswer(T0 + 6000, "b2", 1, {"choices": ["A"]}),
        e.SubmitAnswer(T0 + 6001, "b1", 1, {"choices": ["B"]}),
    )
    assert [m.get("reason") for m in of_type(outs, "answer_ack")] == [None, "duplicate"]
    assert of_type(outs, "buzzer")[-1]["eligible"] == [C]
    state, outs = play(
        state, s.Buzz(T0 + 7000, "c1", 1), e.Tick(T0 + 7120), s.Judge(T0 + 8000, "right")
    )
    assert of_type(outs, "reveal") and s.team_scores(state) == {A: 90, B: 90, C: 110}
    # nobody left to pass to after everyone answered
    state, _ = started(rnd("qiangda"))
    for i, captain in enumerate(["a1", "b1", "c1"]):
        at = T0 + 10_000 * (i + 1)
        state, outs = play(
            state,
            *([s.OpenBuzzer(at - 10)] if i == 0 else []),
            s.Buzz(at, captain, 1),
            e.Tick(at + 120),
            s.Judge(at + 500, "wrong"),
        )
    assert of_type(outs, "reveal") and state.phase == e.REVEAL


def test_no_pass_on_when_disabled():
    state, _ = started(rnd("qiangda", pass_on=False))
    state, outs = play(
        state,
        s.OpenBuzzer(T0 + 2000),
        s.Buzz(T0 + 2100, "a1", 1),
        e.Tick(T0 + 2220),
        s.Judge(T0 + 5000, "wrong"),
    )
    assert of_type(outs, "reveal") and state.phase == e.REVEAL
    assert not [m for m in of_type(outs, "buzzer") if m["state"] == "open"][1:]


def test_the_answer_times_out():
    state, _ = started(rnd("qiangda"))
    state, outs = play(
        state, s.OpenBuzzer(T0 + 2000), s.Buzz(T0 + 2100, "a1", 1), e.Tick(T0 + 2220)
    )
    assert s.next_deadline(state) == T0 + 2220 + 20_000
    state, outs = play(state, e.Tick(T0 + 22_219))
    assert outs == []
    state, outs = play(state, e.Tick(T0 + 22_220))
    verdict = of_type(outs, "verdict")[0]
    assert (verdict["kind"], verdict["result"], verdict["delta"]) == ("timeout", "timeout", -10)
    assert state.step == "buzzing"  # passed on


def test_nobody_buzzes():
    state, _ = started(rnd("qiangda"))
    state, _ = play(state, s.OpenBuzzer(T0 + 2000))
    state, outs = play(state, e.Tick(T0 + 16_999))
    assert outs == []
    state, outs = play(state, s.Buzz(T0 + 17_000, "a1", 1))  # the window ended
    assert of_type(outs, "buzz_result")[0]["reason"] == "closed"
    state, outs = play(state, e.Tick(T0 + 17_000))
    assert [m["type"] for m in (o.message for o in outs)] == ["buzzer", "reveal"]
    assert of_type(outs, "buzzer")[0]["state"] == "closed"
    assert not of_type(outs, "verdict") and set(s.team_scores(state).values()) == {100}
    assert s.next_deadline(state) is None


# --- 风险题 --------------------------------------------------------------------------------------


def _scored_then_risk(order="score_desc", stakes=(13, 27, 41)):
    """必答: A wrong (100), B right (110), C partial (105); then a risk round."""
    state, _ = started(rnd("bida", 3), rnd("risk", 3, start=4, order=order, stakes=list(stakes)))
    for i, result in enumerate(["wrong", "right", "partial"]):
        state, _ = play(state, s.Judge(T0 + 2000 + i * 100, result), e.Next(T0 + 2050 + i * 100))
    return state


def stake_values_seen(message: dict) -> list:
    """Every stake value a message carries."""
    if message["type"] == "stake_ack":
        return [message.get("points")]
    found = [message["stake"]] if "stake" in message else []
    stage = message.get("stage") or {}
    return found + [item["points"] for item in stage.get("stakes", [])]


def test_risk_stakes_are_hidden_until_the_reveal_then_applied():
    state = _scored_then_risk()
    assert state.order == [B, C, A] and (state.team, state.step) == (B, "staking")
    assert s.next_deadline(state) == state.opened_at + 30_000
    snapshot = s.state_payload(state, T0, player="a1")["stage"]
    assert "question" not in snapshot and snapshot["allowed_stakes"] == [13, 27, 41]
    at = state.opened_at
    state, outs = play(
        state,
        s.Stake(at + 100, "a1", 4, 27),  # not A's turn
        s.Stake(at + 100, "b2", 4, 27),  # not the captain
        s.Stake(at + 100, "b1", 4, 15),  # not an allowed stake
        s.Stake(at + 100, "x", 4, 27),
    )
    reasons = [m["reason"] for m in of_type(outs, "stake_ack")]
    assert reasons == ["not_your_turn", "not_captain", "invalid", "spectator"]
    state, outs = play(state, s.Stake(at + 200, "b1", 4, 27))
    told = {o.to for o in outs if o.message["type"] == "stake_ack"}
    assert told == {"b1", "b2", e.HOST}
    for out in outs:
        if out.to not in ("b1", "b2", e.HOST):
            assert 27 not in stake_values_seen(out.message), out
    turn = of_type(outs, "turn", e.SCREEN)[0]
    assert turn["step"] == "answering" and turn["question"]["seq"] == 4
    assert s.next_deadline(state) == at + 200 + 20_000
    for viewer in ({"player": "a1"}, {"role": e.SCREEN}, {"player": "x"}):
        assert s.state_payload(state, T0, **viewer)["stage"]["stakes"] == []
    assert s.state_payload(state, T0, player="b2")["stage"]["stakes"][0]["points"] == 27
    assert s.state_payload(state, T0, role=e.HOST)["stage"]["stakes"][0]["points"] == 27
    state, outs = play(state, s.Judge(at + 1000, "right"))
    verdict = of_type(outs, "verdict")[0]
    assert (verdict["delta"], verdict["stake"]) == (27, 27) and of_type(outs, "reveal")
    assert s.state_payload(state, T0, player="a1")["stage"]["stakes"][0]["points"] == 27
    # C lets the time run out: the smallest stake; a partial answer loses it
    state, outs = play(state, e.Next(at + 2000), e.Tick(at + 2000 + 30_000))
    ack = of_type(outs, "stake_ack", e.HOST)[0]
    assert (ack["team"], ack["points"], ack["auto"]) == (C, 13, True)
    state, outs = play(state, s.Judge(at + 33_000, "partial"))
    assert of_type(outs, "verdict")[0]["delta"] == -13
    # A stakes high and is wrong
    state, _ = play(state, e.Next(at + 40_000))
    state, outs = play(state, s.Stake(at + 40_100, "a1", 6, 41), s.Judge(at + 41_000, "wrong"))
    assert of_type(outs, "verdict")[0]["delta"] == -41
    assert s.team_scores(state) == {A: 59, B: 137, C: 92}


@pytest.mark.parametrize(
    ("order", "expected"),
    [("score_desc", [B, C, A]), ("score_asc", [A, C, B]), ("rotation", [A, B, C])],
)
def test_risk_order(order, expected):
    state = _scored_then_risk(order)
    assert state.order == expected and state.team == expected[0]


def test_risk_order_ties_keep_the_team_order_and_is_not_recomputed():
    state, _ = started(rnd("risk", 3))
    assert state.order == [A, B, C]
    # corrections after the round started do not reorder it
    state = _scored_then_risk()
    state, _ = play(state, s.Correct(T0 + 9000, 1, "right"))  # A's 必答 answer was right
    assert s.team_scores(state)[A] == 110 and state.order == [B, C, A]


# --- 加赛 ----------------------------------------------------------------------------------------


def _tied_after_qiangda():
    """A and B each win a 抢答 question: a tie for first place (110), C behind."""
    state, _ = started(rnd("qiangda", 2), reserve=[choice(91), choice(92), choice(93)])
    for seq, captain in ((1, "a1"), (2, "b1")):
        at = T0 + seq * 10_000
        state, _ = play(
            state,
            s.OpenBuzzer(at),
            s.Buzz(at + 10, captain, seq),
            e.Tick(at + 130),
            s.Judge(at + 500, "right"),
        )
        if seq == 1:
            state, _ = play(state, e.Next(at + 900))
    return state


def test_a_tie_for_first_needs_the_tiebreak_or_end():
    state = _tied_after_qiangda()
    assert s.state_payload(state, T0, role=e.HOST)["stage"]["tie"] is True
    state, outs = play(state, e.Next(T0 + 30_000))
    assert errors(outs) == ["tie"] and state.phase == e.REVEAL
    state, outs = play(state, e.End(T0 + 31_000))
    finished = of_type(outs, "finished")[0]
    assert [(t["rank"], t["name"]) for t in finished["podium"]] == [(1, A), (1, B), (3, C)]


def test_the_tiebreak_goes_on_until_one_team_leads():
    state = _tied_after_qiangda()
    state, outs = play(state, s.TieBreak(T0 + 30_000))
    turn = of_type(outs, "turn", e.SCREEN)[0]
    assert (turn["format"], turn["eligible"], turn["step"]) == ("tiebreak", [A, B], "reading")
    assert turn["question"]["text"] == "第91题"
    state, outs = play(state, s.TieBreak(T0 + 30_001))
    assert errors(outs) == ["phase"]
    # C may not buzz; nobody else does: still tied
    state, outs = play(
        state, s.OpenBuzzer(T0 + 31_000), s.Buzz(T0 + 31_100, "c1", 3), e.Tick(T0 + 46_000)
    )
    assert of_type(outs, "buzz_result")[0]["reason"] == "not_eligible"
    assert of_type(outs, "reveal") and s.leaders(state) == [A, B]
    state, outs = play(state, e.Next(T0 + 50_000))
    assert of_type(outs, "turn", e.SCREEN)[0]["question"]["text"] == "第92题"
    # B buzzes first and is right
    state, outs = play(
        state,
        s.OpenBuzzer(T0 + 51_000),
        s.Buzz(T0 + 51_100, "b1", 4),
        s.Buzz(T0 + 51_150, "a1", 4),
        e.Tick(T0 + 51_220),
        s.Judge(T0 + 52_000, "right"),
    )
    assert of_type(outs, "buzzer")[-1]["margin_ms"] == 50
    state, outs = play(state, e.Next(T0 + 53_000))
    assert state.phase == e.FINISHED
    assert [(t["rank"], t["name"]) for t in of_type(outs, "finished")[0]["teams"]] == [
        (1, B),
        (2, A),
        (3, C),
    ]


def test_tiebreak_refusals():
    state, _ = started(rnd("qiangda", 1))
    state, outs = play(state, s.TieBreak(T0 + 2000))
    assert errors(outs) == ["phase"]  # not over yet
    state, outs = play(state, s.OpenBuzzer(T0 + 3000), e.Tick(T0 + 18_000))
    state, outs = play(state, s.TieBreak(T0 + 20_000))
    assert errors(outs) == ["reserve"]  # all three tied, but no reserve questions
    state = _tied_after_qiangda()
    state.reserve = state.reserve[:1]
    state, _ = play(state, s.TieBreak(T0 + 30_000), s.OpenBuzzer(T0 + 31_000))
    state, outs = play(state, e.Tick(T0 + 46_000), e.Next(T0 + 47_000))
    assert errors(outs) == ["reserve"]
    state, outs = play(state, e.End(T0 + 48_000))
    assert state.phase == e.FINISHED


def test_no_tiebreak_without_a_tie():
    state, _ = started(rnd("bida", 1))
    state, outs = play(state, s.Judge(T0 + 2000, "right"), s.TieBreak(T0 + 3000))
    assert errors(outs) == ["no_tie"]
    state, outs = play(state, e.Next(T0 + 4000))
    assert state.phase == e.FINISHED and of_type(outs, "finished")[0]["podium"][0]["name"] == A


# --- the judge: corrections, voids ---------------------------------------------------------------


def test_a_correction_recomputes_the_standings():
    state, _ = started(rnd("bida", 2))
    state, _ = play(state, s.Judge(T0 + 2000, "right"), e.Next(T0 + 3000))
    state, _ = play(state, s.Judge(T0 + 4000, "partial"))
    assert [r["name"] for r in s.ranking(state)] == [A, B, C]
    state, outs = play(state, s.Correct(T0 + 5000, 1, "wrong"))
    verdict = of_type(outs, "verdict")[0]
    assert (verdict["kind"], verdict["corrects"], verdict["delta"]) == ("correction", 1, -10)
    assert verdict["changes"] == {A: -10}
    assert [r["name"] for r in verdict["scores"]] == [B, A, C]
    entries = {m["id"]: m for m in of_type(outs, "audit", e.HOST)[0]["entries"]}
    assert entries[1]["effective"] == 0 and entries[3]["corrects"] == 1
    # a correction of a correction corrects the same answer
    state, outs = play(state, s.Correct(T0 + 6000, 3, "partial"))
    assert of_type(outs, "verdict")[0]["corrects"] == 1 and s.team_scores(state)[A] == 105
    state, outs = play(
        state,
        s.Correct(T0 + 7000, 1, "partial"),  # unchanged
        s.Correct(T0 + 7000, 99, "right"),
        s.Correct(T0 + 7000, 1, "maybe"),
    )
    assert errors(outs) == ["unchanged", "entry", "result"]
    assert [(r["rank"], r["name"]) for r in s.ranking(state)] == [(1, A), (1, B), (3, C)]


def test_void_zeroes_a_question_and_ends_it_if_open():
    state, _ = started(rnd("qiangda", 3))
    state, _ = play(
        state,
        s.OpenBuzzer(T0 + 2000),
        s.Buzz(T0 + 2100, "a1", 1),
        e.Tick(T0 + 2220),
        s.Judge(T0 + 3000, "right"),
        e.Next(T0 + 4000),
        s.OpenBuzzer(T0 + 5000),
        s.Buzz(T0 + 5100, "b1", 2),
        e.Tick(T0 + 5220),
    )
    state, outs = play(state, e.Void(T0 + 6000, 1))
    assert of_type(outs, "verdict")[0]["changes"] == {A: -10} and not of_type(outs, "reveal")
    state, outs = play(state, e.Void(T0 + 7000, 2))  # B holds the floor: the question ends
    assert of_type(outs, "reveal")[0]["voided"] is True and state.phase == e.REVEAL
    state, outs = play(state, e.Void(T0 + 8000, 2), e.Void(T0 + 8000, 3), s.Judge(T0, "right"))
    assert errors(outs) == ["voided", "seq", "phase"]
    assert [entry.kind for entry in state.log] == ["answer", "void", "void"]
    assert set(s.team_scores(state).values()) == {100}


# --- teams, captains, spectators -----------------------------------------------------------------


def test_members_mode_any_member_answers_but_only_the_captain_buzzes():
    state, _ = started(rnd("qiangda"))
    assert state.teams[1].captain == "b1"  # the first of B to join
    state, outs = play(state, s.OpenBuzzer(T0 + 2000), s.Buzz(T0 + 2100, "b2", 1))
    assert of_type(outs, "buzz_result")[0]["reason"] == "not_captain"
    state, outs = play(state, s.Buzz(T0 + 2200, "b1", 1), e.Tick(T0 + 2320))
    assert s.state_payload(state, T0, player="b2")["stage"]["you"] == {
        "name": "B2",
        "team": B,
        "captain": False,
        "spectator": False,
        "can_act": True,
    }
    state, outs = play(state, e.SubmitAnswer(T0 + 3000, "b2", 1, {"choices": ["B"]}))
    assert of_type(outs, "answer_ack")[0]["accepted"]
    assert of_type(outs, "verdict")[0]["by"] == "auto" and s.team_scores(state)[B] == 110


def test_captain_mode_plays_from_the_captains_device_alone():
    state, _ = started(rnd("qiangda"))
    state, _ = play(state, s.OpenBuzzer(T0 + 2000), s.Buzz(T0 + 2100, "a1", 1), e.Tick(T0 + 2220))
    state, outs = play(state, e.SubmitAnswer(T0 + 3000, "a2", 1, {"choices": ["B"]}))
    assert of_type(outs, "answer_ack")[0]["reason"] == "locked"
    state, outs = play(state, e.SubmitAnswer(T0 + 3000, "a1", 1, {"choices": ["C"]}))
    assert of_type(outs, "verdict")[0]["result"] == "wrong"
    audit = of_type(outs, "audit", e.HOST)[0]["entries"][0]
    assert audit["response"] == {"choices": ["C"]} and audit["by"] == "auto"


def test_set_captain_and_designated_captains():
    specs = [s.TeamSpec(A, captain="a2"), s.TeamSpec(B, "members"), s.TeamSpec(C)]
    state = joined(make(rnd("qiangda"), team_specs=specs), "a1", "b1", "c1", "x")
    assert state.teams[0].captain == "a2"  # designated, not yet here
    state = joined(state, "a2")
    # a designated captain joins their team whatever their branch says
    state, _ = play(state, e.Join(T0, "dev", "投屏机", None), s.SetCaptain(T0, C, "dev"))
    assert state.players["dev"].team == C and state.teams[2].captain == "dev"
    state, outs = play(state, s.SetCaptain(T0, A, "a1"))
    mine = next(o.message for o in outs if o.to == "a1")
    assert mine["stage"]["you"]["captain"] is True
    assert {o.to for o in outs} >= {"a1", "a2", e.HOST, e.SCREEN}
    host_teams = s.state_payload(state, T0, role=e.HOST)["stage"]["teams"]
    assert (host_teams[0]["captain"], host_teams[0]["captain_id"]) == ("A1", "a1")
    state, outs = play(
        state,
        s.SetCaptain(T0, A, "b1"),  # another team's member
        s.SetCaptain(T0, "无此队", "a1"),
    )
    assert errors(outs) == ["captain", "team"]
    # a kicked captain hands over to the next member
    state, _ = play(state, e.Kick(T0, "a1"))
    assert state.teams[0].captain == "a2"


def test_spectators_watch_but_cannot_act():
    state, _ = started(rnd("qiangda"), rnd("risk", 1, start=9))
    you = s.state_payload(state, T0, player="x")["stage"]["you"]
    assert you["spectator"] is True and you["can_act"] is False and you["team"] == "机关党委"
    state, outs = play(state, s.OpenBuzzer(T0 + 2000), s.Buzz(T0 + 2100, "x", 1))
    assert of_type(outs, "buzz_result")[0]["reason"] == "spectator"
    state, outs = play(state, s.Buzz(T0 + 2100, "nobody", 1), e.Kick(T0, "c2"))
    assert errors(outs) == ["join", "unknown_player"]


def test_late_joiners_and_locking():
    state, _ = started(rnd("bida"))
    state, outs = play(state, e.Join(T0 + 5000, "c2", "C2", C))
    snapshot = of_type(outs, "state", "c2")[0]
    assert snapshot["stage"]["you"]["team"] == C and "correct" not in json.dumps(snapshot)
    state, outs = play(state, e.Lock(T0 + 6000), e.Join(T0 + 7000, "late", "迟到", A))
    assert errors(outs) == ["locked"] and "late" not in state.players


# --- engine behaviour ----------------------------------------------------------------------------


def test_apply_does_not_change_its_input_and_refuses_unknown_events():
    state, _ = started(rnd("bida"))
    before = s.room_to_dict(state)
    after, outs = s.apply(state, e.Pause(T0 + 100))
    assert errors(outs) == ["unsupported"] and s.room_to_dict(state) == before
    assert after.version == state.version + 1
    after.version = state.version
    assert after == state
    s.apply(state, s.Judge(T0 + 200, "right"))
    assert s.room_to_dict(state) == before
    state, outs = play(state, e.Next(T0 + 300), e.Start(T0 + 300), e.Close(T0 + 300))
    assert errors(outs) == ["phase", "phase"]  # Close: the answer times out
    assert of_type(outs, "verdict")[0]["kind"] == "timeout"


def test_next_deadline_follows_the_steps():
    state = joined(make(rnd("bida", 1), rnd("qiangda", 1, start=2), rnd("risk", 1, start=3)))
    assert s.next_deadline(state) is None
    state, _ = play(state, e.Start(T0))
    assert s.next_deadline(state) == T0 + 20_000
    state, _ = play(state, s.Judge(T0 + 1000, "right"))
    assert s.next_deadline(state) is None
    state, _ = play(state, e.Next(T0 + 2000))
    assert s.next_deadline(state) is None  # reading: the host opens the buzzer
    state, _ = play(state, s.OpenBuzzer(T0 + 3000))
    assert s.next_deadline(state) == T0 + 18_000
    state, _ = play(state, s.Buzz(T0 + 17_990, "c1", 2))
    assert s.next_deadline(state) == T0 + 17_990 + 120  # past the window's end: still decided
    state, _ = play(state, e.Tick(T0 + 18_110))
    assert s.next_deadline(state) == T0 + 18_110 + 20_000 and state.team == C
    state, _ = play(state, s.Judge(T0 + 19_000, "right"), e.Next(T0 + 20_000))
    assert (state.step, s.next_deadline(state)) == ("staking", T0 + 50_000)
    state, _ = play(state, e.Close(T0 + 21_000))  # the host closes the staking: smallest
    assert state.stakes[3]["points"] == 10 and s.next_deadline(state) == T0 + 41_000


def test_fill_answers_are_graded_and_the_key_goes_to_the_host_alone():
    state, outs = started(s.RoundSpec("bida", "必答", [fill(1), fill(2)]))
    text = {o.to: json.dumps(o.message, ensure_ascii=False) for o in outs}
    assert [to for to, t in text.items() if "秘答1" in t] == [e.HOST]
    for viewer in ({"player": "a1"}, {"role": e.SCREEN}):
        assert "秘答1" not in json.dumps(s.state_payload(state, T0, **viewer), ensure_ascii=False)
    host = s.state_payload(state, T0, role=e.HOST)["stage"]
    assert host["judge_key"] == ["秘答1"]
    state, outs = play(state, e.SubmitAnswer(T0 + 2000, "a1", 1, {"text": "秘答１。"}))
    assert of_type(outs, "verdict")[0]["result"] == "right"
    assert of_type(outs, "reveal")[0]["correct"] == ["秘答1"]


def test_snapshots_round_trip_through_json():
    state = _scored_then_risk()
    state, _ = play(state, s.Stake(state.opened_at + 10, "b1", 4, 41), e.Kick(T0, "x"))
    state, _ = play(state, s.Correct(T0 + 9000, 2, "wrong"))
    data = json.loads(json.dumps(s.room_to_dict(state)))
    assert data["kind"] == "stage" and data["version"] == 1
    restored = s.room_from_dict(data)
    assert restored == state and s.team_scores(restored) == s.team_scores(state)
    assert s.room_to_dict(restored) == s.room_to_dict(state)
    # with buzzes pending a decision
    state, _ = started(rnd("qiangda"), reserve=[fill(9)])
    state, _ = play(state, s.OpenBuzzer(T0 + 10), s.Buzz(T0 + 20, "a1", 1))
    assert s.room_from_dict(json.loads(json.dumps(s.room_to_dict(state)))) == state
    with pytest.raises(ValueError):
        s.room_from_dict(e.room_to_dict(e.Room("1", [choice(1)])))


# --- invariants over random contests -------------------------------------------------------------

PLAYERS_ = ["a1", "a2", "b1", "b2", "c1", "x"]
RESULTS = ["right", "wrong", "partial"]
STAKES = [10, 20, 30, 15]  # 15 is not allowed
# what happens on stage, weighted so that contests get somewhere
OPS = ["drive"] * 24 + ["buzz"] * 4 + ["next", "open", "tick", "judge", "answer", "stake"] * 2
OPS += ["correct", "void", "close", "captain", "kick", "join", "tiebreak", "start"]
# (op, who/which, jitter or amount, flag)
step_strategy = st.tuples(
    st.sampled_from(OPS), st.integers(0, 5), st.integers(0, 300), st.booleans()
)


def random_room(layout):
    """ "full": every format; "short": a tie after the first question is likely."""
    numbers = iter(range(1, 100))

    def questions(n):
        return [fill(next(numbers)) if i % 2 else choice(next(numbers)) for i in range(n)]

    if layout == "short":
        rounds = [s.RoundSpec("qiangda", "抢答", questions(1)), s.RoundSpec("risk", "风险", [])]
        rounds[1].questions = questions(1)
    else:
        rounds = [
            s.RoundSpec("bida", "必答", questions(2)),
            s.RoundSpec("qiangda", "抢答", questions(2)),
            s.RoundSpec("risk", "风险题", questions(2)),
            s.RoundSpec(
                "qiangda", "抢答二", questions(1), {"void_on_early": True, "pass_on": False}
            ),
        ]
    return s.new_room("777777", rounds, teams(), reserve=questions(3))


def drive(step, clock, state):
    """What the host or a team would sensibly do next, so that contests get somewhere."""
    _name, which, amount, flag = step
    if state.phase == e.REVEAL:
        tie = s.state_payload(state, clock)["stage"]["tie"]
        return s.TieBreak(clock) if tie and flag else e.Next(clock)
    if state.step == "reading":
        return s.OpenBuzzer(clock)
    if state.step == "buzzing":
        eligible = [t for t in state.contenders if t not in state.answered]
        if (flag and which < 2) or not eligible:
            return e.Tick(s.next_deadline(state))
        captain = state.team_spec(eligible[which % len(eligible)]).captain or "a1"
        return s.Buzz(clock - amount, captain, state.seq)
    if state.step == "staking":
        captain = state.team_spec(state.team).captain or "a1"
        return s.Stake(clock, captain, state.seq, STAKES[amount % 3])
    if state.step == "answering" and flag:
        captain = state.team_spec(state.team).captain or "a1"
        return to_event(("answer", 0, amount % 50, which % 2 == 0), clock, state, captain)
    if state.step == "answering":
        return s.Judge(clock, RESULTS[which % 3])
    return e.Start(clock)


def to_event(step, clock, state, player=None):
    name, which, amount, flag = step
    if name == "drive":
        return drive(step, clock, state)
    if name == "join":
        player = PLAYERS_[which]
        return e.Join(clock, player, player.upper(), TEAM_OF[player])
    if name == "tick":
        return e.Tick(clock + amount * 60)
    if name == "buzz":
        player = ["a1", "b1", "c1", "a2", "x", "b1"][which]
        return s.Buzz(clock - amount, player, state.seq - (flag and which == 5))
    if name == "stake":
        player = ["a1", "b1", "c1", "b2", "a1", "c1"][which]
        return s.Stake(clock, player, state.seq, STAKES[amount % 4])
    if name == "judge":
        return s.Judge(clock, RESULTS[which % 3])
    if name == "correct":
        return s.Correct(clock, which + 1 + amount % 4, RESULTS[amount % 3])
    if name == "void":
        return e.Void(clock, state.seq - which % 2)
    if name == "answer":
        question = state.question
        if question is not None and question.kind == "fill":
            response = {"text": question.key[0][0] if flag else "不知道"}
        else:
            response = {"choices": ["B" if flag else "A"]}
        player = player or ["a1", "a2", "b2", "c1", "x", "b1"][which]
        return e.SubmitAnswer(clock - amount, player, state.seq, response)
    if name == "captain":
        return s.SetCaptain(clock, [A, B, C][which % 3], PLAYERS_[amount % 6])
    if name == "kick":
        return e.Kick(clock, ["a2", "x"][which % 2])
    simple = {"start": e.Start, "next": e.Next, "close": e.Close, "end": e.End}
    simple |= {"open": s.OpenBuzzer, "tiebreak": s.TieBreak}
    return simple[name](clock)


def expected_delta(state, entry, result):
    """What a verdict is worth, from the defaults, written out independently."""
    round_no, _index = state.asked[entry.seq - 1]
    fmt = state.rounds[round_no - 1].format
    if fmt == "risk":
        stake = state.stakes[entry.seq]["points"]
        return stake if result == "right" else -stake
    if fmt == "bida":
        return {"right": 10, "partial": 5}.get(result, 0)
    return {"right": 10, "partial": 5}.get(result, -10)


def recount(state) -> dict[str, int]:
    """The scores from the audit log, as a person would count them."""
    scores = {t.name: state.base for t in state.teams}
    voided = {x.seq for x in state.log if x.kind == "void"}
    voided_by_judge = {x.seq for x in state.log if x.kind == "void" and x.by == "judge"}
    final: dict[int, int] = {}
    for entry in state.log:
        if entry.kind == "correction":
            final[entry.corrects] = entry.delta  # the latest one counts
    for entry in state.log:
        if entry.kind in ("answer", "timeout") and entry.seq not in voided:
            scores[entry.team] += final.get(entry.id, entry.delta)
        elif entry.kind == "early_buzz" and entry.seq not in voided_by_judge:
            scores[entry.team] += entry.delta
    return scores


def secrets_of(message: dict) -> list:
    """(seq, what) pairs of answer keys or stakes a message carries."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if "correct" in value and "seq" in value:
                found.append((value["seq"], "correct"))
            if "judge_key" in value:
                found.append((value.get("seq", "open"), "judge_key"))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message)
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(step_strategy, min_size=20, max_size=120),
    st.lists(st.integers(0, 4000), min_size=120, max_size=120),
    st.sampled_from(["full", "short"]),
    st.booleans(),
)
def test_random_contests_keep_the_invariants(steps, gaps, layout, end):
    state, _ = play(joined(random_room(layout), "a1", "b1", "c1", "b2"), e.Start(T0))
    clock = T0
    steps = [*steps, ("end", 0, 0, False)] if end else steps
    revealed: set[int] = set()
    floors: dict[int, list[str]] = {}  # seq → teams that won the floor, in order
    holder: str | None = None
    window: dict[str, tuple[int, int]] = {}  # team → (at, arrival) of the open window
    arrivals = 0
    for step, gap in zip(steps, [*gaps, 0], strict=False):
        clock += gap
        event = to_event(step, clock, state)
        for current in games.STAGE.steps(state, event):  # as the runtime steps
            state, outs = s.apply(state, current)
            # the messages of one event go out together: a reveal among them counts
            revealed |= {o.message["seq"] for o in outs if o.message["type"] == "reveal"}
            for out in outs:
                message = out.message
                check(message)
                kind = message["type"]
                if kind == "reveal":
                    holder, window = None, {}
                if out.to != e.HOST:
                    # nothing but a reveal carries the answer to anyone but the judge
                    for seq, what in secrets_of(message):
                        assert what != "judge_key" and seq in revealed, (seq, message)
                    for question_seq in range(1, state.seq + 1):
                        _spec, question = state.question_at(question_seq)
                        if question.kind == "fill" and question_seq not in revealed:
                            text = json.dumps(message, ensure_ascii=False)
                            assert question.key[0][0] not in text
                    # a stake reaches its team and the host only, until the reveal
                    recipient = state.players.get(out.to_player or "")
                    team = recipient.team if recipient is not None else None
                    for seq, stake in state.stakes.items():
                        if seq in revealed or stake["team"] == team:
                            continue
                        assert kind != "stake_ack" or not message["accepted"], message
                        assert "stake" not in message or message["seq"] != seq, message
                        shown = (message.get("stage") or {}).get("stakes", [])
                        assert all(x["seq"] != seq for x in shown), message
                if kind == "buzz_result" and message["accepted"] and message["team"] not in window:
                    arrivals += 1
                    window[message["team"]] = (message["at"], arrivals)
                if kind == "buzzer" and message["state"] == "open":
                    holder, window = None, {}
                if kind == "buzzer" and message["state"] == "won":
                    seq, team = message["seq"], message["team"]
                    assert holder is None, "one team holds the floor at a time"
                    assert team not in floors.setdefault(seq, []), "one floor per team"
                    floors[seq].append(team)
                    ranked = sorted(window.items(), key=lambda item: item[1])
                    assert ranked[0][0] == team, "the earliest buzz of the window wins"
                    margin = ranked[1][1][0] - ranked[0][1][0] if len(ranked) > 1 else None
                    assert message["margin_ms"] == margin
                    holder, window = team, {}
                if kind == "verdict" and message["kind"] in ("answer", "timeout"):
                    assert message["team"] == holder or holder is None
                    holder = None
        assert s.team_scores(state) == recount(state)
    # every verdict is worth what the rules say
    for entry in state.log:
        if entry.kind in ("answer", "timeout", "correction"):
            assert entry.delta == expected_delta(state, entry, entry.result)
        if entry.kind == "early_buzz":
            assert entry.delta == -10
    for viewer in ({"player": "a1"}, {"player": "x"}, {"role": e.SCREEN}, {"role": e.HOST}):
        check(s.state_payload(state, clock, **viewer))
    assert s.room_from_dict(json.loads(json.dumps(s.room_to_dict(state)))) == state
