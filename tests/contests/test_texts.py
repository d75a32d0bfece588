"""Codes from the core, texts from the catalogue (``contests.texts``); guests marked
as guests in every list of names; a kicked player's answer says ``kicked``."""

import dataclasses
import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from contests import engine as e
from contests import stage as s
from contests import texts

T0 = 1_700_000_000_000
ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ERROR_CALL = re.compile(r'\b(?:error|refuse)\(\s*"(\w+)"(?:\s*,\s*reason="(\w+)")?')
EDGE_CODES = [
    "not_found", "forbidden", "inactive", "too_large", "rate_limited", "invalid", "nickname",
    "password_change_required", "reconnecting", "unavailable",
]  # fmt: skip


# --- ASCII rooms: whatever Chinese a message carries then came from the core ---------------


def question(qid, key="B"):
    options = [{"key": k, "text": f"option {k}"} for k in "ABCD"]
    return e.Question(qid, "single", f"question {qid}", options, [key], 1000)


def classic_room(n=2, fmt="team"):
    return e.Room(code="123456", questions=[question(i + 1) for i in range(n)], format=fmt)


def stage_room(reserve=True):
    rounds = [
        s.RoundSpec("bida", "round one", [question(i) for i in (1, 2, 3)]),
        s.RoundSpec("risk", "round two", [question(4)]),
    ]
    teams = [s.TeamSpec("Team A"), s.TeamSpec("Team B", "members"), s.TeamSpec("Team C")]
    return s.new_room("654321", rounds, teams, reserve=[question(9)] if reserve else [])


CLASSIC_PROBES = [
    e.Join(0, "new", "Newcomer", "Branch 1"),
    e.Join(0, "a", "Alice", "Branch 1"),
    e.SubmitAnswer(0, "a", 1, {"choices": ["B"]}),
    e.SubmitAnswer(0, "a", 1, {"choices": ["Z"]}),
    e.SubmitAnswer(0, "a", 7, {"choices": ["B"]}),
    e.SubmitAnswer(0, "nobody", 1, {"choices": ["B"]}),
    e.SubmitAnswer(0, "gone", 1, {"choices": ["B"]}),
    e.Join(0, "gone", "Gone"),
    e.Start(0),
    e.Next(0),
    e.Close(0),
    e.Tick(0),
    e.Pause(0),
    e.Resume(0),
    e.End(0),
    e.Kick(0, "nobody"),
    e.Kick(0, "b"),
    e.Lock(0),
    e.Void(0, 99),
    e.Rescore(0, 99, ["A"]),
    e.Void(0, 1),
    e.Rescore(0, 1, ["C"]),
    s.OpenBuzzer(0),
    s.Buzz(0, "a", 1),
]

STAGE_PROBES = [
    e.Join(0, "new", "Newcomer", "Team C"),
    e.Join(0, "gone", "Gone"),
    e.SubmitAnswer(0, "a1", 1, {"choices": ["B"]}),
    e.SubmitAnswer(0, "b2", 1, {"choices": ["Z"]}),
    e.SubmitAnswer(0, "nobody", 1, {"choices": ["B"]}),
    e.SubmitAnswer(0, "gone", 1, {"choices": ["B"]}),
    e.Start(0),
    e.Next(0),
    e.Close(0),
    e.Tick(0),
    e.End(0),
    e.Pause(0),
    e.Rescore(0, 1, ["A"]),
    e.Kick(0, "nobody"),
    e.Kick(0, "a1"),
    e.Lock(0),
    e.Void(0, 99),
    e.Void(0, 1),
    s.OpenBuzzer(0),
    s.Buzz(0, "a1", 1),
    s.Buzz(0, "x", 1),
    s.Buzz(0, "nobody", 1),
    s.Buzz(0, "gone", 1),
    s.Stake(0, "a1", 1, 10),
    s.Stake(0, "gone", 1, 10),
    s.Judge(0, "right"),
    s.Judge(0, "maybe"),
    s.Correct(0, 1, "right"),
    s.Correct(0, 1, "timeout"),
    s.Correct(0, 1, "maybe"),
    s.Correct(0, 99, "right"),
    s.TieBreak(0),
    s.SetCaptain(0, "No Team", "a1"),
    s.SetCaptain(0, "Team A", "b1"),
    s.SetCaptain(0, "Team A", "gone"),
]


def probe(module, state, probes, now):
    """Every probe applied to ``state`` (without keeping its result): the messages."""
    outs = []
    for event in probes:
        _, out = module.apply(state, dataclasses.replace(event, now=now))
        outs += out
    return outs


def run(module, state, script, probes):
    """The script played, every probe tried at every step: all the messages sent."""
    outs = []
    now = T0
    for event in script:
        now = event.now
        outs += probe(module, state, probes, now + 1)
        state, out = module.apply(state, event)
        outs += out
    outs += probe(module, state, probes, now + 1)
    return state, outs


def classic_game():
    script = [
        e.Join(T0, "a", "Alice", "Branch 1"),
        e.Join(T0, "b", "Bob", "Branch 2"),
        e.Join(T0, "gone", "Gone", "Branch 2"),
        e.Kick(T0 + 1, "gone"),
        e.Start(T0 + 10),
        e.SubmitAnswer(T0 + 100, "a", 1, {"choices": ["B"]}),
        e.Pause(T0 + 200),
        e.Resume(T0 + 300),
        e.Close(T0 + 400),
        e.Next(T0 + 500),
        e.Lock(T0 + 600),
        e.Close(T0 + 700),
        e.Next(T0 + 800),
    ]
    return run(e, classic_room(), script, CLASSIC_PROBES)


def stage_game():
    players = [("a1", "Team A"), ("b1", "Team B"), ("c1", "Team C"), ("a2", "Team A")]
    players += [("b2", "Team B"), ("x", "Staff"), ("gone", "Team C")]
    script = [e.Join(T0, p, p.upper(), team) for p, team in players]
    script += [e.Kick(T0 + 1, "gone"), e.Start(T0 + 10)]
    # 必答: every team times out (worth 0)
    script += [e.Close(T0 + 100), e.Next(T0 + 200), e.Close(T0 + 300), e.Next(T0 + 400)]
    script += [e.Close(T0 + 500), e.Next(T0 + 600)]
    # 风险题: team A's smallest stake taken, then it times out: B and C tie for first
    script += [e.Close(T0 + 700), e.Close(T0 + 800), s.TieBreak(T0 + 900)]
    # the tie-break: nobody buzzes; the reserve is used up
    script += [s.OpenBuzzer(T0 + 1000), e.Close(T0 + 1100), e.End(T0 + 1200)]
    state, outs = run(s, stage_room(), script[:-4], STAGE_PROBES)
    outs += probe(s, dataclasses.replace(state, reserve=[]), [s.TieBreak(0)], T0 + 950)
    state, more = run(s, state, script[-4:], STAGE_PROBES)
    return state, outs + more


@pytest.mark.parametrize("game", [classic_game, stage_game])
def test_the_engines_send_no_chinese_and_errors_as_codes(game):
    _, outs = game()
    errors = [o.message for o in outs if o.message["type"] == "error"]
    assert len(errors) > 10
    for out in outs:
        text = json.dumps(out.message, ensure_ascii=False)
        assert not CJK.search(text), text
    for error in errors:
        assert "message" not in error, error
        key = f"{error['code']}.{error['reason']}" if "reason" in error else error["code"]
        assert key in texts.TEXTS, key


def test_the_scripted_stage_game_reaches_the_tie_break_errors():
    _, outs = stage_game()
    errors = [o.message for o in outs if o.message["type"] == "error"]
    seen = {(m["code"], m.get("reason")) for m in errors}
    assert {("tie", None), ("reserve", None), ("reserve", "used_up")} <= seen
    assert {("phase", "tiebreak_started"), ("phase", "rounds_not_over")} <= seen


def test_every_error_code_in_the_source_has_a_text():
    found = set()
    for name in ("engine", "stage", "consumers", "runtime"):
        source = (ROOT / "contests" / f"{name}.py").read_text(encoding="utf-8")
        for code, reason in ERROR_CALL.findall(source):
            found.add(f"{code}.{reason}" if reason else code)
    assert len(found) > 25
    assert found <= set(texts.TEXTS), found - set(texts.TEXTS)
    assert set(EDGE_CODES) <= set(texts.TEXTS)


@pytest.mark.parametrize("key", sorted(texts.TEXTS))
def test_every_text_is_english_source_with_a_chinese_translation(key):
    code, _, reason = key.partition(".")
    frame = e.error(code, reason=reason or None)
    with translation.override("en"):
        english = texts.localise(frame)["message"]
    with translation.override("zh-hans"):
        chinese = texts.localise(frame)["message"]
    assert english and not CJK.search(english)
    assert CJK.search(chinese), (key, chinese)


def test_localise_fills_the_message_in_the_active_language():
    frame = e.error("phase", reason="started")
    assert frame == {"type": "error", "code": "phase", "reason": "started"}
    with translation.override("zh-hans"):
        assert texts.localise(frame)["message"] == "竞赛已经开始。"
        assert texts.localise(e.error("phase"))["message"] == str(texts.TEXTS["phase"])
        odd = e.error("phase", reason="odd")  # no text of its own: the code's
        assert texts.localise(odd)["message"] == str(texts.TEXTS["phase"])
        assert texts.localise(e.error("kicked"))["message"] == "你已被主持人移出本场竞赛。"
        assert texts.localise(e.error("no_such_code"))["message"] == str(texts.GENERIC)
    with translation.override("en"):
        assert texts.localise(frame)["message"] == "The contest has already started."
    assert "message" not in frame  # a copy
    other = {"type": "lobby", "players": 1, "recent": ["a"]}
    assert texts.localise(other) is other


def test_a_text_may_use_the_frames_params(monkeypatch):
    monkeypatch.setitem(texts.TEXTS, "wait", "Wait %(seconds)s s.")
    assert texts.localise(e.error("wait", seconds=3))["message"] == "Wait 3 s."
    assert texts.localise(e.error("wait"))["message"] == "Wait %(seconds)s s."


# --- kicked ------------------------------------------------------------------------------------


def test_a_kicked_players_answer_says_kicked_an_unknown_ones_invalid():
    state = classic_room()
    for event in (e.Join(T0, "a", "Alice"), e.Start(T0), e.Kick(T0 + 1, "a")):
        state, _ = e.apply(state, event)
    _, outs = e.apply(state, e.SubmitAnswer(T0 + 2, "a", 1, {"choices": ["B"]}))
    assert [o.message for o in outs] == [
        {"type": "answer_ack", "seq": 1, "accepted": False, "reason": "kicked"}
    ]
    _, outs = e.apply(state, e.SubmitAnswer(T0 + 2, "nobody", 1, {"choices": ["B"]}))
    assert outs[0].message["reason"] == "invalid"


def test_on_stage_a_kicked_players_answer_says_kicked():
    state = stage_room()
    events = [e.Join(T0, "a1", "A1", "Team A"), e.Join(T0, "a2", "A2", "Team A")]
    for event in [*events, e.Start(T0 + 10), e.Kick(T0 + 20, "a2")]:
        state, _ = s.apply(state, event)
    _, outs = s.apply(state, e.SubmitAnswer(T0 + 30, "a2", 1, {"choices": ["B"]}))
    assert outs[0].message["reason"] == "kicked" and outs[0].to_player == "a2"
    _, outs = s.apply(state, e.SubmitAnswer(T0 + 30, "nobody", 1, {"choices": ["B"]}))
    assert outs[0].message["reason"] == "invalid"
    _, outs = s.apply(state, s.Buzz(T0 + 30, "a2", 1))
    assert outs[0].message["code"] == "kicked"


# --- guests ------------------------------------------------------------------------------------


def test_guests_are_marked_on_the_lobby_scoreboard_and_podium():
    state = classic_room(1, fmt="classic")
    outs = []
    for event in (
        e.Join(T0, "u1", "Wang Fang"),
        e.Join(T0, "g-1", "Wang Fang", guest=True),  # a guest taking a member's name
        e.Start(T0 + 10),
        e.SubmitAnswer(T0 + 100, "g-1", 1, {"choices": ["B"]}),
        e.SubmitAnswer(T0 + 5_000, "u1", 1, {"choices": ["B"]}),  # slower: second
        e.Close(T0 + 6_000),
        e.Next(T0 + 7_000),
    ):
        state, out = e.apply(state, event)
        outs += out
    lobby = [o.message for o in outs if o.message["type"] == "lobby"][-1]
    assert lobby["recent"] == ["Wang Fang", "Wang Fang"]
    assert lobby["recent_guests"] == [False, True]
    top = next(o.message for o in outs if o.message["type"] == "scoreboard")["top"]
    assert [row.get("guest", False) for row in top] == [True, False]
    podium = next(o.message for o in outs if o.message["type"] == "finished")["podium"]
    assert [row.get("guest", False) for row in podium] == [True, False]
    assert "guest" not in podium[1]  # members' rows are as before
    snapshot = e.state_payload(state, T0 + 8_000, role=e.HOST)
    assert snapshot["scoreboard"]["top"][0]["guest"] is True


def test_on_stage_guests_are_marked_in_the_lobby_and_the_teams():
    state = stage_room()
    outs = []
    for event in (
        e.Join(T0, "g-1", "Guesty", "Team A", guest=True),
        e.Join(T0, "u2", "Member", "Team A"),
    ):
        state, out = s.apply(state, event)
        outs += out
    lobby = [o.message for o in outs if o.message["type"] == "lobby"][-1]
    assert (lobby["recent"], lobby["recent_guests"]) == (["Guesty", "Member"], [True, False])
    team = s.state_payload(state, T0, role=e.HOST)["stage"]["teams"][0]
    assert team["players"] == [
        {"id": "g-1", "name": "Guesty", "guest": True},
        {"id": "u2", "name": "Member"},
    ]
    assert team["captain"] == "Guesty" and team["captain_guest"] is True
    screen_team = s.state_payload(state, T0, role=e.SCREEN)["stage"]["teams"][0]
    assert screen_team["captain_guest"] is True and "players" not in screen_team


@pytest.mark.django_db
def test_the_results_mark_guests_by_their_player_id(org, api_as, client):
    from contests import services
    from contests.models import ContestResult

    from ..factories import make_bank, make_question, make_quiz

    # given: a finished contest where a guest took a member's name
    contest = services.contest_create(
        host=org.secretary, quiz=make_quiz([make_question(make_bank())])
    )
    for rank, player in enumerate(("g-0123abcd", f"u{org.member_a1.pk}"), start=1):
        ContestResult.objects.create(
            contest=contest, player=player, name="Wang Fang", team="", rank=rank,
            score=1000 // rank, correct=1, answered=1,
        )  # fmt: skip
    # when / then: the API says which row is a guest's, and so does the page
    ranking = api_as(org.secretary).get(f"/api/v1/contests/{contest.pk}/results/").json()["ranking"]
    assert [(row["name"], row["guest"]) for row in ranking] == [
        ("Wang Fang", True),
        ("Wang Fang", False),
    ]
    assert "player" not in ranking[0]
    client.force_login(org.secretary)
    page = client.get(f"/contests/{contest.pk}/results/").content.decode()
    assert page.count('data-testid="guest"') == 1
    sheet = api_as(org.secretary).get(f"/api/v1/contests/{contest.pk}/results/?format=xlsx")
    people = load_workbook(BytesIO(sheet.content))["个人成绩"]
    assert people["J1"].value == "访客"
    assert sorted(row[9] or "" for row in people.iter_rows(min_row=2, values_only=True)) == [
        "",
        "是",
    ]
