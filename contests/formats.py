"""The two kinds of room and the pure module that runs each: ``contests.engine``
(classic and team: everyone answers on phones) and ``contests.stage`` (on-stage
rounds: 必答, 抢答, 风险题, tie-break). Both offer ``apply``, ``next_deadline``,
``state_payload`` and ``room_to_dict``/``room_from_dict``."""

from . import engine, stage


def module_for(room):
    return stage if getattr(room, "kind", "") == "stage" else engine


def is_stage(room) -> bool:
    return module_for(room) is stage


def room_to_dict(room) -> dict:
    return module_for(room).room_to_dict(room)


def room_from_dict(data: dict):
    return (stage if data.get("kind") == "stage" else engine).room_from_dict(data)
