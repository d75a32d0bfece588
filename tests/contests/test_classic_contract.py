"""The classic room's contract with its clients (issue 12): a locked room refuses
new joiners (in the lobby too), ``you`` carries the streak (and comes in the
player's ``finished``), the host alone gets the roster, scoreboard entries carry
their previous rank, and the host's answered count is per question."""

from contests import engine as e

from .test_engine import T0, of_type, play, room


def answer(at, player, seq, choice="B"):
    return e.SubmitAnswer(at, player, seq, {"choices": [choice]})


def personal(outs, kind, player):
    return next(o.message for o in outs if o.to_player == player and o.message["type"] == kind)


def test_a_locked_lobby_refuses_new_joiners_but_not_who_joined_before():
    # given a lobby with one player, then locked
    state, _ = play(room(2), e.Join(T0, "p1", "甲"), e.Lock(T0 + 10, True))
    # when two more join
    state, outs = play(state, e.Join(T0 + 20, "p2", "乙"), e.Join(T0 + 30, "p3", "丙"))
    # then both are refused with "locked" (reason: lobby), no state, and not in the room
    errors = of_type(outs, "error")
    assert [(m["code"], m["reason"]) for m in errors] == [("locked", "lobby")] * 2
    assert not of_type(outs, "state") and not of_type(outs, "lobby")
    assert list(state.players) == ["p1"]
    # the one who joined before the lock comes back (a reload), with a state and `you`
    state, outs = play(state, e.Join(T0 + 40, "p1", "甲"))
    assert of_type(outs, "state")[0]["you"]["name"] == "甲"
    # after the start a locked room says so without the lobby reason
    state, outs = play(state, e.Start(T0 + 50), e.Join(T0 + 60, "p4", "丁"))
    assert of_type(outs, "error") == [{"type": "error", "code": "locked"}]
    # unlocked, a newcomer gets in
    state, outs = play(state, e.Lock(T0 + 70, False), e.Join(T0 + 80, "p4", "丁"))
    assert of_type(outs, "state", "p4")[0]["you"]["name"] == "丁"


def test_the_streak_counts_right_answers_in_a_row_with_corrections_applied():
    state, _ = play(room(3), e.Join(T0, "a", "甲"), e.Join(T0, "c", "丙"), e.Start(T0))
    # Q1: 甲 right, 丙 wrong
    state, outs = play(state, answer(T0 + 100, "a", 1), answer(T0 + 100, "c", 1, "A"))
    state, outs = play(state, e.Close(T0 + 200))
    assert personal(outs, "reveal", "a")["you"]["streak"] == 1
    assert personal(outs, "reveal", "c")["you"]["streak"] == 0
    # Q2: both right
    state, _ = play(state, e.Next(T0 + 300), answer(T0 + 400, "a", 2), answer(T0 + 400, "c", 2))
    state, outs = play(state, e.Close(T0 + 500))
    assert personal(outs, "reveal", "a")["you"]["streak"] == 2
    assert personal(outs, "reveal", "c")["you"]["streak"] == 1
    assert e.state_payload(state, T0 + 600, player="a")["you"]["streak"] == 2
    # Q3: 甲 does not answer: the streak breaks; 丙 keeps going
    state, _ = play(state, e.Next(T0 + 700), answer(T0 + 800, "c", 3))
    state, outs = play(state, e.Close(T0 + 900))
    assert personal(outs, "reveal", "a")["you"]["streak"] == 0
    assert personal(outs, "reveal", "c")["you"]["streak"] == 2
    # a rescore of Q1 to 丙's answer: 丙 was right three times in a row, 甲 missed Q3
    state, _ = play(state, e.Rescore(T0 + 1000, 1, ["A"]))
    assert e.state_payload(state, T0 + 1100, player="c")["you"]["streak"] == 3
    # voiding Q3 leaves 甲's two in a row unbroken (a voided question counts for nobody)
    state, _ = play(state, e.Void(T0 + 1200, 3))
    assert e.state_payload(state, T0 + 1300, player="a")["you"]["streak"] == 1
    # the end: each player's own finished carries rank, score, streak and right/asked
    state, outs = play(state, e.End(T0 + 1400))
    mine = personal(outs, "finished", "c")
    table = e.standings(state)
    assert mine["you"] == {
        "name": "丙",
        "score": table["c"].score,
        "rank": table["c"].rank,
        "streak": 2,
        "correct": 2,
        "answered": 2,
        "asked": 2,
    }
    # the big screen and the host get the podium without anyone's `you`
    for to in (e.SCREEN, e.HOST):
        assert "you" not in of_type(outs, "finished", to)[0]


def test_the_host_alone_gets_the_roster_and_a_kicked_player_leaves_it():
    state, outs = play(room(2, fmt="team"), e.Join(T0, "u1", "甲", "一支部"))
    state, outs = play(state, e.Join(T0 + 1, "g-abc", "小王", guest=True))
    host = e.state_payload(state, T0 + 2, role=e.HOST)
    assert host["roster"] == [
        {"player": "g-abc", "name": "小王", "branch": None, "guest": True},
        {"player": "u1", "name": "甲", "branch": "一支部", "guest": False},
    ]
    assert "roster" not in e.state_payload(state, T0 + 2, player="u1")
    assert "roster" not in e.state_payload(state, T0 + 2, role="screen")
    # the joins' lobby: the runtime adds the roster to the host's copy (one per batch)
    assert all("roster" not in m for m in of_type(outs, "lobby"))
    assert e.host_lobby(state)["roster"] == host["roster"]
    # a kick: the host's lobby without the kicked player; the lock's state has it too
    state, outs = play(state, e.Kick(T0 + 3, "u1"))
    (lobby,) = of_type(outs, "lobby", e.HOST)
    assert [r["player"] for r in lobby["roster"]] == ["g-abc"] and lobby["players"] == 1
    state, outs = play(state, e.Lock(T0 + 4, True))
    assert [r["player"] for r in of_type(outs, "state", e.HOST)[0]["roster"]] == ["g-abc"]


def test_the_roster_is_the_newest_players_capped():
    state = room(1)
    for i in range(e.ROSTER_MAX + 20):
        state, _ = e.apply(state, e.Join(T0 + i, f"p{i}", f"玩家{i}"))
    roster = e.roster(state)
    assert len(roster) == e.ROSTER_MAX
    assert roster[0]["player"] == f"p{e.ROSTER_MAX + 19}" and roster[-1]["player"] == "p20"
    assert e.host_lobby(state)["players"] == e.ROSTER_MAX + 20


def test_scoreboard_entries_carry_the_rank_at_the_previous_scoreboard():
    state, _ = play(
        room(3),
        e.Join(T0, "a", "甲"),
        e.Join(T0, "b", "乙"),
        e.Join(T0, "c", "丙"),
        e.Start(T0),
    )
    # Q1: 甲 right at once (1000), 乙 right after 10 s (750), 丙 wrong
    state, _ = play(state, answer(T0 + 100, "a", 1), answer(T0 + 10_000, "b", 1))
    state, outs = play(state, answer(T0 + 100, "c", 1, "A"), e.Close(T0 + 11_000))
    (board,) = of_type(outs, "scoreboard")
    assert [(r["name"], r["rank"], r["previous"]) for r in board["top"]] == [
        ("甲", 1, None),
        ("乙", 2, None),
        ("丙", 3, None),
    ]
    # Q2: 丙 right after 5 s (875), the others wrong; a newcomer 丁 joins meanwhile
    state, _ = play(state, e.Next(T0 + 12_000), e.Join(T0 + 12_001, "d", "丁"))
    state, _ = play(state, answer(T0 + 17_000, "c", 2), answer(T0 + 12_100, "a", 2, "A"))
    state, outs = play(state, answer(T0 + 12_100, "b", 2, "A"), e.Close(T0 + 18_000))
    (board,) = of_type(outs, "scoreboard")
    moves = {r["name"]: (r["rank"], r["previous"]) for r in board["top"]}
    assert moves == {"甲": (1, 1), "丙": (2, 3), "乙": (3, 2), "丁": (4, None)}
    # a void of Q1 while Q2 is revealed: previous is the rank at the last scoreboard sent
    state, outs = play(state, e.Void(T0 + 19_000, 1))
    (board,) = of_type(outs, "scoreboard", to=e.SCREEN)
    moves = {r["name"]: (r["rank"], r["previous"]) for r in board["top"]}
    assert moves == {"丙": (1, 2), "甲": (2, 1), "乙": (2, 3), "丁": (2, 4)}
    # each player's own copy carries the recounted own line (a phone shows no top 10)
    mine = {o.to: o.message for o in outs if o.message["type"] == "scoreboard" and o.to_player}
    assert {m["you"]["name"]: (m["you"]["rank"], m["you"]["score"]) for m in mine.values()} == {
        r["name"]: (r["rank"], r["score"]) for r in board["top"]
    }
    assert all(m["top"] == board["top"] for m in mine.values())
    # a rescore while Q3 is open sends the host a state, no scoreboard: the next
    # scoreboard still moves from the void's
    state, _ = play(state, e.Next(T0 + 20_000), answer(T0 + 20_100, "b", 3))
    state, outs = play(state, e.Rescore(T0 + 20_200, 2, ["A"]))
    assert not of_type(outs, "scoreboard")
    state, outs = play(state, e.Close(T0 + 21_000))
    (board,) = of_type(outs, "scoreboard")
    previous = {r["name"]: r["previous"] for r in board["top"]}
    assert previous == {"丙": 1, "甲": 2, "乙": 2, "丁": 2}


def test_the_hosts_answered_count_is_per_question():
    state, _ = play(room(2), e.Join(T0, "a", "甲"), e.Join(T0, "b", "乙"), e.Start(T0))
    state, _ = play(state, answer(T0 + 100, "a", 1), answer(T0 + 100, "b", 1))
    assert e.state_payload(state, T0 + 200, role=e.HOST)["answered"] == 2
    state, _ = play(state, e.Close(T0 + 300), e.Next(T0 + 400))
    assert e.state_payload(state, T0 + 500, role=e.HOST)["answered"] == 0


async def test_a_count_read_while_the_next_question_opened_is_not_sent(monkeypatch):
    """The host's count of question 1, read just as question 2 opened, would
    follow question 2's `question` and show as its count: it is dropped."""
    from contests import runtime as runtime_module

    class Store:
        def __init__(self):
            self.metas = [
                {"phase": e.QUESTION, "seq": 1, "players": 3},
                {"phase": e.QUESTION, "seq": 2, "players": 3},  # opened meanwhile
            ]

        async def meta(self, pin):
            return self.metas.pop(0) if len(self.metas) > 1 else self.metas[0]

        async def answer_count(self, pin, seq):
            return 2

    sent = []
    monkeypatch.setattr(runtime_module, "PROGRESS_INTERVAL", 0)
    live = runtime_module.Runtime(store=Store(), layer=object())
    monkeypatch.setattr(live, "dispatch", lambda pin, outs: sent.append(outs) or _done())
    await live._progress_later("123456")
    assert sent == []
    # a count read while its question stays open is sent, with its question's number
    await live._progress_later("123456")
    assert [o.message for o in sent[0]] == [
        {"type": "progress", "seq": 2, "answered": 2, "players": 3}
    ]


async def _done():
    return None


def test_a_reveal_says_how_many_answered_and_how_many_were_right():
    state, _ = play(
        room(1),
        e.Join(T0, "p1", "甲"),
        e.Join(T0, "p2", "乙"),
        e.Join(T0, "p3", "丙"),
        e.Start(T0),
    )
    state, outs = play(
        state,
        e.SubmitAnswer(T0 + 100, "p1", 1, {"choices": ["B"]}),
        e.SubmitAnswer(T0 + 200, "p2", 1, {"choices": ["C"]}),
        e.Close(T0 + 300),
    )
    (reveal,) = of_type(outs, "reveal", to=e.SCREEN)
    assert (reveal["answered"], reveal["right"]) == (2, 1)
