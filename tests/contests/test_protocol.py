"""Every message the engines emit matches the catalogue; docs/protocol.md is current."""

from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings

from contests import engine as e
from contests import protocol, texts
from contests import stage as s

from .test_engine import T0, event_strategy, room, to_event
from .test_stage_engine import joined, make, rnd

ROOT = Path(__file__).resolve().parents[2]


VALIDATORS = {
    name: jsonschema.Draft202012Validator(schema)
    for name, (_text, schema) in protocol.SERVER_MESSAGES.items()
}


def check(message: dict) -> None:
    """As the edge sends it: ``texts.localise`` fills an error's ``message``."""
    assert message["type"] in protocol.SERVER_MESSAGES, message["type"]
    VALIDATORS[message["type"]].validate(texts.localise(message))


def test_the_schemas_are_valid_json_schemas():
    for catalogue in (protocol.SERVER_MESSAGES, protocol.CLIENT_MESSAGES):
        for _text, schema in catalogue.values():
            jsonschema.Draft202012Validator.check_schema(schema)


def test_scripted_game_messages_match_the_schemas():
    seen = set()
    state = room(3, fmt="team")
    steps = [
        e.Join(T0, "a", "甲", "一支部"),
        e.Join(T0, "b", "乙", "二支部"),
        e.Start(T0),
        e.SubmitAnswer(T0 + 100, "a", 1, {"choices": ["B"]}),
        e.SubmitAnswer(T0 + 100, "a", 1, {"choices": ["B"]}),
        e.Pause(T0 + 200),
        e.Resume(T0 + 300),
        e.Close(T0 + 400),
        e.Rescore(T0 + 500, 1, ["C"]),
        e.Void(T0 + 600, 1),
        e.Next(T0 + 700),
        e.Kick(T0 + 800, "b"),
        e.Join(T0 + 900, "b", "乙"),
        e.Lock(T0 + 1000),
        e.End(T0 + 1100),
    ]
    for event in steps:
        state, outs = e.apply(state, event)
        for out in outs:
            check(out.message)
            seen.add(out.message["type"])
    # "progress" and "connection" come from the runtime, not the engine (checked in
    # test_consumers and test_faults); the stage-only ones from the on-stage engine
    assert seen == set(protocol.SERVER_MESSAGES) - protocol.RUNTIME_ONLY - protocol.STAGE_ONLY


def test_scripted_stage_messages_match_the_schemas():
    seen = set()
    state = joined(make(rnd("qiangda", 1), rnd("risk", 1, start=2)), "a1", "b1", "c1", "b2")
    steps = [
        e.Join(T0, "a2", "A2", "一支部"),
        e.Start(T0),
        e.Next(T0 + 50),  # refused: the question is open
        s.Buzz(T0 + 100, "a1", 1),  # too early
        s.OpenBuzzer(T0 + 200),
        s.Buzz(T0 + 300, "b1", 1),
        s.Buzz(T0 + 310, "c1", 1),
        e.Tick(T0 + 420),
        e.SubmitAnswer(T0 + 500, "b2", 1, {"choices": ["B"]}),
        s.Correct(T0 + 600, 2, "partial"),
        e.Void(T0 + 700, 1),
        e.Next(T0 + 800),
        s.Stake(T0 + 900, "a1", 2, 20),
        s.Judge(T0 + 1000, "right"),
        s.SetCaptain(T0 + 1100, "二支部", "b2"),
        e.Next(T0 + 1200),
        e.End(T0 + 1300),
    ]
    for event in steps:
        state, outs = s.apply(state, event)
        for out in outs:
            check(out.message)
            seen.add(out.message["type"])
    for role in ("player", "screen", "host"):
        check(s.state_payload(state, T0, player="a1" if role == "player" else None, role=role))
    assert seen >= protocol.STAGE_ONLY
    assert seen == set(protocol.SERVER_MESSAGES) - protocol.RUNTIME_ONLY - {
        "question",
        "scoreboard",
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_strategy)
def test_random_game_messages_match_the_schemas(steps):
    state = room(4)
    now = T0
    for step in steps:
        now += 1500
        state, outs = e.apply(state, to_event(step, now))
        for out in outs:
            check(out.message)
    check(e.state_payload(state, now, player="p1"))


def test_client_messages_have_schemas():
    jsonschema.validate(
        {"type": "answer", "seq": 1, "choices": ["A"]}, protocol.client_schema("answer")
    )
    try:
        jsonschema.validate({"type": "answer", "choices": ["A"]}, protocol.client_schema("answer"))
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an answer without seq must not validate")
    valid = [
        {"type": "buzz", "seq": 3},
        {"type": "stake", "seq": 3, "points": 20},
        {"type": "open_buzzer"},
        {"type": "judge", "result": "partial"},
        {"type": "correct", "entry": 4, "result": "right"},
        {"type": "tiebreak"},
        {"type": "captain", "team": "一支部", "player": "u7"},
    ]
    for message in valid:
        jsonschema.validate(message, protocol.client_schema(message["type"]))
    invalid = [
        {"type": "buzz"},
        {"type": "stake", "seq": 3},
        {"type": "judge", "result": "maybe"},
        {"type": "correct", "entry": "4", "result": "right"},
        {"type": "open_buzzer", "seq": 1},
    ]
    for message in invalid:
        validator = jsonschema.Draft202012Validator(protocol.client_schema(message["type"]))
        assert not validator.is_valid(message), message


def test_protocol_page_is_current():
    assert (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8") == protocol.render_markdown()
