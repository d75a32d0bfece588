"""The contest engine, with an injected clock: formats, host actions, invariants."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contests import engine as e
from contests import games

T0 = 1_700_000_000_000


def choice(qid, key="B", points=1000, duration=20_000, kind="single"):
    options = [{"key": k, "text": f"选项{k}"} for k in "ABCD"]
    return e.Question(
        qid, kind, f"第{qid}题", options, [key] if kind != "multiple" else key, points, duration
    )


def room(n=3, fmt="classic"):
    return e.Room(code="123456", questions=[choice(i + 1) for i in range(n)], format=fmt)


def play(state, *events):
    outs = []
    for event in events:
        state, out = e.apply(state, event)
        outs += out
    return state, outs


def of_type(outs, kind, to=None):
    return [o.message for o in outs if o.message["type"] == kind and (to is None or o.to == to)]


def test_the_board_is_kept_at_each_reveal_and_a_late_joiner_starts_at_zero():
    state, _ = play(room(2), e.Join(T0, "p1", "甲"), e.Join(T0, "p2", "乙"), e.Start(T0))
    state, _ = play(state, e.SubmitAnswer(T0 + 100, "p1", 1, {"choices": ["B"]}), e.Close(T0 + 200))
    # [score, correct, answered, rank, streak, rank at the last scoreboard sent]
    assert state.board == {"p1": [1000, 1, 1, 1, 1, 1], "p2": [0, 0, 0, 2, 0, 2]}
    state, _ = play(state, e.Join(T0 + 300, "p3", "丙"))
    you = e.state_payload(state, T0 + 400, player="p3")["you"]
    assert (you["score"], you["rank"]) == (0, 2)  # tied with 乙
    state, _ = play(state, e.Kick(T0 + 500, "p1"))
    # recounted; the rank last shown stays (none for 丙, who joined since)
    assert state.board == {"p2": [0, 0, 0, 1, 0, 2], "p3": [0, 0, 0, 1, 0, None]}
    assert e.state_payload(state, T0 + 600, player="p3")["you"]["rank"] == 1


def test_speed_points():
    assert e.speed_points(1000, 300, 20_000) == 1000  # within half a second: all
    assert e.speed_points(1000, 10_000, 20_000) == 750
    assert e.speed_points(1000, 20_000, 20_000) == 500
    assert e.speed_points(1000, 40_000, 20_000) == 500


def test_a_classic_round():
    state, _ = play(room(2), e.Join(T0, "p1", "甲"), e.Join(T0, "p2", "乙"), e.Start(T0 + 1000))
    opened = T0 + 1000
    assert state.phase == e.QUESTION and state.ends_at == opened + 20_000
    state, outs = play(
        state,
        e.SubmitAnswer(opened + 400, "p1", 1, {"choices": ["B"]}),
        e.SubmitAnswer(opened + 10_000, "p2", 1, {"choices": ["B"]}),
    )
    assert [m["accepted"] for m in of_type(outs, "answer_ack")] == [True, True]
    state, outs = play(state, e.Close(opened + 12_000))
    table = e.standings(state)
    assert (table["p1"].score, table["p2"].score) == (1000, 750)
    mine = next(o.message for o in outs if o.to == "p2" and o.message["type"] == "reveal")
    assert mine["you"] == {
        "correct": True,
        "answered": True,
        "points": 750,
        "score": 750,
        "rank": 2,
        "streak": 1,
    }
    assert of_type(outs, "scoreboard")[0]["top"][0]["name"] == "甲"
    # second question: p1 keeps the streak (+100), p2 answers wrong
    state, _ = play(
        state,
        e.Next(opened + 15_000),
        e.SubmitAnswer(opened + 15_100, "p1", 2, {"choices": ["B"]}),
        e.SubmitAnswer(opened + 15_200, "p2", 2, {"choices": ["C"]}),
        e.Close(opened + 16_000),
    )
    table = e.standings(state)
    assert (table["p1"].score, table["p2"].score) == (2100, 750)
    assert table["p2"].accuracy == 0.5
    state, outs = play(state, e.Next(opened + 20_000))
    assert state.phase == e.FINISHED
    assert [p["name"] for p in of_type(outs, "finished")[0]["podium"]] == ["甲", "乙"]


def test_streak_bonus_is_capped():
    state = room(9)
    state, _ = play(state, e.Join(T0, "p", "甲"), e.Start(T0))
    for seq in range(1, 10):
        opened = state.opened_at
        state, _ = play(
            state, e.SubmitAnswer(opened + 100, "p", seq, {"choices": ["B"]}), e.Close(opened + 200)
        )
        if seq < 9:
            state, _ = play(state, e.Next(opened + 300))
    bonuses = [0, 100, 200, 300, 400, 500, 500, 500, 500]
    assert e.standings(state)["p"].score == 9 * 1000 + sum(bonuses)


def test_answers_are_refused_late_twice_closed_or_invalid():
    state, _ = play(room(2), e.Join(T0, "p", "甲"), e.Start(T0))
    state, outs = play(
        state,
        e.SubmitAnswer(T0 + 20_000, "p", 1, {"choices": ["Z"]}),  # no such option
        e.SubmitAnswer(T0 + 20_001, "p", 1, {"choices": ["B"]}),  # after ends_at
        e.SubmitAnswer(T0 + 19_999, "p", 2, {"choices": ["B"]}),  # not the open question
        e.SubmitAnswer(T0 + 19_999, "p", 1, {"choices": ["A"]}),  # accepted
        e.SubmitAnswer(T0 + 19_999, "p", 1, {"choices": ["B"]}),  # first answer wins
        e.SubmitAnswer(T0 + 100, "nobody", 1, {"choices": ["B"]}),
    )
    reasons = [m.get("reason") for m in of_type(outs, "answer_ack")]
    assert reasons == ["invalid", "late", "closed", None, "duplicate", "invalid"]
    assert state.answers["1:p"].response == {"choices": ["A"]}


def test_the_clock_closes_the_question():
    state, _ = play(room(1), e.Join(T0, "p", "甲"), e.Start(T0))
    state, outs = play(state, e.Tick(T0 + 19_000))
    assert outs == [] and state.phase == e.QUESTION
    state, outs = play(state, e.Tick(T0 + 20_001))
    assert state.phase == e.REVEAL and of_type(outs, "reveal")


def test_pause_freezes_the_clock_and_elapsed_time():
    state, _ = play(room(1), e.Join(T0, "p", "甲"), e.Start(T0), e.Pause(T0 + 5_000))
    state, outs = play(state, e.SubmitAnswer(T0 + 6_000, "p", 1, {"choices": ["B"]}))
    assert of_type(outs, "answer_ack")[0]["reason"] == "closed"
    state, _ = play(state, e.Resume(T0 + 65_000))
    assert state.ends_at == T0 + 65_000 + 15_000
    state, _ = play(
        state, e.SubmitAnswer(T0 + 75_000, "p", 1, {"choices": ["B"]}), e.Close(T0 + 76_000)
    )
    assert state.answers["1:p"].elapsed_ms == 15_000  # 5 s before the pause + 10 s after
    assert e.standings(state)["p"].score == e.speed_points(1000, 15_000, 20_000)


def test_ties_share_a_rank():
    state, _ = play(
        room(1),
        e.Join(T0, "a", "甲"),
        e.Join(T0, "b", "乙"),
        e.Join(T0, "c", "丙"),
        e.Start(T0),
        e.SubmitAnswer(T0 + 100, "a", 1, {"choices": ["B"]}),
        e.SubmitAnswer(T0 + 200, "b", 1, {"choices": ["B"]}),
        e.Close(T0 + 1000),
    )
    table = e.standings(state)
    assert (table["a"].rank, table["b"].rank, table["c"].rank) == (1, 1, 3)


def test_late_joiner_starts_at_zero_unless_locked():
    state, _ = play(room(2), e.Join(T0, "a", "甲"), e.Start(T0))
    state, outs = play(state, e.Join(T0 + 1000, "late", "迟到"))
    snapshot = next(o.message for o in outs if o.to == "late")
    assert snapshot["type"] == "state" and snapshot["you"]["score"] == 0
    assert snapshot["question"]["seq"] == 1 and '"correct"' not in json.dumps(snapshot)
    state, _ = play(state, e.Lock(T0 + 2000))
    state, outs = play(state, e.Join(T0 + 3000, "later", "更迟"))
    assert of_type(outs, "error")[0]["code"] == "locked" and "later" not in state.players
    state, outs = play(state, e.Join(T0 + 3000, "a", "甲"))  # a known player reconnects
    assert of_type(outs, "state")


def test_kicked_player_cannot_come_back_or_answer():
    state, _ = play(room(1), e.Join(T0, "a", "甲"), e.Start(T0), e.Kick(T0 + 10, "a"))
    state, outs = play(
        state, e.Join(T0 + 20, "a", "甲"), e.SubmitAnswer(T0 + 30, "a", 1, {"choices": ["B"]})
    )
    assert of_type(outs, "error")[0]["code"] == "kicked"
    assert of_type(outs, "answer_ack")[0]["accepted"] is False


def test_void_and_rescore_recompute_everything():
    state, _ = play(
        room(2),
        e.Join(T0, "a", "甲"),
        e.Join(T0, "b", "乙"),
        e.Start(T0),
        e.SubmitAnswer(T0 + 100, "a", 1, {"choices": ["B"]}),
        e.SubmitAnswer(T0 + 100, "b", 1, {"choices": ["C"]}),
        e.Close(T0 + 1000),
    )
    assert (e.standings(state)["a"].score, e.standings(state)["b"].score) == (1000, 0)
    state, outs = play(state, e.Rescore(T0 + 2000, 1, ["C"]))  # the key was wrong
    assert (e.standings(state)["a"].score, e.standings(state)["b"].score) == (0, 1000)
    assert of_type(outs, "scoreboard")[0]["top"][0]["name"] == "乙"
    state, _ = play(state, e.Void(T0 + 3000, 1))
    assert (e.standings(state)["a"].score, e.standings(state)["b"].score) == (0, 0)
    state, outs = play(state, e.Void(T0 + 3000, 5))
    assert of_type(outs, "error")


def test_team_score_is_fair_to_unequal_sizes():
    state = room(2, fmt="team")
    joins = [e.Join(T0, f"big{i}", f"大{i}", "大支部") for i in range(6)]
    joins += [e.Join(T0, f"small{i}", f"小{i}", "小支部") for i in range(2)]
    state, _ = play(state, *joins, e.Start(T0))
    answers = [e.SubmitAnswer(T0 + 100, f"big{i}", 1, {"choices": ["B"]}) for i in range(3)]
    answers += [e.SubmitAnswer(T0 + 100, f"small{i}", 1, {"choices": ["B"]}) for i in range(2)]
    state, outs = play(state, *answers, e.Close(T0 + 1000))
    teams = {t["name"]: t for t in of_type(outs, "scoreboard")[0]["teams"]}
    # big: mean 500 × half answered = 250; small: mean 1000 × all answered = 1000
    assert (teams["大支部"]["score"], teams["小支部"]["score"]) == (250, 1000)
    assert teams["小支部"]["rank"] == 1


def test_nothing_sent_before_the_reveal_contains_the_key():
    questions = [
        e.Question(1, "single", "单选", [{"key": k, "text": k} for k in "ABCD"], ["C"]),
        e.Question(2, "fill", "填空（　）", [], [["秘密答案"]]),
    ]
    state = e.Room("1", questions)
    state, outs = play(
        state,
        e.Join(T0, "a", "甲"),
        e.Start(T0),
        e.SubmitAnswer(T0 + 5, "a", 1, {"choices": ["A"]}),
    )
    before = [o.message for o in outs]
    state, outs = play(state, e.Close(T0 + 10), e.Next(T0 + 20))
    before += [
        o.message
        for o in outs
        if o.message["type"] != "reveal" and o.message["type"] != "scoreboard"
    ]
    text = json.dumps(before, ensure_ascii=False)
    assert "秘密答案" not in text and '"correct"' not in text
    assert all("key" not in m for m in before)


# --- invariants over random games ----------------------------------------------------------------

event_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 5), st.sampled_from([None, "甲", "乙"])),
        st.tuples(
            st.just("answer"),
            st.integers(0, 5),
            st.integers(0, 4),
            st.sampled_from(["A", "B", "C", "Z"]),
        ),
        st.tuples(st.sampled_from(["start", "next", "close", "tick", "pause", "resume", "end"])),
        st.tuples(st.just("kick"), st.integers(0, 5)),
        st.tuples(st.just("void"), st.integers(0, 4)),
        st.tuples(st.just("rescore"), st.integers(0, 4), st.sampled_from(["A", "B"])),
        st.tuples(st.just("lock"), st.booleans()),
    ),
    max_size=60,
)


def to_event(step, now):
    name = step[0]
    if name == "join":
        return e.Join(now, f"p{step[1]}", f"玩家{step[1]}", step[2])
    if name == "answer":
        return e.SubmitAnswer(now, f"p{step[1]}", step[2], {"choices": [step[3]]})
    if name == "kick":
        return e.Kick(now, f"p{step[1]}")
    if name == "void":
        return e.Void(now, step[1])
    if name == "rescore":
        return e.Rescore(now, step[1], [step[2]])
    if name == "lock":
        return e.Lock(now, step[1])
    return {
        "start": e.Start,
        "next": e.Next,
        "close": e.Close,
        "tick": e.Tick,
        "pause": e.Pause,
        "resume": e.Resume,
        "end": e.End,
    }[name](now)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event_strategy,
    st.lists(st.integers(0, 15_000), min_size=60, max_size=60),
    st.sampled_from(["classic", "team"]),
)
def test_random_games_keep_the_invariants(steps, gaps, fmt):
    state = room(4, fmt=fmt)
    now = T0
    accepted_at: dict[str, int] = {}
    ends_at_then: dict[str, int | None] = {}
    for step, gap in zip(steps, gaps, strict=False):
        now += gap
        before_ends = state.ends_at
        event = to_event(step, now)
        closes = e.closes(state, event)
        before = state
        state, outs = e.apply(state, event)
        # the runtime seals a question's answers before the step that closes it
        assert closes == games.CLASSIC.closes_question(before, state)
        recount = e.standings(state) if state.phase in (e.REVEAL, e.FINISHED) else {}
        for out in outs:
            message = out.message
            if message["type"] == "reveal" and "you" in message:
                # a reveal's running totals are what a recount of every answer gives
                s = recount[out.to_player]
                assert message["you"] == {
                    "correct": bool(s.last_correct),
                    "answered": s.last_correct is not None,
                    "points": s.last_points,
                    "score": s.score,
                    "rank": s.rank,
                    "streak": s.streak,
                }
            if message["type"] == "answer_ack" and message["accepted"]:
                key = f"{message['seq']}:{out.to_player}"
                assert key not in accepted_at, "at most one accepted answer per player and question"
                accepted_at[key] = now
                ends_at_then[key] = before_ends
            if message["type"] in ("question", "state", "lobby", "answer_ack"):
                assert "correct" not in message
        # the kept board is what a recount of the revealed questions gives
        revealed = state.seq if state.phase in (e.REVEAL, e.FINISHED) else state.seq - 1
        if revealed > 0:
            table = e.standings(state, upto=revealed)
            zero = e.room_meta(state)["rank_of_zero"]
            for pid, s in table.items():
                expected = [s.score, s.correct, s.answered, s.rank, s.streak]
                if pid not in state.board:  # joined since: 0, ranked with the zeros
                    assert (s.score, s.correct, s.rank) == (0, 0, zero)
                else:
                    assert state.board[pid][:5] == expected
            assert set(state.board) <= set(table)
    # no answer accepted after the question's deadline
    for key, at in accepted_at.items():
        assert ends_at_then[key] is None or at <= ends_at_then[key]
    assert set(accepted_at) == set(state.answers)
    # scores equal an offline recount from the stored answers
    recount = {p.id: 0 for p in state.active_players()}
    streak = dict.fromkeys(recount, 0)
    for seq in range(1, state.seq + 1):
        if seq in state.voided:
            continue
        question = state.questions[seq - 1]
        for pid in recount:
            answer = state.answers.get(f"{seq}:{pid}")
            right = answer is not None and answer.response["choices"] == state.key_for(seq)
            streak[pid] = streak[pid] + 1 if right else 0
            if right:
                recount[pid] += e.speed_points(
                    question.points, answer.elapsed_ms, question.duration_ms
                )
                recount[pid] += min(100 * (streak[pid] - 1), 500)
    assert {pid: s.score for pid, s in e.standings(state).items()} == recount


def test_question_on_the_big_screen_only():
    state = room(1)
    state.screen_only = True
    state, outs = play(state, e.Join(T0, "a", "甲"), e.Start(T0))
    by_audience = {o.to: o.message for o in outs if o.message["type"] == "question"}
    assert by_audience[e.PLAYERS]["text"] == "" and by_audience[e.SCREEN]["text"] == "第1题"
    assert [o["key"] for o in by_audience[e.PLAYERS]["options"]] == ["A", "B", "C", "D"]
    assert all(o["text"] == "" for o in by_audience[e.PLAYERS]["options"])
    snapshot = e.state_payload(state, T0, player="a")
    assert snapshot["question"]["text"] == ""


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_strategy)
def test_snapshots_round_trip_through_json(steps):
    state = room(4, fmt="team")
    now = T0
    for step in steps:
        now += 2000
        state, _ = e.apply(state, to_event(step, now))
    restored = e.room_from_dict(json.loads(json.dumps(e.room_to_dict(state))))
    assert restored == state
    assert {p: s.score for p, s in e.standings(restored).items()} == {
        p: s.score for p, s in e.standings(state).items()
    }
