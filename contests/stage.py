"""
On-stage rounds (现场赛): a few teams on stage (one per branch), a host who reads
the questions and judges, a big screen. A pure, deterministic state machine like
``contests.engine``: ``apply(room, event) -> (new_room, outs)``, no I/O and no clock
of its own (every event carries ``now``, server epoch ms); the runtime keeps the
state and schedules a ``Tick`` at ``next_deadline(room)``.

A contest is a list of rounds (``RoundSpec``), each of one format, with its rules
merged over ``DEFAULT_RULES[format]``:

- 必答 ``bida``: the teams answer in a fixed rotation, each its own question
  (step ``answering`` at once); the other teams' devices are locked.
- 抢答 ``qiangda``: the question shows (``reading``); the host's "请抢答"
  (``OpenBuzzer``) opens the buzzer (``buzzing``, until ``ends_at``). Buzzes come
  from several workers, so they may be applied slightly out of ``now`` order: the
  first one opens a short decision window and a ``Tick`` at ``earliest + grace_ms``
  gives the floor (``answering``) to the earliest buzz by server time, with the
  margin to the second. A buzz before the signal is penalised (and may void the
  question). A wrong answer reopens the buzzer for the teams that have not
  answered (``pass_on``).
- 风险题 ``risk``: the team whose turn it is stakes (``staking``, hidden from the
  others until the reveal), then answers; right = +stake, otherwise −stake. The
  order of the teams is fixed when the round starts (by score by default).
- 加赛 ``tiebreak``: started by the host (``TieBreak``) when the last round ends
  with a tie for first place: sudden-death 抢答 among the leading teams on reserve
  questions until exactly one team leads.

Phases are the engine's: ``lobby`` → ``question`` → ``reveal`` → … → ``finished``;
the finer ``step`` says what the open question waits for.

Every decision goes into an audit log (``Entry``): answers (by the judge or graded
"auto" from a device), early buzzes, time-outs, voided questions and corrections.
Scores are never accumulated: ``team_scores`` recomputes base + the effective
deltas of the log, so a correction or a void recomputes all standings.

Hidden information: a risk stake goes to its team and the host only until that
question's reveal; the correct answer goes to nobody but the host (the judge, as
``judge_key``) before the reveal.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from . import engine
from .engine import ALL, FINISHED, HOST, LOBBY, PLAYERS, QUESTION, REVEAL, SCREEN, Out, error

BIDA, QIANGDA, RISK, TIEBREAK = "bida", "qiangda", "risk", "tiebreak"
BUZZER_FORMATS = (QIANGDA, TIEBREAK)
CAPTAIN_MODE, MEMBERS_MODE = "captain", "members"

# steps (``room.step``): the phase's finer state
STAKING, READING, BUZZING, ANSWERING = "staking", "reading", "buzzing", "answering"
STEP_REVEAL, STEP_LOBBY, STEP_FINISHED = "reveal", "lobby", "finished"

# verdicts and audit entries
RIGHT, WRONG, PARTIAL, TIMEOUT, EARLY, VOID = (
    "right", "wrong", "partial", "timeout", "early", "void",
)  # fmt: skip
JUDGE_RESULTS = (RIGHT, WRONG, PARTIAL)
ANSWER, EARLY_BUZZ, TIMED_OUT, VOIDED, CORRECTION = (
    "answer", "early_buzz", "timeout", "void", "correction",
)  # fmt: skip
BY_JUDGE, BY_AUTO, BY_SYSTEM = "judge", "auto", "system"

ORDERS = ("score_desc", "score_asc", "rotation")
_BUZZER_RULES = {
    "points": 10,  # right; None: the question's own points
    "wrong": -10,  # a wrong answer or a time-out (≤ 0)
    "partial_pct": 50,  # a partial answer: this percentage of the points (rounded down)
    "answer_ms": 20_000,  # after winning the floor; None: the question's duration_ms
    "early": -10,  # a buzz before the signal, once per team and question (≤ 0)
    "void_on_early": False,  # an early buzz also voids the question
    "grace_ms": 120,  # the decision window after the earliest buzz
    "pass_on": True,  # a wrong answer reopens the buzzer for the others
    "buzz_ms": 15_000,  # how long a buzzer window stays open
}
DEFAULT_RULES: dict[str, dict[str, Any]] = {
    BIDA: {
        "points": 10,
        "wrong": 0,
        "partial_pct": 50,
        "answer_ms": 20_000,
        "order": "rotation",
    },
    QIANGDA: dict(_BUZZER_RULES),
    RISK: {
        "stakes": [10, 20, 30],  # the allowed stakes
        "stake_ms": 30_000,  # time to stake; then the smallest is taken
        "answer_ms": 20_000,
        "order": "score_desc",  # fixed when the round starts; ties by the team order
    },
    TIEBREAK: dict(_BUZZER_RULES),
}


def _check_rules(fmt: str, rules: dict) -> dict:
    """``rules`` merged over the defaults of ``fmt``; ValueError for anything unknown."""
    if fmt not in DEFAULT_RULES:
        raise ValueError(f"unknown round format {fmt!r}")
    unknown = set(rules) - set(DEFAULT_RULES[fmt])
    if unknown:
        raise ValueError(f"unknown rules for {fmt}: {sorted(unknown)}")
    merged = copy.deepcopy(DEFAULT_RULES[fmt]) | copy.deepcopy(rules)
    for name, value in merged.items():
        if name == "stakes":
            ok = bool(value) and all(type(v) is int and v > 0 for v in value)
        elif name == "order":
            ok = value in ORDERS
        elif name in ("void_on_early", "pass_on"):
            ok = type(value) is bool
        elif name in ("points", "answer_ms"):
            ok = value is None or (type(value) is int and value > 0)
        elif name in ("wrong", "early"):
            ok = type(value) is int and value <= 0
        elif name == "partial_pct":
            ok = type(value) is int and 0 <= value <= 100
        else:  # grace_ms, buzz_ms, stake_ms
            ok = type(value) is int and value > 0
        if not ok:
            raise ValueError(f"invalid rule {name}={value!r} for {fmt}")
    return merged


# --- the room ---------------------------------------------------------------------------------


@dataclass
class RoundSpec:
    """A round: its format, its title (shown), its questions in order and its rules
    (merged over ``DEFAULT_RULES[format]`` on creation)."""

    format: str
    title: str
    questions: list[engine.Question]
    rules: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rules = _check_rules(self.format, self.rules)


@dataclass
class TeamSpec:
    """A team on stage. ``captain`` (a player id) buzzes and stakes; in ``captain``
    mode the team plays from the captain's device alone, in ``members`` mode any
    member may submit the team's answer."""

    name: str
    mode: str = CAPTAIN_MODE
    captain: str | None = None


@dataclass
class BuzzRecord:
    team: str
    player: str
    at: int  # server receipt time (the event's ``now``)
    order: int  # application order: breaks ties of ``at``


@dataclass
class Entry:
    """One line of the audit log. ``delta`` is what the decision is worth (for a
    correction: what the corrected entry is now worth); ``effective_deltas`` says
    what each entry counts."""

    id: int  # 1-based
    at: int
    round: int  # 1-based
    seq: int
    team: str | None
    kind: str  # answer | early_buzz | timeout | void | correction
    result: str  # right | wrong | partial | timeout | early | void
    delta: int
    by: str  # judge | auto | system
    corrects: int | None = None
    response: dict | None = None  # a device answer, for the judge


@dataclass
class StageRoom:
    """An on-stage contest's whole state: the programme (rounds, teams, reserve),
    where it stands (phase, step, round, question), the open question's buzzer
    and stakes, the players and the audit log. Plain data: ``room_to_dict``."""

    code: str
    rounds: list[RoundSpec]
    teams: list[TeamSpec]
    base: int = 100
    reserve: list[engine.Question] = field(default_factory=list)  # tie-break questions
    tiebreak_rules: dict = field(default_factory=lambda: _check_rules(TIEBREAK, {}))
    kind: str = field(default="stage", init=False)
    phase: str = LOBBY
    step: str = STEP_LOBBY
    round: int = 0  # 1-based current round; 0 in the lobby
    index: int = 0  # 0-based position of the current question in its round
    seq: int = 0  # global question counter, 1-based; 0 in the lobby
    asked: list[list[int]] = field(default_factory=list)  # seq-1 → [round, index]
    order: list[str] = field(default_factory=list)  # the round's team order, fixed at its start
    team: str | None = None  # whose turn (必答/风险题) or who holds the floor (抢答)
    contenders: list[str] = field(default_factory=list)  # who may answer this question
    answered: list[str] = field(default_factory=list)  # who answered it already
    early: list[str] = field(default_factory=list)  # who was penalised for an early buzz
    buzzes: list[BuzzRecord] = field(default_factory=list)  # the open buzzer window's
    window: int = 0  # buzzer windows of this question so far
    signal_at: int | None = None  # the host's "请抢答"
    window_at: int | None = None  # the open buzzer window's start
    deciding_at: int | None = None  # when the floor is decided (earliest buzz + grace)
    opened_at: int | None = None  # the question's start
    ends_at: int | None = None  # the step's deadline (stake, buzzer window, answer)
    margin_ms: int | None = None  # of the current floor
    stakes: dict[int, dict] = field(default_factory=dict)  # seq → {"team", "points"}
    players: dict[str, engine.Player] = field(default_factory=dict)
    log: list[Entry] = field(default_factory=list)
    locked: bool = False
    version: int = 0

    @property
    def current_round(self) -> RoundSpec | None:
        return self.rounds[self.round - 1] if 1 <= self.round <= len(self.rounds) else None

    @property
    def question(self) -> engine.Question | None:
        return self.question_at(self.seq)[1] if self.seq else None

    def question_at(self, seq: int) -> tuple[RoundSpec, engine.Question]:
        round_no, index = self.asked[seq - 1]
        spec = self.rounds[round_no - 1]
        return spec, spec.questions[index]

    def team_spec(self, name: str | None) -> TeamSpec | None:
        return next((t for t in self.teams if t.name == name), None)

    def team_of(self, player: engine.Player) -> TeamSpec | None:
        """The player's team on stage; None for a spectator."""
        return None if player.kicked else self.team_spec(player.team)

    def members(self, team: str) -> list[engine.Player]:
        return [p for p in self.players.values() if p.team == team and not p.kicked]

    def active_players(self) -> list[engine.Player]:
        return [p for p in self.players.values() if not p.kicked]


def new_room(
    code: str,
    rounds: list[RoundSpec],
    teams: list[TeamSpec],
    *,
    base: int = 100,
    reserve=(),
    tiebreak_rules: dict | None = None,
) -> StageRoom:
    """A room in the lobby. ``reserve``: the tie-break questions; ``tiebreak_rules``
    over ``DEFAULT_RULES["tiebreak"]``."""
    names = [t.name for t in teams]
    if not teams or len(set(names)) != len(names):
        raise ValueError("teams must be given, with distinct names")
    if any(t.mode not in (CAPTAIN_MODE, MEMBERS_MODE) for t in teams):
        raise ValueError("a team's mode is 'captain' or 'members'")
    if not rounds or any(not r.questions or r.format == TIEBREAK for r in rounds):
        raise ValueError("rounds need questions; the tie-break is started by the host")
    return StageRoom(
        code=code,
        rounds=copy.deepcopy(list(rounds)),
        teams=copy.deepcopy(list(teams)),
        base=base,
        reserve=copy.deepcopy(list(reserve)),
        tiebreak_rules=_check_rules(TIEBREAK, tiebreak_rules or {}),
    )


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenBuzzer(engine.Event):
    """The host's "请抢答": the buzzer opens."""


@dataclass(frozen=True)
class Buzz(engine.Event):
    player: str
    seq: int


@dataclass(frozen=True)
class Stake(engine.Event):
    player: str
    seq: int
    points: int


@dataclass(frozen=True)
class Judge(engine.Event):
    """The judge's verdict on the spoken answer of the team holding the floor."""

    result: str


@dataclass(frozen=True)
class Correct(engine.Event):
    """The judge changes an earlier verdict (an audit entry's id)."""

    entry: int
    result: str


@dataclass(frozen=True)
class TieBreak(engine.Event):
    pass


@dataclass(frozen=True)
class SetCaptain(engine.Event):
    team: str
    player: str


# --- scores ------------------------------------------------------------------------------------


def effective_deltas(room: StageRoom) -> dict[int, int]:
    """What each audit entry counts (entry id → points). A void zeroes its
    question's answers and time-outs (and their corrections); an early-buzz
    penalty is a conduct penalty and stands unless the judge voids the question.
    A corrected entry counts what its latest correction says; voids and
    corrections count nothing themselves."""
    voided = {e.seq for e in room.log if e.kind == VOIDED}
    voided_by_judge = {e.seq for e in room.log if e.kind == VOIDED and e.by == BY_JUDGE}
    corrected = {e.corrects: e.delta for e in room.log if e.kind == CORRECTION}
    values = {}
    for entry in room.log:
        if entry.kind in (VOIDED, CORRECTION):
            values[entry.id] = 0
        elif entry.kind == EARLY_BUZZ:
            values[entry.id] = 0 if entry.seq in voided_by_judge else entry.delta
        else:
            values[entry.id] = 0 if entry.seq in voided else corrected.get(entry.id, entry.delta)
    return values


def team_scores(room: StageRoom) -> dict[str, int]:
    """The single source of the scores: base + the effective deltas of the log."""
    scores = {t.name: room.base for t in room.teams}
    effective = effective_deltas(room)
    for entry in room.log:
        if entry.team in scores:
            scores[entry.team] += effective[entry.id]
    return scores


def ranking(room: StageRoom) -> list[dict]:
    """[{rank, name, score}] best first; ties share a rank (and keep the team order)."""
    scores = team_scores(room)
    ordered = sorted(range(len(room.teams)), key=lambda i: (-scores[room.teams[i].name], i))
    table, rank, previous = [], 0, None
    for position, i in enumerate(ordered, start=1):
        name = room.teams[i].name
        if scores[name] != previous:
            rank, previous = position, scores[name]
        table.append({"rank": rank, "name": name, "score": scores[name]})
    return table


def answer_tally(room: StageRoom) -> dict[str, tuple[int, int]]:
    """Per team: (right answers, answers given) as the audit log counts them now:
    a verdict the judge corrected counts as its latest correction says, and a
    voided question's answers count for nobody (as in ``effective_deltas``)."""
    voided = voided_seqs(room)
    latest = {e.corrects: e.result for e in room.log if e.kind == CORRECTION}
    tally: dict[str, tuple[int, int]] = {}
    for entry in room.log:
        if entry.kind != ANSWER or entry.seq in voided or entry.team is None:
            continue
        right, given = tally.get(entry.team, (0, 0))
        tally[entry.team] = (right + (latest.get(entry.id, entry.result) == RIGHT), given + 1)
    return tally


def leaders(room: StageRoom) -> list[str]:
    """The teams sharing first place, in team order."""
    return [row["name"] for row in ranking(room) if row["rank"] == 1]


def voided_seqs(room: StageRoom) -> set[int]:
    return {e.seq for e in room.log if e.kind == VOIDED}


def _points(spec: RoundSpec, question: engine.Question) -> int:
    points = spec.rules.get("points")
    return question.points if points is None else points


def _answer_ms(spec: RoundSpec, question: engine.Question) -> int:
    answer_ms = spec.rules["answer_ms"]
    return question.duration_ms if answer_ms is None else answer_ms


def _delta(room: StageRoom, seq: int, result: str) -> int:
    """What ``result`` is worth on question ``seq`` under its round's rules."""
    spec, question = room.question_at(seq)
    if spec.format == RISK:
        stake = room.stakes[seq]["points"]  # a risk question is answered only once staked
        return stake if result == RIGHT else -stake
    points = _points(spec, question)
    if result == RIGHT:
        return points
    if result == PARTIAL:
        return points * spec.rules["partial_pct"] // 100
    return spec.rules["wrong"]


def _revealed(room: StageRoom, seq: int) -> bool:
    return seq < room.seq or (seq == room.seq and room.phase in (REVEAL, FINISHED))


def _regular_rounds_over(room: StageRoom) -> bool:
    """The last question of the last regular round is revealed."""
    spec = room.current_round
    return (
        room.phase == REVEAL
        and spec is not None
        and spec.format != TIEBREAK
        and room.round == len(room.rounds)
        and room.index + 1 >= len(spec.questions)
    )


def _can_tiebreak(room: StageRoom) -> bool:
    """The last regular round is over with a tie for first place."""
    return _regular_rounds_over(room) and len(leaders(room)) > 1


# --- payloads ----------------------------------------------------------------------------------


def _key_strings(question: engine.Question) -> list[str]:
    """The correct answer as shown: option keys, or the accepted variants per blank."""
    if question.kind == "fill":
        return ["/".join(variants) for variants in question.key]
    return [str(k) for k in question.key]


def question_payload(room: StageRoom, seq: int) -> dict:
    """Question ``seq`` as shown; ``correct`` only once it is revealed."""
    spec, question = room.question_at(seq)
    round_no, index = room.asked[seq - 1]
    message = {
        "seq": seq,
        "round": round_no,
        "number": index + 1,
        "of": len(spec.questions),
        "kind": question.kind,
        "text": question.text,
        "options": [{"key": o["key"], "text": o["text"]} for o in question.options],
        "blanks": len(question.key) if question.kind == "fill" else 0,
        "points": None if spec.format == RISK else _points(spec, question),
    }
    if _revealed(room, seq):
        message["correct"] = _key_strings(question)
    return message


def _eligible(room: StageRoom) -> list[str]:
    """Who may still act on the open question."""
    if room.phase != QUESTION:
        return []
    if room.step in (READING, BUZZING):
        return [t for t in room.contenders if t not in room.answered]
    return [room.team] if room.team else []


def _to_team(room: StageRoom, team: str, message: dict) -> list[Out]:
    return [Out(p.id, message, p.id) for p in room.members(team)]


def _turn_outs(room: StageRoom, now: int) -> list[Out]:
    """Whose turn it is and what shows: to everyone, the host's copy with the key."""
    spec = room.current_round
    round_no, index = room.asked[room.seq - 1]
    message: dict[str, Any] = {
        "type": "turn",
        "seq": room.seq,
        "round": round_no,
        "format": spec.format,
        "title": spec.title,
        "number": index + 1,
        "of": len(spec.questions),
        "step": room.step,
        "team": room.team,
        "order": list(room.order),
        "eligible": _eligible(room),
        "ends_at": room.ends_at,
        "server_now": now,
    }
    if room.step != STAKING:
        message["question"] = question_payload(room, room.seq)
    if spec.format == RISK:
        message["stakes"] = list(spec.rules["stakes"])
    host = dict(message, judge_key=_key_strings(room.question))
    return [Out(PLAYERS, message), Out(SCREEN, message), Out(HOST, host)]


def entry_payload(entry: Entry, effective: dict[int, int]) -> dict:
    message = {
        "id": entry.id,
        "at": entry.at,
        "round": entry.round,
        "seq": entry.seq,
        "team": entry.team,
        "kind": entry.kind,
        "result": entry.result,
        "delta": entry.delta,
        "by": entry.by,
        "effective": effective[entry.id],
    }
    if entry.corrects is not None:
        message["corrects"] = entry.corrects
    if entry.response is not None:
        message["response"] = entry.response
    return message


def _buzzer_view(room: StageRoom) -> dict | None:
    spec = room.current_round
    if spec is None or spec.format not in BUZZER_FORMATS or room.phase == LOBBY:
        return None
    if room.phase == QUESTION and room.step == BUZZING:
        return {"state": "open", "ends_at": room.ends_at, "eligible": _eligible(room)}
    if room.phase == QUESTION and room.step == ANSWERING:
        return {"state": "won", "team": room.team, "margin_ms": room.margin_ms}
    return {"state": "closed"}


def _can_act(room: StageRoom, player: engine.Player) -> bool:
    """Whether the player may act on the open question right now."""
    team = room.team_of(player)
    if team is None or room.phase != QUESTION:
        return False
    captain = team.captain == player.id
    if room.step == BUZZING:
        buzzed = any(b.team == team.name for b in room.buzzes)
        return captain and team.name in _eligible(room) and not buzzed
    if room.step == STAKING:
        return captain and team.name == room.team
    if room.step == ANSWERING:
        return team.name == room.team and (captain or team.mode == MEMBERS_MODE)
    return False


def stage_payload(
    room: StageRoom, *, player: str | None = None, role: str = "player"
) -> dict[str, Any]:
    """The on-stage part of the snapshot, as this viewer may see it."""
    host = role == HOST
    spec = room.current_round
    you = room.players.get(player) if player is not None else None
    viewer_team = room.team_of(you) if you is not None else None
    ranks = {row["name"]: row for row in ranking(room)}
    teams = []
    for team in room.teams:
        captain = room.players.get(team.captain) if team.captain else None
        item = {
            "name": team.name,
            "mode": team.mode,
            "captain": captain.name if captain is not None and not captain.kicked else None,
            "score": ranks[team.name]["score"],
            "rank": ranks[team.name]["rank"],
            "members": len(room.members(team.name)),
        }
        if captain is not None and not captain.kicked and captain.guest:
            item["captain_guest"] = True
        if host:
            item["captain_id"] = team.captain
            item["players"] = [
                engine.guest_marked({"id": p.id, "name": p.name}, p.guest)
                for p in room.members(team.name)
            ]
        teams.append(item)
    message: dict[str, Any] = {
        "round": room.round,
        "rounds": [{"title": r.title, "format": r.format} for r in room.rounds],
        "format": spec.format if spec else None,
        "title": spec.title if spec else None,
        "step": room.step,
        "team": room.team,
        "order": list(room.order),
        "eligible": _eligible(room),
        "teams": teams,
        "ends_at": room.ends_at if room.phase == QUESTION else None,
        "tie": _can_tiebreak(room),
        "stakes": [
            {"seq": seq, "team": stake["team"], "points": stake["points"]}
            for seq, stake in sorted(room.stakes.items())
            if host
            or _revealed(room, seq)
            or (viewer_team is not None and viewer_team.name == stake["team"])
        ],
    }
    if room.seq and not (room.phase == QUESTION and room.step == STAKING):
        message["question"] = question_payload(room, room.seq)
    buzzer = _buzzer_view(room)
    if buzzer is not None:
        message["buzzer"] = buzzer
    if spec is not None and spec.format == RISK:
        message["allowed_stakes"] = list(spec.rules["stakes"])
    if host:
        if room.phase == QUESTION:
            message["judge_key"] = _key_strings(room.question)
        effective = effective_deltas(room)
        message["audit"] = [entry_payload(e, effective) for e in room.log]
    if you is not None:
        message["you"] = {
            "name": you.name,
            "team": you.team,
            "captain": viewer_team is not None and viewer_team.captain == you.id,
            "spectator": viewer_team is None,
            "can_act": _can_act(room, you),
        }
    return message


def state_payload(
    room: StageRoom, now: int, *, player: str | None = None, role: str = "player"
) -> dict:
    """The full snapshot a client gets on (re)connect: the engine's ``state`` with
    ``format: "stage"`` and the on-stage details in ``stage``."""
    message: dict[str, Any] = {
        "type": "state",
        "server_now": now,
        "phase": room.phase,
        "seq": room.seq,
        "total": sum(len(r.questions) for r in room.rounds if r.format != TIEBREAK),
        "format": "stage",
        "locked": room.locked,
        "players": len(room.active_players()),
        "stage": stage_payload(room, player=player, role=role),
    }
    if room.phase == QUESTION:
        message["ends_at"] = room.ends_at
    return message


def next_deadline(room: StageRoom) -> int | None:
    """The earliest server time at which a ``Tick`` changes something: the floor's
    decision, the end of a buzzer window, an answer's or a stake's time limit.
    Windows are half-open: open while ``now < ends_at``, over from ``ends_at``."""
    if room.phase != QUESTION:
        return None
    if room.step == BUZZING and room.deciding_at is not None:
        return room.deciding_at
    if room.step in (BUZZING, ANSWERING, STAKING):
        return room.ends_at
    return None


# --- the state machine ---------------------------------------------------------------------------


def apply(room: StageRoom, event: engine.Event) -> tuple[StageRoom, list[Out]]:
    """The new state and the messages to send; ``room`` itself is not changed."""
    room = _copy(room)
    handler = HANDLERS.get(type(event))
    out = [Out(HOST, error("unsupported"))] if handler is None else handler(room, event)
    room.version += 1
    return room, out


def _copy(room: StageRoom) -> StageRoom:
    """A copy to change: the containers are copied, their items shared. Handlers
    replace a player, never change one in place; entries, buzzes, stakes, rounds
    and questions never change once made. Teams are copied (the captain changes)."""
    return dataclasses.replace(
        room,
        rounds=list(room.rounds),
        teams=[dataclasses.replace(t) for t in room.teams],
        asked=list(room.asked),
        order=list(room.order),
        contenders=list(room.contenders),
        answered=list(room.answered),
        early=list(room.early),
        buzzes=list(room.buzzes),
        stakes=dict(room.stakes),
        players=dict(room.players),
        log=list(room.log),
    )


def _host_state(room: StageRoom, now: int) -> Out:
    return Out(HOST, state_payload(room, now, role=HOST))


def _join(room: StageRoom, event: engine.Join) -> list[Out]:
    existing = room.players.get(event.player)
    if existing is not None and existing.kicked:
        return [Out(event.player, error("kicked"), event.player)]
    out = []
    if existing is None:
        if room.locked and room.phase != LOBBY:
            return [Out(event.player, error("locked"), event.player)]
        if room.phase == FINISHED:
            return [Out(event.player, error("finished"), event.player)]
        # a designated captain belongs to that team whatever branch the account has
        designated = next((t for t in room.teams if t.captain == event.player), None)
        team = designated.name if designated is not None else event.team
        room.players[event.player] = engine.Player(
            event.player, event.name, team, event.now, guest=event.guest
        )
        spec = room.team_spec(team)
        if spec is not None and spec.captain is None:
            spec.captain = event.player  # the first member to arrive
    out.append(Out(event.player, state_payload(room, event.now, player=event.player), event.player))
    if existing is None:
        lobby = engine.lobby_payload(room.active_players())
        out += [Out(SCREEN, lobby), Out(HOST, lobby)]
        if room.team_spec(room.players[event.player].team) is not None:
            out.append(_host_state(room, event.now))  # the host console lists the teams
    return out


def _start(room: StageRoom, event: engine.Start) -> list[Out]:
    if room.phase != LOBBY:
        return [Out(HOST, error("phase", reason="started"))]
    return _begin_round(room, 1, event.now)


def _begin_round(room: StageRoom, number: int, now: int) -> list[Out]:
    room.round, room.index = number, 0
    spec = room.current_round
    names = [t.name for t in room.teams]
    if spec.format == TIEBREAK:
        room.order = leaders(room)
    elif spec.rules.get("order", "rotation") == "rotation":
        room.order = names
    else:
        scores = team_scores(room)
        sign = -1 if spec.rules["order"] == "score_desc" else 1
        room.order = sorted(names, key=lambda name: (sign * scores[name], names.index(name)))
    return _open(room, now)


def _open(room: StageRoom, now: int) -> list[Out]:
    """The round's question at ``room.index`` opens."""
    spec = room.current_round
    room.seq += 1
    room.asked.append([room.round, room.index])
    room.phase, room.opened_at = QUESTION, now
    room.answered, room.early, room.buzzes = [], [], []
    room.window, room.margin_ms = 0, None
    room.signal_at = room.window_at = room.deciding_at = None
    if spec.format in BUZZER_FORMATS:
        room.team, room.step, room.ends_at = None, READING, None
        room.contenders = leaders(room) if spec.format == TIEBREAK else [t.name for t in room.teams]
    else:
        room.team = room.order[room.index % len(room.order)]
        room.contenders = [room.team]
        if spec.format == RISK:
            room.step, room.ends_at = STAKING, now + spec.rules["stake_ms"]
        else:
            room.step, room.ends_at = ANSWERING, now + _answer_ms(spec, room.question)
    return _turn_outs(room, now)


def _next(room: StageRoom, event: engine.Next) -> list[Out]:
    if room.phase == LOBBY:
        return _start(room, engine.Start(event.now))
    if room.phase == QUESTION:
        return [Out(HOST, error("phase", reason="question_open"))]
    if room.phase == FINISHED:
        return [Out(HOST, error("phase", reason="finished"))]
    spec = room.current_round
    more = room.index + 1 < len(spec.questions)
    if spec.format == TIEBREAK:
        if len(leaders(room)) == 1:
            return _finish(room, event.now)
        if not more:
            return [Out(HOST, error("reserve", reason="used_up"))]
    if more:
        room.index += 1
        return _open(room, event.now)
    if room.round < len(room.rounds):
        return _begin_round(room, room.round + 1, event.now)
    if len(leaders(room)) > 1:
        return [Out(HOST, error("tie"))]
    return _finish(room, event.now)


def _tiebreak(room: StageRoom, event: TieBreak) -> list[Out]:
    spec = room.current_round
    if spec is not None and spec.format == TIEBREAK:
        return [Out(HOST, error("phase", reason="tiebreak_started"))]
    if not _regular_rounds_over(room):
        return [Out(HOST, error("phase", reason="rounds_not_over"))]
    if len(leaders(room)) < 2:
        return [Out(HOST, error("no_tie"))]
    if not room.reserve:
        return [Out(HOST, error("reserve"))]
    # no title of its own: clients name the round by its format, in their language
    room.rounds.append(RoundSpec(TIEBREAK, "", list(room.reserve), room.tiebreak_rules))
    return _begin_round(room, len(room.rounds), event.now)


def _finish(room: StageRoom, now: int) -> list[Out]:
    room.phase, room.step = FINISHED, STEP_FINISHED
    room.ends_at = room.deciding_at = None
    room.buzzes = []
    table = ranking(room)
    message = {"type": "finished", "podium": [r for r in table if r["rank"] <= 3], "teams": table}
    return [Out(ALL, message)]


def _end(room: StageRoom, event: engine.End) -> list[Out]:
    if room.phase == FINISHED:
        return []
    out = []
    if room.phase == QUESTION:
        _conclude(room)
        out += _reveal_outs(room)
    return out + _finish(room, event.now)


def _conclude(room: StageRoom) -> None:
    """The open question ends (its reveal follows)."""
    room.phase, room.step = REVEAL, STEP_REVEAL
    room.ends_at = room.deciding_at = None
    room.buzzes = []


def _reveal_outs(room: StageRoom) -> list[Out]:
    message = {
        "type": "reveal",
        "seq": room.seq,
        "correct": _key_strings(room.question),
        "distribution": {},
        "voided": room.seq in voided_seqs(room),
    }
    return [Out(ALL, message)]


def _record(room: StageRoom, entry: Entry) -> list[Out]:
    """Appends ``entry`` to the log: a ``verdict`` (the score changes and the new
    standings) to everyone, the ``audit`` entries that changed to the host."""
    before, before_effective = team_scores(room), effective_deltas(room)
    room.log.append(entry)
    after, effective = team_scores(room), effective_deltas(room)
    changes = {t: after[t] - before[t] for t in after if after[t] != before[t]}
    verdict: dict[str, Any] = {
        "type": "verdict",
        "seq": entry.seq,
        "round": entry.round,
        "entry": entry.id,
        "kind": entry.kind,
        "team": entry.team,
        "result": entry.result,
        "delta": changes.get(entry.team, 0),
        "by": entry.by,
        "changes": changes,
        "scores": ranking(room),
    }
    if entry.corrects is not None:
        verdict["corrects"] = entry.corrects
    stake = room.stakes.get(entry.seq)
    if stake is not None and _revealed(room, entry.seq):
        verdict["stake"] = stake["points"]
    changed = [
        entry_payload(e, effective)
        for e in room.log
        if e is entry or before_effective.get(e.id) != effective[e.id]
    ]
    return [Out(ALL, verdict), Out(HOST, {"type": "audit", "entries": changed})]


def _new_entry(
    room: StageRoom,
    now: int,
    team: str | None,
    kind: str,
    result: str,
    *,
    delta: int = 0,
    by: str = BY_SYSTEM,
    seq: int | None = None,
    corrects: int | None = None,
    response: dict | None = None,
) -> Entry:
    """The next audit entry, about question ``seq`` (the open one by default)."""
    seq = room.seq if seq is None else seq
    return Entry(
        id=len(room.log) + 1,
        at=now,
        round=room.asked[seq - 1][0],
        seq=seq,
        team=team,
        kind=kind,
        result=result,
        delta=delta,
        by=by,
        corrects=corrects,
        response=response,
    )


def _verdict(room: StageRoom, now: int, result: str, by: str, response=None) -> list[Out]:
    """The team holding the floor is judged: recorded, then the buzzer reopens for
    the others (抢答 after a wrong answer or a time-out) or the question ends."""
    spec, team = room.current_round, room.team
    kind = TIMED_OUT if result == TIMEOUT else ANSWER
    delta = _delta(room, room.seq, result)
    entry = _new_entry(room, now, team, kind, result, delta=delta, by=by, response=response)
    room.answered.append(team)
    pass_on = (
        spec.format in BUZZER_FORMATS
        and result in (WRONG, TIMEOUT)
        and spec.rules["pass_on"]
        and any(t not in room.answered for t in room.contenders)
    )
    if pass_on:
        return _record(room, entry) + _open_window(room, now)
    _conclude(room)
    return _record(room, entry) + _reveal_outs(room)


def _open_window(room: StageRoom, now: int) -> list[Out]:
    spec = room.current_round
    room.step, room.team, room.margin_ms = BUZZING, None, None
    room.window += 1
    room.window_at, room.ends_at = now, now + spec.rules["buzz_ms"]
    room.buzzes, room.deciding_at = [], None
    message = {
        "type": "buzzer",
        "seq": room.seq,
        "state": "open",
        "ends_at": room.ends_at,
        "eligible": _eligible(room),
        "server_now": now,
    }
    return [Out(ALL, message)]


def _award(room: StageRoom, now: int) -> list[Out]:
    """The floor goes to the earliest buzz by server time (then by application)."""
    eligible = set(_eligible(room))
    ranked = sorted((b for b in room.buzzes if b.team in eligible), key=lambda b: (b.at, b.order))
    if not ranked:
        return _no_buzz(room, now)
    spec = room.current_round
    room.team = ranked[0].team
    room.margin_ms = ranked[1].at - ranked[0].at if len(ranked) > 1 else None
    room.step, room.ends_at = ANSWERING, now + _answer_ms(spec, room.question)
    room.buzzes, room.deciding_at = [], None
    message = {
        "type": "buzzer",
        "seq": room.seq,
        "state": "won",
        "team": room.team,
        "margin_ms": room.margin_ms,
        "ends_at": room.ends_at,
        "server_now": now,
    }
    return [Out(ALL, message)]


def _no_buzz(room: StageRoom, now: int) -> list[Out]:
    closed = {"type": "buzzer", "seq": room.seq, "state": "closed", "server_now": now}
    _conclude(room)
    return [Out(ALL, closed), *_reveal_outs(room)]


def _auto_stake(room: StageRoom, now: int) -> list[Out]:
    smallest = min(room.current_round.rules["stakes"])
    return _staked(room, now, smallest, auto=True)


def _staked(room: StageRoom, now: int, points: int, *, auto: bool) -> list[Out]:
    team = room.team
    room.stakes[room.seq] = {"team": team, "points": points}
    ack = {
        "type": "stake_ack",
        "seq": room.seq,
        "accepted": True,
        "team": team,
        "points": points,
        "auto": auto,
    }
    room.step = ANSWERING
    room.ends_at = now + _answer_ms(room.current_round, room.question)
    return [*_to_team(room, team, ack), Out(HOST, ack), *_turn_outs(room, now)]


def _tick(room: StageRoom, event: engine.Tick) -> list[Out]:
    deadline = next_deadline(room)
    if deadline is None or event.now < deadline:
        return []
    return _time_up(room, event.now)


def _time_up(room: StageRoom, now: int) -> list[Out]:
    if room.step == BUZZING:
        return _award(room, now) if room.buzzes else _no_buzz(room, now)
    if room.step == ANSWERING:
        return _verdict(room, now, TIMEOUT, BY_SYSTEM)
    return _auto_stake(room, now)


def _close(room: StageRoom, event: engine.Close) -> list[Out]:
    """The host closes the open window now: the buzzer decides (or closes), the
    answer times out, the smallest stake is taken."""
    if room.phase != QUESTION or room.step not in (BUZZING, ANSWERING, STAKING):
        return [Out(HOST, error("phase", reason="no_timer"))]
    return _time_up(room, event.now)


def _open_buzzer(room: StageRoom, event: OpenBuzzer) -> list[Out]:
    if room.phase != QUESTION or room.step != READING:
        return [Out(HOST, error("phase", reason="not_reading"))]
    room.signal_at = event.now
    return _open_window(room, event.now)


def _player_check(room: StageRoom, player_id: str) -> tuple[engine.Player | None, list[Out]]:
    player = room.players.get(player_id)
    if player is None:
        return None, [Out(player_id, error("join"), player_id)]
    if player.kicked:
        return None, [Out(player_id, error("kicked"), player_id)]
    return player, []


def _buzz_result(event: Buzz, team: str | None, reason: str | None = None) -> dict:
    message = {
        "type": "buzz_result",
        "seq": event.seq,
        "team": team,
        "accepted": reason is None,
        "at": event.now,
    }
    if reason is not None:
        message["reason"] = reason
    return message


def _buzz(room: StageRoom, event: Buzz) -> list[Out]:
    player, refused = _player_check(room, event.player)
    if player is None:
        return refused
    team = room.team_of(player)
    spec = room.current_round
    reason = None
    if team is None:
        reason = "spectator"
    elif team.captain != player.id:
        reason = "not_captain"
    elif room.phase != QUESTION or event.seq != room.seq or spec.format not in BUZZER_FORMATS:
        reason = "closed"
    elif team.name not in room.contenders:
        reason = "not_eligible"
    elif team.name in room.answered:
        reason = "answered"
    elif room.signal_at is None or event.now < room.signal_at:
        return _early(room, event, team.name)
    elif room.step != BUZZING or event.now < room.window_at or event.now >= room.ends_at:
        reason = "closed"
    elif any(b.team == team.name for b in room.buzzes):
        reason = "duplicate"
    if reason is not None:
        name = team.name if team is not None else None
        return [Out(player.id, _buzz_result(event, name, reason), player.id)]
    room.buzzes.append(BuzzRecord(team.name, player.id, event.now, room.version))
    room.deciding_at = min(b.at for b in room.buzzes) + spec.rules["grace_ms"]
    return _to_team(room, team.name, _buzz_result(event, team.name))


def _early(room: StageRoom, event: Buzz, team: str) -> list[Out]:
    """A buzz before the signal: penalised once per team and question; with
    ``void_on_early`` the question is voided (the penalty stands)."""
    refusal = Out(event.player, _buzz_result(event, team, "early"), event.player)
    if team in room.early:
        return [refusal]
    rules = room.current_round.rules
    room.early.append(team)
    message = {
        "type": "buzzer",
        "seq": room.seq,
        "state": "early",
        "team": team,
        "delta": rules["early"],
        "voided": rules["void_on_early"],
        "server_now": event.now,
    }
    penalty = _new_entry(room, event.now, team, EARLY_BUZZ, EARLY, delta=rules["early"])
    out = [refusal, Out(ALL, message), *_record(room, penalty)]
    if rules["void_on_early"]:
        _conclude(room)
        out += _record(room, _new_entry(room, event.now, None, VOIDED, VOID))
        out += _reveal_outs(room)
    return out


def _stake_ack(event: Stake, team: str | None, reason: str) -> Out:
    message = {"type": "stake_ack", "seq": event.seq, "accepted": False, "reason": reason}
    if team is not None:
        message["team"] = team
    return Out(event.player, message, event.player)


def _stake(room: StageRoom, event: Stake) -> list[Out]:
    player, refused = _player_check(room, event.player)
    if player is None:
        return refused
    team = room.team_of(player)
    name = team.name if team is not None else None
    if team is None:
        return [_stake_ack(event, name, "spectator")]
    if room.phase != QUESTION or room.step != STAKING or event.seq != room.seq:
        return [_stake_ack(event, name, "closed")]
    if team.name != room.team:
        return [_stake_ack(event, name, "not_your_turn")]
    if team.captain != player.id:
        return [_stake_ack(event, name, "not_captain")]
    if event.now >= room.ends_at:
        return [_stake_ack(event, name, "late")]
    if event.points not in room.current_round.rules["stakes"]:
        return [_stake_ack(event, name, "invalid")]
    return _staked(room, event.now, event.points, auto=False)


def _ack(player: str, seq: int, reason: str | None = None) -> Out:
    message = {"type": "answer_ack", "seq": seq, "accepted": reason is None}
    if reason is not None:
        message["reason"] = reason
    return Out(player, message, player)


def _valid_response(question: engine.Question, response: dict) -> bool:
    if not isinstance(response, dict):
        return False
    if question.kind == "fill":
        blanks = response.get("blanks")
        if blanks is None and isinstance(response.get("text"), str):
            blanks = [response["text"]]
        return (
            isinstance(blanks, list)
            and len(blanks) == len(question.key)
            and all(isinstance(b, str) and len(b) <= 200 for b in blanks)
        )
    choices = response.get("choices")
    keys = {o["key"] for o in question.options}
    return (
        isinstance(choices, list)
        and 0 < len(choices) <= len(keys)
        and all(isinstance(c, str) and c in keys for c in choices)
        and (question.kind == "multiple" or len(choices) == 1)
    )


def _answer(room: StageRoom, event: engine.SubmitAnswer) -> list[Out]:
    """A device answer of the team holding the floor, graded at once ("auto"); the
    first submission of the floor wins, the other teams' devices are locked."""
    player = room.players.get(event.player)
    if player is None:
        return [_ack(event.player, event.seq, "invalid")]
    if player.kicked:
        return [_ack(event.player, event.seq, "kicked")]
    if room.phase != QUESTION or event.seq != room.seq:
        return [_ack(event.player, event.seq, "closed")]
    team = room.team_of(player)
    if team is not None and team.name in room.answered:
        return [_ack(event.player, event.seq, "duplicate")]
    if room.step != ANSWERING:
        return [_ack(event.player, event.seq, "closed")]
    if (
        team is None
        or team.name != room.team
        or (team.mode == CAPTAIN_MODE and team.captain != player.id)
    ):
        return [_ack(event.player, event.seq, "locked")]
    if event.now >= room.ends_at:
        return [_ack(event.player, event.seq, "late")]
    question = room.question
    if not _valid_response(question, event.response):
        return [_ack(event.player, event.seq, "invalid")]
    right = engine.is_correct(question, question.key, event.response)
    result = RIGHT if right else WRONG
    response = dict(event.response)
    return [_ack(event.player, event.seq), *_verdict(room, event.now, result, BY_AUTO, response)]


def _judge(room: StageRoom, event: Judge) -> list[Out]:
    if room.phase != QUESTION or room.step != ANSWERING:
        return [Out(HOST, error("phase", reason="nobody_answering"))]
    if event.result not in JUDGE_RESULTS:
        return [Out(HOST, error("result"))]
    return _verdict(room, event.now, event.result, BY_JUDGE)


def _correct(room: StageRoom, event: Correct) -> list[Out]:
    if event.result not in JUDGE_RESULTS:
        return [Out(HOST, error("result"))]
    by_id = {e.id: e for e in room.log}
    entry = by_id.get(event.entry)
    if entry is None:
        return [Out(HOST, error("entry"))]
    if entry.kind == CORRECTION:
        entry = by_id[entry.corrects]  # a correction of a correction: the same answer
    if entry.kind not in (ANSWER, TIMED_OUT):
        return [Out(HOST, error("entry", reason="not_answer"))]
    latest = [e for e in room.log if e.kind == CORRECTION and e.corrects == entry.id]
    if (latest[-1].result if latest else entry.result) == event.result:
        return [Out(HOST, error("unchanged"))]
    delta = _delta(room, entry.seq, event.result)
    correction = _new_entry(
        room,
        event.now,
        entry.team,
        CORRECTION,
        event.result,
        delta=delta,
        by=BY_JUDGE,
        seq=entry.seq,
        corrects=entry.id,
    )
    return _record(room, correction)


def _void(room: StageRoom, event: engine.Void) -> list[Out]:
    if not 1 <= event.seq <= room.seq:
        return [Out(HOST, error("seq", reason="void"))]
    if event.seq in voided_seqs(room):
        return [Out(HOST, error("voided"))]
    current = event.seq == room.seq and room.phase == QUESTION
    if current:
        _conclude(room)
    entry = _new_entry(room, event.now, None, VOIDED, VOID, by=BY_JUDGE, seq=event.seq)
    out = _record(room, entry)
    return out + _reveal_outs(room) if current else out


def _kick(room: StageRoom, event: engine.Kick) -> list[Out]:
    player = room.players.get(event.player)
    if player is None:
        return [Out(HOST, error("unknown_player"))]
    room.players[player.id] = dataclasses.replace(player, kicked=True)
    team = room.team_spec(player.team)
    if team is not None and team.captain == player.id:
        # the next member to have joined takes over, or the next to join
        team.captain = next((p.id for p in room.members(team.name)), None)
    return [
        Out(event.player, error("kicked"), event.player),
        Out(HOST, engine.lobby_payload(room.active_players(), names=False)),
        *([_host_state(room, event.now)] if team is not None else []),
    ]


def _lock(room: StageRoom, event: engine.Lock) -> list[Out]:
    room.locked = event.locked
    return [_host_state(room, event.now)]


def _set_captain(room: StageRoom, event: SetCaptain) -> list[Out]:
    team = room.team_spec(event.team)
    if team is None:
        return [Out(HOST, error("team"))]
    player = room.players.get(event.player)
    if player is not None and player.kicked:
        return [Out(HOST, error("kicked", reason="captain"))]
    current = room.team_spec(player.team) if player is not None else None
    designated = next((t for t in room.teams if t.captain == event.player), None)
    other = current if current is not None else designated
    if other is not None and other.name != team.name:
        return [Out(HOST, error("captain"))]
    if player is not None:  # a spectator's device may become the team's
        room.players[player.id] = dataclasses.replace(player, team=team.name)
    team.captain = event.player  # one who has not joined yet joins into this team
    return [
        *(
            Out(p.id, state_payload(room, event.now, player=p.id), p.id)
            for p in room.members(team.name)
        ),
        Out(SCREEN, state_payload(room, event.now, role=SCREEN)),
        _host_state(room, event.now),
    ]


HANDLERS = {
    engine.Join: _join,
    engine.SubmitAnswer: _answer,
    engine.Start: _start,
    engine.Next: _next,
    engine.Close: _close,
    engine.Tick: _tick,
    engine.End: _end,
    engine.Kick: _kick,
    engine.Lock: _lock,
    engine.Void: _void,
    OpenBuzzer: _open_buzzer,
    Buzz: _buzz,
    Stake: _stake,
    Judge: _judge,
    Correct: _correct,
    TieBreak: _tiebreak,
    SetCaptain: _set_captain,
}


# --- snapshots ---------------------------------------------------------------------------------

SNAPSHOT_VERSION = 1


def room_to_dict(room: StageRoom) -> dict:
    """The whole room as plain JSON data (``kind: "stage"``, version 1)."""
    return {
        "kind": "stage",
        "version": SNAPSHOT_VERSION,
        "code": room.code,
        "rounds": [
            {
                "format": r.format,
                "title": r.title,
                "questions": [vars(q).copy() for q in r.questions],
                "rules": copy.deepcopy(r.rules),
            }
            for r in room.rounds
        ],
        "teams": [vars(t).copy() for t in room.teams],
        "base": room.base,
        "reserve": [vars(q).copy() for q in room.reserve],
        "tiebreak_rules": copy.deepcopy(room.tiebreak_rules),
        "phase": room.phase,
        "step": room.step,
        "round": room.round,
        "index": room.index,
        "seq": room.seq,
        "asked": [list(a) for a in room.asked],
        "order": list(room.order),
        "team": room.team,
        "contenders": list(room.contenders),
        "answered": list(room.answered),
        "early": list(room.early),
        "buzzes": [vars(b).copy() for b in room.buzzes],
        "window": room.window,
        "signal_at": room.signal_at,
        "window_at": room.window_at,
        "deciding_at": room.deciding_at,
        "opened_at": room.opened_at,
        "ends_at": room.ends_at,
        "margin_ms": room.margin_ms,
        "stakes": {str(seq): dict(stake) for seq, stake in room.stakes.items()},
        "players": [vars(p).copy() for p in room.players.values()],
        "log": [copy.deepcopy(vars(e)) for e in room.log],
        "locked": room.locked,
        "state_version": room.version,
    }


def room_from_dict(data: dict) -> StageRoom:
    if data.get("kind") != "stage" or data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"not a stage room snapshot of version {SNAPSHOT_VERSION}")
    rounds = [
        RoundSpec(
            r["format"], r["title"], [engine.Question(**q) for q in r["questions"]], r["rules"]
        )
        for r in data["rounds"]
    ]
    return StageRoom(
        code=data["code"],
        rounds=rounds,
        teams=[TeamSpec(**t) for t in data["teams"]],
        base=data["base"],
        reserve=[engine.Question(**q) for q in data["reserve"]],
        tiebreak_rules=data["tiebreak_rules"],
        phase=data["phase"],
        step=data["step"],
        round=data["round"],
        index=data["index"],
        seq=data["seq"],
        asked=[list(a) for a in data["asked"]],
        order=list(data["order"]),
        team=data["team"],
        contenders=list(data["contenders"]),
        answered=list(data["answered"]),
        early=list(data["early"]),
        buzzes=[BuzzRecord(**b) for b in data["buzzes"]],
        window=data["window"],
        signal_at=data["signal_at"],
        window_at=data["window_at"],
        deciding_at=data["deciding_at"],
        opened_at=data["opened_at"],
        ends_at=data["ends_at"],
        margin_ms=data["margin_ms"],
        stakes={int(seq): dict(stake) for seq, stake in data["stakes"].items()},
        players={p["id"]: engine.Player(**p) for p in data["players"]},
        log=[Entry(**e) for e in data["log"]],
        locked=data["locked"],
        version=data["state_version"],
    )
