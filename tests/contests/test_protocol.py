"""Every message the engine emits matches the catalogue; docs/protocol.md is current."""

from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings

from contests import engine as e
from contests import protocol

from .test_engine import T0, event_strategy, room, to_event

ROOT = Path(__file__).resolve().parents[2]


def check(message: dict) -> None:
    assert message["type"] in protocol.SERVER_MESSAGES, message["type"]
    jsonschema.validate(message, protocol.server_schema(message["type"]))


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
    # "progress" comes from the runtime, not the engine (checked in test_consumers)
    assert seen == set(protocol.SERVER_MESSAGES) - {"progress"}


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


def test_protocol_page_is_current():
    assert (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8") == protocol.render_markdown()
