"""
The kinds of game a room plays, behind one interface (``Game``), chosen once
from the contest's format (``game_for``):

- ``CLASSIC`` (``contests.engine``): everyone answers on the phone; classic and
  team formats. Answers are accepted outside the room lock, against a small
  *gate* (``gate``), and merged into the room when the question closes.
- ``STAGE`` (``contests.stage``): on-stage rounds (必答, 抢答, 风险题, tie-break)
  for teams; a device answer is a step of the game, applied under the lock, and
  every decision goes into an audit log.

The runtime, the stores and the services ask the game, never "is this a stage
room?": a third format is one more module and one more ``Game`` here.

Each game says what it keeps durable at a saved step (``rows``): the rows
written to PostgreSQL beside the room's snapshot, so that a room can be rebuilt
from the database alone (``contests.services.contest_restore``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from . import engine, stage
from .models import ContestAnswer, ContestDecision

# what an audit-log entry and its row share, besides its id (``entry``) and team
DECISION_FIELDS = ("at", "round", "seq", "kind", "result", "delta", "by", "corrects", "response")


class Game:
    """One kind of room: a pure module (``apply``, ``next_deadline``,
    ``state_payload``, ``room_to_dict``/``room_from_dict``) and what the runtime
    needs to know about it."""

    kind: str
    module: Any
    #: Answers are decided by the store against ``gate`` without the room lock
    #: (and made durable before they are acknowledged); otherwise they are events.
    answers_outside_lock: bool = False

    def build(self, contest, questions: Callable[[Iterable[int]], list[engine.Question]]):
        raise NotImplementedError

    def apply(self, room, event: engine.Event):
        return self.module.apply(room, event)

    def next_deadline(self, room) -> int | None:
        return self.module.next_deadline(room)

    def steps(self, room, event: engine.Event) -> list[engine.Event]:
        """The steps that ``event`` makes of ``room``: a deadline that passed before
        it (its timer may have died with another worker) is the clock's step first."""
        deadline = self.next_deadline(room)
        if deadline is not None and event.now >= deadline and not isinstance(event, engine.Tick):
            return [engine.Tick(event.now), event]
        return [event]

    def state(self, room, now: int, *, player: str | None = None, role: str = "player") -> dict:
        """The ``state`` a (re)connecting viewer gets."""
        return self.module.state_payload(room, now, player=player, role=role)

    def gate(self, room) -> dict | None:
        """The small plain data the store accepts answers against (None: none)."""
        return None

    def meta(self, room) -> dict | None:
        """The room's public state kept beside it, for reconnects without loading
        the room (None: the room is loaded)."""
        return None

    def roster(self, room) -> list[dict] | None:
        """Who is in, for the host's ``state`` and ``lobby`` (None: the game's
        host state says it otherwise)."""
        return None

    def closes_question(self, before, after) -> bool:
        """Whether the step from ``before`` to ``after`` closed an open question
        whose answers the store holds."""
        return False

    def to_dict(self, room) -> dict:
        return self.module.room_to_dict(room)

    def from_dict(self, data: dict):
        return self.module.room_from_dict(data)

    def rows(self, contest, before, after, stored: frozenset[str] = frozenset()) -> list:
        """Rows to write (ignoring repeats) when the step ``before`` → ``after``
        is saved; ``stored``: answer keys known to be in the database already."""
        return []

    def closes(self, room, event: engine.Event) -> bool:
        """Whether applying ``event`` to ``room`` closes an open question whose
        answers the store holds (as ``closes_question`` says of the result)."""
        return False

    def snapshot(self, room) -> dict:
        """The room as saved beside its rows at each step and kept in a shared
        store (``to_dict``, less what the rows hold already)."""
        return self.to_dict(room)

    #: Parts of ``snapshot`` the database keeps in columns of their own, written
    #: only by a step that changed them (``contests.services.contest_save``).
    kept_apart: tuple[str, ...] = ()

    def at_rest(self, room):
        """``room`` as the store gives it back (``from_dict(snapshot(room))``),
        without the round trip: what a worker keeps of the last room it wrote."""
        return room

    def needs_every_answer(self, event: engine.Event) -> bool:
        """Whether applying ``event`` recounts every answer so far, which a room
        read back from its ``snapshot`` lacks (the runtime merges the stored ones)."""
        return False

    def results(self, room) -> list[dict]:
        """The final table: ``{player, name, team, rank, score, correct, answered,
        asked, participated}`` per player (``asked``: the questions asked, voided
        ones not counted)."""
        raise NotImplementedError


class ClassicGame(Game):
    kind = "classic"
    module = engine
    answers_outside_lock = True
    kept_apart = ("players", "board")

    def build(self, contest, questions):
        return engine.Room(
            code=contest.pin,
            questions=questions(contest.question_ids),
            format=contest.format,
            screen_only=contest.question_on_screen_only,
        )

    def gate(self, room) -> dict:
        return engine.answer_gate(room)

    def meta(self, room) -> dict:
        return engine.room_meta(room)

    def roster(self, room) -> list[dict]:
        return engine.roster(room)

    def closes_question(self, before, after) -> bool:
        return before.phase in (engine.QUESTION, engine.PAUSED) and (
            after.seq != before.seq or after.phase not in (engine.QUESTION, engine.PAUSED)
        )

    def snapshot(self, room) -> dict:
        """Without the answers: every one is a ``ContestAnswer`` row already (stored
        before its ack, or at its question's close); reveals add to the board's
        running totals; ``contest_restore`` and the corrections that recount
        (``needs_every_answer``) merge them back. A step's snapshot stays the size
        of the players, not of the answers (1.4 MB → 0.2 MB for 2,000 players
        after six questions)."""
        return dict(engine.room_to_dict(room), answers=[])

    def at_rest(self, room):
        return dataclasses.replace(room, answers={}) if room.answers else room

    def needs_every_answer(self, event: engine.Event) -> bool:
        return isinstance(event, engine.Void | engine.Rescore | engine.Kick)

    def closes(self, room, event: engine.Event) -> bool:
        return engine.closes(room, event)

    def rows(self, contest, before, after, stored: frozenset[str] = frozenset()) -> list:
        """The closed question's answers that the database lacks: normally none
        (each was stored before its ack), but one accepted while its write was
        under way, or whose write failed after the question was sealed, is scored
        and must be kept."""
        if not self.closes_question(before, after):
            return []
        closed = [a for k, a in after.answers.items() if a.seq == before.seq and k not in stored]
        return answer_rows(contest, closed)

    def results(self, room) -> list[dict]:
        """The one recount behind every result (the results page, the API, the
        workbook, "my contests"): the standings of every stored answer with the
        room's voids and rescores — what the live board's running totals give."""
        asked = engine.asked_count(room)
        return [
            {
                "player": s.player,
                "name": s.name,
                "team": s.team or "",
                "rank": s.rank,
                "score": s.score,
                "correct": s.correct,
                "answered": s.answered,
                "asked": asked,
                "participated": bool(s.answered),
            }
            for s in engine.standings(room).values()
        ]


class StageGame(Game):
    kind = "stage"
    module = stage

    def build(self, contest, questions):
        config = contest.stage
        return stage.new_room(
            contest.pin,
            [
                stage.RoundSpec(
                    spec["format"], spec["title"], questions(spec["question_ids"]), spec["rules"]
                )
                for spec in config["rounds"]
            ],
            [stage.TeamSpec(t["name"], t["mode"], t.get("captain")) for t in config["teams"]],
            base=config["base"],
            reserve=questions(config["reserve_ids"]),
            tiebreak_rules=config.get("tiebreak_rules") or {},
        )

    def rows(self, contest, before, after, stored: frozenset[str] = frozenset()) -> list:
        known = {entry.id for entry in before.log}  # entries are appended, never changed
        return decision_rows(contest, [entry for entry in after.log if entry.id not in known])

    def results(self, room) -> list[dict]:
        ranks = {row["name"]: row for row in stage.ranking(room)}
        tally = stage.answer_tally(room)  # the judge's corrections and voids applied
        asked = len({e.seq for e in room.log} - stage.voided_seqs(room))
        table = []
        for player in room.active_players():
            if room.team_of(player) is None:
                continue  # a spectator
            right, given = tally.get(player.team, (0, 0))
            table.append(
                {
                    "player": player.id,
                    "name": player.name,
                    "team": player.team,
                    "rank": ranks[player.team]["rank"],
                    "score": ranks[player.team]["score"],
                    "correct": right,
                    "answered": given,
                    "asked": asked,
                    "participated": True,
                }
            )
        return table


CLASSIC = ClassicGame()
STAGE = StageGame()
_BY_FORMAT = {"classic": CLASSIC, "team": CLASSIC, "stage": STAGE}


def game_for(fmt: str) -> Game:
    """The game of a contest format (``Contest.format``)."""
    return _BY_FORMAT[fmt]


def game_of(room) -> Game:
    """The game a room plays (a stage room says so in ``kind``)."""
    return STAGE if getattr(room, "kind", "") == STAGE.kind else CLASSIC


def room_from_dict(data: dict):
    """A room from ``Game.to_dict`` data, whichever game wrote it."""
    return (STAGE if data.get("kind") == STAGE.kind else CLASSIC).from_dict(data)


def answer_rows(contest, answers: Iterable[engine.Answer]) -> list[ContestAnswer]:
    return [
        ContestAnswer(
            contest=contest,
            player=answer.player,
            seq=answer.seq,
            question_id=contest.question_ids[answer.seq - 1],
            response=answer.response,
            at=answer.at,
            elapsed_ms=answer.elapsed_ms,
        )
        for answer in answers
    ]


def decision_rows(contest, entries: Iterable[stage.Entry]) -> list[ContestDecision]:
    return [
        ContestDecision(
            contest=contest,
            entry=entry.id,
            team=entry.team or "",
            **{name: getattr(entry, name) for name in DECISION_FIELDS},
        )
        for entry in entries
    ]
