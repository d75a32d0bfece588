"""
The live-contest engine: a pure, deterministic state machine.

``apply(room, event)`` takes the room's state and one event (a player's join or
answer, a host action, the clock reaching a deadline) and returns the new state
and the messages to send. No I/O and no clock of its own: every event carries
``now`` (server epoch milliseconds). The stores keep the state; the consumers
only translate between sockets and events.

Scores are never accumulated by hand: ``standings`` recomputes them from the
stored answers, so voiding or rescoring a question, or recounting offline,
always gives the same numbers.

Phases: ``lobby`` → ``question`` → ``reveal`` → ``question`` … → ``finished``;
``paused`` freezes a question's clock. Rounds are formats (``FORMATS``): classic
(everyone answers; points for correctness and speed) and team (branches compete;
a team's score is its members' mean × participation rate). More formats plug in
by adding a ``Format`` (the on-stage rounds of the next issue).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from quizzes import scoring

LOBBY, QUESTION, REVEAL, PAUSED, FINISHED = "lobby", "question", "reveal", "paused", "finished"
FULL_POINTS_WITHIN_MS = 500
STREAK_STEP, STREAK_CAP = 100, 500
TOP = 10
ROSTER_MAX = 500  # the host's roster: the newest players (a city-wide room has thousands)


# --- the room ---------------------------------------------------------------------------------


@dataclass
class Question:
    """One question as the engine needs it. ``key``: option keys for choice
    questions, ``["true"]``/``["false"]`` for true/false, a list of accepted
    variants per blank for fill-ins."""

    id: int
    kind: str
    text: str
    options: list[dict]  # [{"key": "A", "text": "…"}] as shown to players
    key: list
    points: int = 1000
    duration_ms: int = 20_000


@dataclass
class Player:
    id: str
    name: str
    team: str | None = None
    joined_at: int = 0
    kicked: bool = False
    guest: bool = False


@dataclass
class Answer:
    player: str
    seq: int
    response: dict
    at: int  # server ms when accepted
    elapsed_ms: int  # since the question opened, pauses excluded


@dataclass
class Room:
    code: str
    questions: list[Question]
    format: str = "classic"
    phase: str = LOBBY
    seq: int = 0  # 1-based index of the current question; 0 in the lobby
    opened_at: int | None = None
    ends_at: int | None = None
    paused_left_ms: int | None = None
    locked: bool = False
    screen_only: bool = False  # players see option keys only; the text is on the big screen
    players: dict[str, Player] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)  # "seq:player" → Answer
    voided: set[int] = field(default_factory=set)
    rescored: dict[int, list] = field(default_factory=dict)  # seq → corrected key
    # The standings as of the last reveal (or correction), kept so that a (re)connect
    # does not recount and the next reveal adds one question to running totals:
    # player → [score, correct, answered, rank, streak, shown], counting the questions
    # up to ``board_upto`` (None: unknown, so the next reveal recounts), ``shown`` being
    # the rank at the last scoreboard sent (None: none yet; a scoreboard's ``previous``);
    # and that scoreboard.
    board: dict[str, list[int]] = field(default_factory=dict)
    board_upto: int | None = 0
    scoreboard: dict | None = None
    version: int = 0

    @property
    def question(self) -> Question | None:
        return self.questions[self.seq - 1] if 1 <= self.seq <= len(self.questions) else None

    def key_for(self, seq: int) -> list:
        return self.rescored.get(seq, self.questions[seq - 1].key)

    def active_players(self) -> list[Player]:
        return [p for p in self.players.values() if not p.kicked]


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    now: int


@dataclass(frozen=True)
class Join(Event):
    player: str
    name: str
    team: str | None = None
    guest: bool = False


@dataclass(frozen=True)
class SubmitAnswer(Event):
    player: str
    seq: int
    response: dict


@dataclass(frozen=True)
class Start(Event):
    pass


@dataclass(frozen=True)
class Next(Event):
    pass


@dataclass(frozen=True)
class Close(Event):
    pass


@dataclass(frozen=True)
class Tick(Event):
    """The clock: closes the question once ``now`` is past ``ends_at``."""


@dataclass(frozen=True)
class Pause(Event):
    pass


@dataclass(frozen=True)
class Resume(Event):
    pass


@dataclass(frozen=True)
class End(Event):
    pass


@dataclass(frozen=True)
class Kick(Event):
    player: str


@dataclass(frozen=True)
class Lock(Event):
    locked: bool = True


@dataclass(frozen=True)
class Void(Event):
    seq: int


@dataclass(frozen=True)
class Rescore(Event):
    seq: int
    key: list


# --- messages ----------------------------------------------------------------------------------

ALL, PLAYERS, SCREEN, HOST = "all", "players", "screen", "host"
PLAYERS_ROLE = "player"  # a socket's role, as against the audience PLAYERS


@dataclass(frozen=True)
class Out:
    """A message and who gets it: ``ALL``, ``PLAYERS``, ``SCREEN``, ``HOST``, or
    one player's id (``to_player``)."""

    to: str
    message: dict
    to_player: str | None = None


# --- scoring -----------------------------------------------------------------------------------


def is_correct(question: Question, key: list, response: dict) -> bool:
    """Graded as in quizzes (``quizzes.scoring``): choices by exact set, fill-ins
    per blank with full-/half-width, spaces and end punctuation normalised."""
    if question.kind == "fill":
        blanks = response.get("blanks") or ([response["text"]] if "text" in response else [])
        return (
            len(blanks) == len(key) and scoring.grade(scoring.FILL, key, {"blanks": blanks}).correct
        )
    # option keys (and "true"/"false") compare as a set, as for multiple choice
    return scoring.grade(scoring.MULTIPLE, key, response).correct


def speed_points(points: int, elapsed_ms: int, duration_ms: int) -> int:
    """P × (1 − (t/T)/2); the full P within the first half second."""
    if elapsed_ms <= FULL_POINTS_WITHIN_MS:
        return points
    share = min(1.0, max(0.0, elapsed_ms / duration_ms))
    return round(points * (1 - share / 2))


@dataclass
class Standing:
    player: str
    name: str
    team: str | None
    guest: bool = False
    score: int = 0
    correct: int = 0
    answered: int = 0
    streak: int = 0
    rank: int = 0
    last_points: int = 0
    last_correct: bool | None = None

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def standings(room: Room, upto: int | None = None) -> dict[str, Standing]:
    """Every player's score, recomputed from the stored answers of the revealed
    questions (all questions up to ``upto``), in question order: correctness and
    speed points plus the streak bonus (+100 for each consecutive right answer
    after the first, at most +500). Voided questions count for nobody."""
    last = room.seq if upto is None else upto
    table = {
        p.id: Standing(player=p.id, name=p.name, team=p.team, guest=p.guest)
        for p in room.active_players()
    }
    for seq in range(1, last + 1):
        _score_question(room, table, seq)
    return _ranked(table)


def _score_question(room: Room, table: dict[str, Standing], seq: int) -> None:
    """Adds question ``seq`` to every standing of ``table`` (nothing if voided)."""
    if seq in room.voided:
        return
    question = room.questions[seq - 1]
    key = room.key_for(seq)
    for standing in table.values():
        answer = room.answers.get(f"{seq}:{standing.player}")
        standing.last_points, standing.last_correct = 0, None
        if answer is None:
            standing.streak = 0
            continue
        standing.answered += 1
        right = is_correct(question, key, answer.response)
        standing.last_correct = right
        if right:
            standing.streak += 1
            standing.correct += 1
            bonus = min(STREAK_STEP * (standing.streak - 1), STREAK_CAP)
            gained = speed_points(question.points, answer.elapsed_ms, question.duration_ms)
            standing.last_points = gained + bonus
            standing.score += gained + bonus
        else:
            standing.streak = 0


def _from_board(room: Room) -> dict[str, Standing]:
    """The standings the board holds (as of question ``room.board_upto``)."""
    table = {}
    for p in room.active_players():
        standing = Standing(player=p.id, name=p.name, team=p.team, guest=p.guest)
        entry = room.board.get(p.id)
        if entry is not None:
            standing.score, standing.correct, standing.answered = entry[0], entry[1], entry[2]
            standing.streak = entry[4]
        table[p.id] = standing
    return table


def standings_through(room: Room, upto: int) -> dict[str, Standing]:
    """The standings up to question ``upto``: when the board holds them up to the
    question before, only question ``upto`` is scored on top (running totals: a
    reveal costs one pass over the players, not a recount of every answer so
    far); otherwise — a board of an older snapshot, a voided open question —
    everything is recounted (``standings``), which always gives the same table."""
    if room.board_upto == upto:
        return _ranked(_from_board(room))
    if room.board_upto != upto - 1 or upto in room.voided or upto < 1:
        return standings(room, upto=upto)
    table = _from_board(room)
    _score_question(room, table, upto)
    return _ranked(table)


def _ranked(table: dict[str, Standing]) -> dict[str, Standing]:
    ranked = sorted(table.values(), key=lambda s: (-s.score, -s.correct, s.name, s.player))
    previous, rank = None, 0
    for position, standing in enumerate(ranked, start=1):
        if previous is None or (standing.score, standing.correct) != previous:
            rank = position  # ties share a rank
        previous = (standing.score, standing.correct)
        standing.rank = rank
    return table


@dataclass
class TeamStanding:
    name: str
    score: int
    members: int
    participation: float
    rank: int = 0


def team_standings(room: Room, table: dict[str, Standing], upto: int) -> list[TeamStanding]:
    """Team score = the mean of the members' scores × the share of (member,
    question) pairs answered, so a big branch does not win by head count and a
    small one does not win by its few keen members alone."""
    return teams_ranked(table.values(), asked_count(room, upto))


def asked_count(room: Room, upto: int | None = None) -> int:
    """The questions asked up to ``upto`` (the current one: None), voided ones not counted."""
    last = room.seq if upto is None else upto
    return len([s for s in range(1, last + 1) if s not in room.voided])


def teams_ranked(members, asked: int) -> list[TeamStanding]:
    """The team standings from the members' standings (anything with ``team``,
    ``score`` and ``answered``: a ``Standing`` or a stored result) and the number
    of questions asked: the one formula for the live scoreboard and the results."""
    teams: dict[str, list] = {}
    for standing in members:
        if standing.team:
            teams.setdefault(standing.team, []).append(standing)
    result = []
    for name, group in teams.items():
        mean = sum(m.score for m in group) / len(group)
        possible = len(group) * asked
        participation = sum(m.answered for m in group) / possible if possible else 0.0
        result.append(TeamStanding(name, round(mean * participation), len(group), participation))
    result.sort(key=lambda t: (-t.score, t.name))
    for position, team in enumerate(result, start=1):
        team.rank = position
    return result


# --- payloads ----------------------------------------------------------------------------------


def question_payload(room: Room, now: int, *, for_players: bool = False) -> dict:
    """The open question: never the key. With ``screen_only`` the players' copy
    carries the option keys but no texts (they read them on the big screen)."""
    question = room.question
    hide = for_players and room.screen_only
    return {
        "type": "question",
        "seq": room.seq,
        "total": len(room.questions),
        "kind": question.kind,
        "text": "" if hide else question.text,
        "options": [{"key": o["key"], "text": "" if hide else o["text"]} for o in question.options],
        "blanks": len(question.key) if question.kind == "fill" else 0,
        "points": question.points,
        "ends_at": room.ends_at,
        "duration_ms": question.duration_ms,
        "server_now": now,
    }


def guest_marked(row: dict, guest: bool) -> dict:
    """A row naming a person: ``guest: true`` added for a guest, so that no screen
    shows a guest's nickname as if it were a member's name."""
    if guest:
        row["guest"] = True
    return row


def lobby_payload(players: list[Player], *, names: bool = True) -> dict:
    """The ``lobby`` message: the count and the latest five names (none with
    ``names=False``), with ``recent_guests`` beside ``recent`` (which of those names
    are guests')."""
    latest = players[-5:] if names else []
    return {
        "type": "lobby",
        "players": len(players),
        "recent": [p.name for p in latest],
        "recent_guests": [p.guest for p in latest],
    }


def roster(room: Room) -> list[dict]:
    """Who is in, for the host alone (its console lists them and kicks from the
    list): the newest ``ROSTER_MAX`` players not kicked, newest first; ``player``
    is the id ``kick`` takes."""
    rows: list[dict] = []
    for p in reversed(room.players.values()):
        if p.kicked:
            continue
        rows.append({"player": p.id, "name": p.name, "branch": p.team, "guest": p.guest})
        if len(rows) >= ROSTER_MAX:
            break
    return rows


def host_lobby(room: Room, names: bool = True) -> dict:
    """The host's ``lobby``: the count, the latest names and the ``roster``."""
    return dict(lobby_payload(room.active_players(), names=names), roster=roster(room))


def _shown(entry: list | None) -> int | None:
    """A board entry's rank at the last scoreboard sent (None: none, or an older board)."""
    return entry[5] if entry is not None and len(entry) > 5 else None


def scoreboard_payload(room: Room, table: dict[str, Standing], before: dict | None = None) -> dict:
    """The top ten (and the teams); each entry's ``previous`` is its rank at the
    last scoreboard sent, as ``before`` (the board before this one) remembers it."""
    before = room.board if before is None else before
    ranked = sorted(table.values(), key=lambda s: (s.rank, s.name))
    message = {
        "type": "scoreboard",
        "seq": room.seq,
        "top": [
            guest_marked(
                {
                    "rank": s.rank,
                    "name": s.name,
                    "branch": s.team,
                    "score": s.score,
                    "accuracy": round(s.accuracy, 3),
                    "previous": _shown(before.get(s.player)),
                },
                s.guest,
            )
            for s in ranked[:TOP]
        ],
    }
    if room.format == "team":
        message["teams"] = [
            {"rank": t.rank, "name": t.name, "score": t.score, "members": t.members}
            for t in team_standings(room, table, room.seq)
        ]
    return message


def board_key(score: int, correct: int) -> int:
    """One number that orders standings as ``standings`` ranks them (score, then
    right answers): a sorted-set score."""
    return score * 100_000 + correct


def _set_board(room: Room, table: dict[str, Standing], upto: int, *, sent: bool) -> None:
    """The board and scoreboard from ``table``; ``sent``: this scoreboard goes out
    (its ranks are the next one's ``previous``), else the last one sent stays the
    reference (a kick, a correction while a question is open)."""
    before = room.board
    room.scoreboard = scoreboard_payload(room, table, before)
    room.board = {
        s.player: [
            s.score,
            s.correct,
            s.answered,
            s.rank,
            s.streak,
            s.rank if sent else _shown(before.get(s.player)),
        ]
        for s in table.values()
    }
    room.board_upto = upto


def recount_board(room: Room, *, sent: bool = False) -> None:
    """The board recounted from every answer the room holds (after a correction)."""
    revealed = max(0, room.seq if room.phase in (REVEAL, FINISHED) else room.seq - 1)
    _set_board(room, standings(room, upto=revealed), revealed, sent=sent)


def you_entry(name: str, entry: list[int] | None, rank_of_zero: int, answered: bool) -> dict:
    """A player's ``you``: from the board (``[score, correct, answered, rank,
    streak]``), or, for one who joined since, 0 and the rank of a score of 0."""
    if entry is None:
        entry = [0, 0, 0, rank_of_zero, 0]
    score, correct, done, rank = entry[:4]
    return {
        "name": name,
        "score": score,
        "rank": rank,
        "accuracy": round(correct / done, 3) if done else 0.0,
        "answered": answered,
        "streak": entry[4] if len(entry) > 4 else 0,
    }


def room_meta(room: Room) -> dict:
    """The room's public state as small plain data: what a (re)connecting client is
    shown, except its own standing. The stores keep it beside the room, so that a
    reconnect needs no more than this, one board entry and a flag."""
    open_question = room.phase in (QUESTION, PAUSED) and room.question is not None
    above_zero = sum(1 for e in room.board.values() if board_key(e[0], e[1]) > 0)
    return {
        "phase": room.phase,
        "seq": room.seq,
        "total": len(room.questions),
        "format": room.format,
        "locked": room.locked,
        "players": len(room.active_players()),
        "ends_at": room.ends_at if open_question else None,
        "screen_only": room.screen_only,
        "question": question_payload(room, 0) if open_question else None,
        "scoreboard": room.scoreboard if room.phase in (REVEAL, FINISHED) and room.seq else None,
        "rank_of_zero": above_zero + 1,
    }


def state_message(
    meta: dict,
    now: int,
    *,
    role: str = "player",
    you: dict | None = None,
    answered: int = 0,
    roster: list[dict] | None = None,
) -> dict:
    """The ``state`` snapshot from ``room_meta`` and the viewer's ``you`` (the
    host's: the answered count and the ``roster``)."""
    message: dict[str, Any] = {
        "type": "state",
        "server_now": now,
        **{k: meta[k] for k in ("phase", "seq", "total", "format", "locked", "players")},
    }
    if meta["question"] is not None:
        question = dict(meta["question"], server_now=now)
        if role == PLAYERS_ROLE and meta["screen_only"]:
            question["text"] = ""
            question["options"] = [{"key": o["key"], "text": ""} for o in question["options"]]
        message["question"] = question
        message["ends_at"] = meta["ends_at"]
    if meta["scoreboard"] is not None:
        message["scoreboard"] = meta["scoreboard"]
    if role == HOST:
        message["answered"] = answered
        if roster is not None:
            message["roster"] = roster
    if you is not None:
        message["you"] = you
    return message


def state_payload(room: Room, now: int, *, player: str | None = None, role: str = "player") -> dict:
    """The full snapshot a client gets on (re)connect (from the board: no recount)."""
    meta = room_meta(room)
    you = None
    known = room.players.get(player) if player is not None else None
    if known is not None and not known.kicked:
        answered = f"{room.seq}:{player}" in room.answers
        you = you_entry(known.name, room.board.get(player), meta["rank_of_zero"], answered)
    count = answered_count(room) if role == HOST else 0
    host_roster = roster(room) if role == HOST else None
    return state_message(meta, now, role=role, you=you, answered=count, roster=host_roster)


def next_deadline(room: Room) -> int | None:
    """The earliest server time at which a ``Tick`` changes something: just past
    the open question's ``ends_at`` (an answer at ``ends_at`` itself still counts)."""
    if room.phase == QUESTION and room.ends_at is not None:
        return room.ends_at + 1
    return None


def answered_count(room: Room) -> int:
    return sum(1 for p in room.active_players() if f"{room.seq}:{p.id}" in room.answers)


def error(code: str, *, reason: str | None = None, **params) -> dict:
    """A refusal as a code: ``code`` for programs (stable), ``reason`` (which rule
    refused) and ``params`` for a more precise text. The text people read is not
    the core's business: the edge fills ``message`` from the catalogue
    (``contests.texts.localise``) in the reader's language."""
    frame: dict[str, Any] = {"type": "error", "code": code}
    if reason is not None:
        frame["reason"] = reason
    frame.update(params)
    return frame


# --- the state machine ---------------------------------------------------------------------------


def apply(room: Room, event: Event) -> tuple[Room, list[Out]]:
    """The new state and the messages to send; ``room`` itself is not changed."""
    handler = HANDLERS.get(type(event))
    if handler is None:  # an on-stage action in a room where everyone answers
        player = getattr(event, "player", None)
        refusal = error("unsupported")
        return room, [Out(player, refusal, player) if player else Out(HOST, refusal)]
    room = _copy(room)
    out = handler(room, event)
    room.version += 1
    return room, out


def _copy(room: Room) -> Room:
    """A copy to change: the containers are copied, their items are shared (handlers
    replace a player or an answer, never change one in place). A deep copy of a
    room of thousands on every event would cost more than the event."""
    return dataclasses.replace(
        room,
        players=dict(room.players),
        answers=dict(room.answers),
        voided=set(room.voided),
        rescored=dict(room.rescored),
    )


def with_answers(room: Room, answers: dict[str, Answer]) -> Room:
    """``room`` with answers accepted outside the engine (``accept``) added; ``room``
    itself is not changed."""
    if not answers or answers.keys() <= room.answers.keys():
        return room
    room = _copy(room)
    room.answers.update(answers)
    return room


def _join(room: Room, event: Join) -> list[Out]:
    existing = room.players.get(event.player)
    if existing is not None and existing.kicked:
        return [Out(event.player, error("kicked"), event.player)]
    if existing is None:
        if room.phase == FINISHED:
            return [Out(event.player, error("finished"), event.player)]
        if room.locked:  # in the lobby too: who joined before the lock may come back
            reason = "lobby" if room.phase == LOBBY else None
            return [Out(event.player, error("locked", reason=reason), event.player)]
        room.players[event.player] = Player(
            event.player, event.name, event.team, event.now, guest=event.guest
        )
    out = [Out(event.player, state_payload(room, event.now, player=event.player), event.player)]
    if existing is None:
        # Who came in matters to the host and the big screen; the players' phones
        # need not hear of every other arrival (a room of hundreds joins at once).
        # The host's copy gets its ``roster`` from the runtime, once per batch of
        # joins (``host_lobby``): not rebuilt for each of a thousand joins.
        lobby = lobby_payload(room.active_players())
        out += [Out(SCREEN, lobby), Out(HOST, lobby)]
    return out


def _ack(player: str, seq: int, accepted: bool, reason: str | None = None) -> Out:
    message = {"type": "answer_ack", "seq": seq, "accepted": accepted}
    if reason:
        message["reason"] = reason
    return Out(player, message, player)


def _answer(room: Room, event: SubmitAnswer) -> list[Out]:
    player = room.players.get(event.player)
    if player is None:
        return [_ack(event.player, event.seq, False, "invalid")]
    if player.kicked:
        return [_ack(event.player, event.seq, False, "kicked")]
    if f"{event.seq}:{event.player}" in room.answers:
        return [_ack(event.player, event.seq, False, "duplicate")]
    reason = answer_refusal(answer_gate(room), event)
    if reason is not None:
        return [_ack(event.player, event.seq, False, reason)]
    answer = accepted_answer(answer_gate(room), event)
    room.answers[f"{event.seq}:{event.player}"] = answer
    return [_ack(event.player, event.seq, True)]


def answer_gate(room: Room) -> dict:
    """What deciding on an answer needs, as small plain data: the stores keep it
    beside the room so that answers are accepted without loading the room."""
    question = room.question
    return {
        "phase": room.phase,
        "seq": room.seq,
        "ends_at": room.ends_at,
        "kind": question.kind if question else None,
        "options": [o["key"] for o in question.options] if question else [],
        "blanks": len(question.key) if question and question.kind == "fill" else 0,
        "duration_ms": question.duration_ms if question else 0,
    }


def answer_refusal(gate: dict, event: SubmitAnswer) -> str | None:
    """Why the open question (``answer_gate``) refuses this answer, or None. Who
    answers and whether they answered already is for the caller to check."""
    if event.seq != gate["seq"] or gate["phase"] != QUESTION:
        return "closed"
    if gate["ends_at"] is not None and event.now > gate["ends_at"]:
        return "late"
    if not _valid_response(gate, event.response):
        return "invalid"
    return None


def accepted_answer(gate: dict, event: SubmitAnswer) -> Answer:
    elapsed = gate["duration_ms"] - (gate["ends_at"] - event.now)
    return Answer(event.player, event.seq, event.response, event.now, max(0, elapsed))


def _valid_response(gate: dict, response: dict) -> bool:
    if not isinstance(response, dict):
        return False
    if gate["kind"] == "fill":
        blanks = response.get("blanks")
        if blanks is None and isinstance(response.get("text"), str):
            blanks = [response["text"]]
        return (
            isinstance(blanks, list)
            and len(blanks) == gate["blanks"]
            and all(isinstance(b, str) and len(b) <= 200 for b in blanks)
        )
    choices = response.get("choices")
    keys = set(gate["options"])
    return (
        isinstance(choices, list)
        and 0 < len(choices) <= len(keys)
        and all(isinstance(c, str) and c in keys for c in choices)
        and (gate["kind"] == "multiple" or len(choices) == 1)
    )


def _open(room: Room, now: int) -> list[Out]:
    room.seq += 1
    room.phase = QUESTION
    room.opened_at = now
    room.ends_at = now + room.question.duration_ms
    room.paused_left_ms = None
    return _question_outs(room, now)


def _question_outs(room: Room, now: int) -> list[Out]:
    if not room.screen_only:
        return [Out(ALL, question_payload(room, now))]
    full = question_payload(room, now)
    return [
        Out(SCREEN, full),
        Out(HOST, full),
        Out(PLAYERS, question_payload(room, now, for_players=True)),
    ]


def _start(room: Room, event: Start) -> list[Out]:
    if room.phase != LOBBY:
        return [Out(HOST, error("phase", reason="started"))]
    if not room.questions:
        return [Out(HOST, error("empty"))]
    return _open(room, event.now)


def _reveal(room: Room, now: int) -> list[Out]:
    room.phase = REVEAL
    question = room.question
    key = room.key_for(room.seq)
    table = standings_through(room, room.seq)
    _set_board(room, table, room.seq, sent=True)
    distribution: dict[str, int] = {}
    if question.kind != "fill":
        distribution = {o["key"]: 0 for o in question.options}
        for answer in room.answers.values():
            if answer.seq == room.seq and answer.player in table:
                for choice in answer.response.get("choices") or []:
                    distribution[choice] = distribution.get(choice, 0) + 1
    base = {
        "type": "reveal",
        "seq": room.seq,
        "correct": key if question.kind != "fill" else ["/".join(v) for v in key],
        "distribution": distribution,
        "answered": answered_count(room),
        "right": sum(1 for s in table.values() if s.last_correct),
        "voided": room.seq in room.voided,
    }
    out = [Out(SCREEN, base), Out(HOST, base)]
    for standing in table.values():
        personal = dict(base)
        personal["you"] = {
            "correct": bool(standing.last_correct),
            "answered": standing.last_correct is not None,
            "points": standing.last_points,
            "score": standing.score,
            "rank": standing.rank,
            "streak": standing.streak,
        }
        out.append(Out(standing.player, personal, standing.player))
    out.append(Out(ALL, room.scoreboard))
    return out


def closes(room: Room, event: Event) -> bool:
    """Whether ``event`` closes the open question of ``room`` (a close, the end,
    or the clock past its deadline), before it is applied: the runtime seals the
    question's answers first and applies the step once, to all of them."""
    if isinstance(event, Close | End):
        return room.phase in (QUESTION, PAUSED)
    return (
        isinstance(event, Tick)
        and room.phase == QUESTION
        and room.ends_at is not None
        and event.now > room.ends_at
    )


def _close(room: Room, event: Close) -> list[Out]:
    if room.phase not in (QUESTION, PAUSED):
        return [Out(HOST, error("phase", reason="no_question"))]
    room.ends_at = min(room.ends_at or event.now, event.now)
    return _reveal(room, event.now)


def _tick(room: Room, event: Tick) -> list[Out]:
    if room.phase == QUESTION and room.ends_at is not None and event.now > room.ends_at:
        return _reveal(room, event.now)
    return []


def _next(room: Room, event: Next) -> list[Out]:
    if room.phase == LOBBY:
        return _start(room, Start(event.now))
    if room.phase != REVEAL:
        return [Out(HOST, error("phase", reason="question_open"))]
    if room.seq >= len(room.questions):
        return _finish(room, event.now)
    return _open(room, event.now)


def _finish(room: Room, now: int) -> list[Out]:
    room.phase = FINISHED
    room.ends_at = None
    table = standings_through(room, room.seq)
    if room.board_upto != room.seq or room.scoreboard is None:  # else the last reveal's stand
        _set_board(room, table, room.seq, sent=False)
    ranked = sorted(table.values(), key=lambda s: (s.rank, s.name))
    message = {
        "type": "finished",
        "podium": [
            guest_marked(
                {"rank": s.rank, "name": s.name, "branch": s.team, "score": s.score}, s.guest
            )
            for s in ranked
            if s.rank <= 3
        ],
    }
    if room.format == "team":
        message["teams"] = room.scoreboard["teams"]
    # Each player's own copy says where they finished, as the reveal does.
    asked = asked_count(room)
    out = [Out(SCREEN, message), Out(HOST, message)]
    for s in table.values():
        you = {"name": s.name, "score": s.score, "rank": s.rank, "streak": s.streak}
        you.update(correct=s.correct, answered=s.answered, asked=asked)
        out.append(Out(s.player, dict(message, you=you), s.player))
    return out


def _end(room: Room, event: End) -> list[Out]:
    if room.phase == FINISHED:
        return []
    if room.phase in (QUESTION, PAUSED):
        room.ends_at = min(room.ends_at or event.now, event.now)
        out = _reveal(room, event.now)
        return out + _finish(room, event.now)
    return _finish(room, event.now)


def _pause(room: Room, event: Pause) -> list[Out]:
    if room.phase != QUESTION:
        return [Out(HOST, error("phase", reason="not_answering"))]
    room.phase = PAUSED
    room.paused_left_ms = max(0, room.ends_at - event.now)
    return [Out(ALL, state_payload(room, event.now))]


def _resume(room: Room, event: Resume) -> list[Out]:
    if room.phase != PAUSED:
        return [Out(HOST, error("phase", reason="not_paused"))]
    room.phase = QUESTION
    room.ends_at = event.now + (room.paused_left_ms or 0)
    room.paused_left_ms = None
    return _question_outs(room, event.now)


def _kick(room: Room, event: Kick) -> list[Out]:
    player = room.players.get(event.player)
    if player is None:
        return [Out(HOST, error("unknown_player"))]
    room.players[event.player] = dataclasses.replace(player, kicked=True)
    if event.player in room.board:
        recount_board(room)  # off the board; the others' ranks close up
    return [
        Out(event.player, error("kicked"), event.player),
        Out(HOST, host_lobby(room, names=False)),
    ]


def _lock(room: Room, event: Lock) -> list[Out]:
    room.locked = event.locked
    return [Out(HOST, state_payload(room, event.now, role=HOST))]


def _rescored(room: Room, now: int) -> list[Out]:
    """Standings after a correction, to everyone, as a fresh scoreboard; a player's
    copy carries the own recounted ``you`` (a phone shows no top 10, only its line)."""
    recount_board(room, sent=room.phase in (REVEAL, FINISHED))
    if room.phase not in (REVEAL, FINISHED):
        return [Out(HOST, state_payload(room, now, role=HOST))]
    board = room.scoreboard
    out = [Out(SCREEN, board), Out(HOST, board)]
    rank_of_zero = room_meta(room)["rank_of_zero"]
    for player in room.active_players():
        answered = f"{room.seq}:{player.id}" in room.answers
        you = you_entry(player.name, room.board.get(player.id), rank_of_zero, answered)
        out.append(Out(player.id, {**board, "you": you}, player.id))
    return out


def _void(room: Room, event: Void) -> list[Out]:
    if not 1 <= event.seq <= room.seq:
        return [Out(HOST, error("seq", reason="void"))]
    room.voided.add(event.seq)
    return _rescored(room, event.now)


def _rescore(room: Room, event: Rescore) -> list[Out]:
    if not 1 <= event.seq <= room.seq:
        return [Out(HOST, error("seq", reason="rescore"))]
    room.rescored[event.seq] = list(event.key)
    room.voided.discard(event.seq)
    return _rescored(room, event.now)


HANDLERS = {
    Join: _join,
    SubmitAnswer: _answer,
    Start: _start,
    Next: _next,
    Close: _close,
    Tick: _tick,
    Pause: _pause,
    Resume: _resume,
    End: _end,
    Kick: _kick,
    Lock: _lock,
    Void: _void,
    Rescore: _rescore,
}


# --- snapshots ---------------------------------------------------------------------------------

SNAPSHOT_VERSION = 1


def room_to_dict(room: Room) -> dict:
    """The whole room as plain JSON data (version 1): for a store or a saved snapshot."""
    return {
        "version": SNAPSHOT_VERSION,
        "code": room.code,
        "format": room.format,
        "phase": room.phase,
        "seq": room.seq,
        "opened_at": room.opened_at,
        "ends_at": room.ends_at,
        "paused_left_ms": room.paused_left_ms,
        "locked": room.locked,
        "screen_only": room.screen_only,
        "questions": [vars(q) for q in room.questions],
        "players": [vars(p) for p in room.players.values()],
        "answers": [vars(a) for a in room.answers.values()],
        "voided": sorted(room.voided),
        "rescored": {str(seq): key for seq, key in room.rescored.items()},
        "board": room.board,
        "board_upto": room.board_upto,
        "scoreboard": room.scoreboard,
        "state_version": room.version,
    }


def room_from_dict(data: dict) -> Room:
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"unknown room snapshot version {data.get('version')!r}")
    room = Room(
        code=data["code"],
        questions=[Question(**q) for q in data["questions"]],
        format=data["format"],
        phase=data["phase"],
        seq=data["seq"],
        opened_at=data["opened_at"],
        ends_at=data["ends_at"],
        paused_left_ms=data["paused_left_ms"],
        locked=data["locked"],
        screen_only=data["screen_only"],
        voided=set(data["voided"]),
        rescored={int(seq): key for seq, key in data["rescored"].items()},
        board=data.get("board", {}),
        board_upto=data.get("board_upto"),  # unknown in an older snapshot: recount next
        scoreboard=data.get("scoreboard"),
        version=data["state_version"],
    )
    room.players = {p["id"]: Player(**p) for p in data["players"]}
    room.answers = {f"{a['seq']}:{a['player']}": Answer(**a) for a in data["answers"]}
    if "board" not in data and room.seq:
        recount_board(room)  # saved before the board was kept
    return room
