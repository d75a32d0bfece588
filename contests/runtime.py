"""
Running rooms: the engine's state per PIN, the server-owned question timers,
persistence of accepted answers and results, and the fan-out of messages.

The state lives in a store (``contests.store``: this process's memory by
default, Redis in production, where any worker may apply a room's next event).
Fan-out: a room's messages are serialised once and sent as one channel-layer
message per *worker* (each worker's runtime listens on a channel of its own and
joins the room's group when it holds one of the room's sockets), and each worker
hands the frames to its local sockets' outboxes in a plain loop (``contests.outbox``:
a frame for a socket with nothing waiting is written at once, others queue), so a
slow phone delays no other, and one that falls too far behind is dropped (it
reconnects to a full ``state``). The sockets
themselves are not on the channel layer: no per-socket group membership to set
up in a connect storm, no per-socket channel to overflow, no thread hop per
socket and message.

Answers do not take the room lock: the store accepts them atomically
(``store.accept``), the acknowledgement goes straight back to the socket, and
the answers are merged into the room (and scored) under the lock when the
question closes.
"""

import asyncio
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.models import Q

from backend.accounts.models import User

from . import engine, games, services, stage, texts
from .models import Contest, ContestAnswer, ContestStatus
from .store import RoomNotStored, StaleRoom, make_store

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.25  # seconds
WATCH_SECONDS = 1.0  # how often a worker checks its channel layer and store
TICK_ATTEMPTS = 120  # a timer's step is tried for about 10 minutes
STALE_ATTEMPTS = 3  # a batch refused as stale is applied again to the newer room
RECHECK_SECONDS = 10  # members still allowed in? (a deactivation also drops them at once)


def now_ms() -> int:
    return int(time.time() * 1000)


def workers_group(pin: str) -> str:
    """The channel-layer group of the workers holding sockets of room ``pin``."""
    return f"contest.{pin}.workers"


ALL_WORKERS = "contest.workers"  # every worker with contest sockets
_sending: set[asyncio.Task] = set()  # sends in flight from sync-looking code on a loop


def drop_user(user_id: int) -> None:
    """From sync code (after the commit that deactivated the member): every worker
    closes that member's contest sockets at once."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "contest.drop", "user": user_id}
    try:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # sync code, as a view or a command
            async_to_sync(layer.group_send)(ALL_WORKERS, message)
        else:
            task = loop.create_task(layer.group_send(ALL_WORKERS, message))
            _sending.add(task)
            task.add_done_callback(_sending.discard)
    except Exception:  # the deactivation stands; the watcher's re-check still drops them
        logger.exception("could not tell the contest workers that user %s left", user_id)


@database_sync_to_async
def load_contest(pin: str) -> Contest | None:
    return (
        Contest.objects.select_related("host")
        .filter(pin=pin)
        .exclude(status=ContestStatus.FINISHED)
        .first()
    )


@database_sync_to_async
def _members_turned_away(ids: set[int]) -> dict[int, str]:
    """Of the signed-in users ``ids``, those a contest socket's connect would
    refuse now, with its code: a deactivated member (who could not sign in
    again) or one who must change the password first."""
    rows = (
        User.objects.filter(pk__in=ids)
        .filter(Q(is_active=False) | Q(must_change_password=True))
        .values_list("pk", "is_active")
    )
    return {pk: "inactive" if not active else "password_change_required" for pk, active in rows}


_restore = database_sync_to_async(services.contest_restore)
_stored_answers = database_sync_to_async(services.contest_answers)


@database_sync_to_async
def _save(contest: Contest, before, room, stored: frozenset[str]) -> None:
    services.contest_save(contest=contest, before=before, room=room, stored=stored)


_answers_stored = database_sync_to_async(services.contest_answers_stored)


class AnswerJournal:
    """Makes accepted answers durable before they are acknowledged, by group
    commit: the answers that arrive while a write is under way go together in
    the next one (one ``INSERT`` for many answers, no waiting when it is quiet)."""

    def __init__(self):
        self.queue: list[tuple[ContestAnswer, asyncio.Future]] = []
        self.writer: asyncio.Task | None = None

    async def write(self, row: ContestAnswer) -> None:
        done = asyncio.get_running_loop().create_future()
        self.queue.append((row, done))
        if self.writer is None:
            self.writer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        try:
            while self.queue:
                batch, self.queue = self.queue, []
                try:
                    await _save_answers([row for row, _done in batch])
                except Exception as exc:  # each waiting answer hears of it
                    for _row, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                else:
                    for _row, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self.writer = None


_save_answers = database_sync_to_async(services.contest_answers_save)


class Runtime:
    def __init__(self, store=None, layer=None):
        self._store = store
        self._layer = layer
        self.contests: dict[str, Contest] = {}
        self.timers: dict[str, asyncio.Task] = {}
        self.progress_due: dict[str, asyncio.Task] = {}
        self.sockets: dict[str, set] = defaultdict(set)  # pin → this worker's sockets
        self.groups: set[str] = set()  # the rooms whose group this worker joined
        self.channel: str | None = None
        self.listener: asyncio.Task | None = None
        self.watcher: asyncio.Task | None = None
        self.journal = AnswerJournal()
        self.draining: dict[str, asyncio.Future] = {}  # pin → a drain waiting for the lock
        self.gates: dict[str, dict | None] = {}  # pin → the gate last read (see _gate)
        self.known: dict[str, object] = {}  # pin → the room last read or written here
        self.healthy = True  # False from a failure of the layer or the store until a resync

    @property
    def store(self):
        if self._store is None:
            self._store = make_store()
        return self._store

    @property
    def layer(self):
        if self._layer is None:
            self._layer = get_channel_layer()
        return self._layer

    def reset(self) -> None:
        """Forget everything held in this process (tests; a fresh event loop)."""
        tasks = [
            *self.timers.values(),
            *self.progress_due.values(),
            self.listener,
            self.watcher,
            self.journal.writer,
        ]
        for task in filter(None, tasks):
            task.cancel()
        for sockets in self.sockets.values():
            for socket in sockets:
                socket.outbox.discard()  # no writer of this worker's outlives it
        self.__init__(store=None, layer=None)

    async def contest(self, pin: str) -> Contest | None:
        """The contest of a PIN (cached: only what never changes is read from it)."""
        if pin not in self.contests:
            contest = await load_contest(pin)
            if contest is None:
                return None
            self.contests[pin] = contest
        return self.contests[pin]

    async def game(self, pin: str) -> games.Game | None:
        contest = await self.contest(pin)
        return games.game_for(contest.format) if contest is not None else None

    async def room(self, pin: str):
        """The room's current state: from the store, or rebuilt from the database
        when no store holds it (a fresh worker, a Redis that came back empty)."""
        room = await self.store.get(pin)
        if room is not None:
            return room
        contest = await self.contest(pin)
        if contest is None:
            return None
        async with self.store.locked(pin):
            room = await self._current(pin, contest)
        self._schedule(pin, room)
        return room

    async def _current(self, pin: str, contest: Contest):
        """Under the room lock: the stored room, or the one rebuilt from the latest
        snapshot and the stored answers (the open question's back into the store)."""
        room = await self.store.get(pin, self.known.get(pin))
        if room is None:
            room, open_answers = await _restore(contest.pk)
            if open_answers:
                await self.store.restore(pin, open_answers)
            # before the room is back: no guest may claim a player's name meanwhile
            await self.store.claim_names(pin, room.players.values())
            await self.store.put(pin, room)
            if self.channel is not None:  # the store may have lost the groups too
                await self._join_groups()
        self.known[pin] = room
        return room

    async def claim_name(self, pin: str, player: str, name: str) -> str | None:
        """The name ``player`` joins room ``pin`` under: the one the room knows it
        by, else ``name`` if no other player goes by one people would take for the
        same — then it is the player's for good, kicked or not — else None.
        Atomic in the store (of two guests asking for one name, one gets it); the
        room is loaded only when the store lost it (``_current`` rebuilds it and
        claims its players' names again)."""
        try:
            return await self.store.claim_name(pin, player, name)
        except RoomNotStored:
            await self.room(pin)
            return await self.store.claim_name(pin, player, name)

    async def snapshot(self, pin: str, *, player: str | None, role: str) -> dict:
        """The ``state`` a (re)connecting socket gets. For a game that keeps its
        public state beside the room it comes from the store's small view (public
        state, the player's board entry, the open question's answers), not from
        the whole room, so a reconnect storm neither loads nor recounts the room."""
        view = await self.store.view(pin, player)
        if view is None:  # the room keeps no such view, or is not in the store yet
            room = await self.room(pin)
            game = games.game_of(room)
            if game.meta(room) is None:
                known = player if player in room.players else None
                return game.state(room, now_ms(), player=known, role=role)
            view = await self.store.view(pin, player)
        meta, you, answered = view
        roster = await self._roster(pin) if role == engine.HOST else None
        return engine.state_message(
            meta, now_ms(), role=role, you=you, answered=answered, roster=roster
        )

    async def _roster(self, pin: str) -> list[dict] | None:
        """The host's roster, from the room this worker keeps while it is current
        (a host's (re)connect; never a player's)."""
        game = await self.game(pin)
        room = await self.store.get(pin, self.known.get(pin))
        if room is None:
            room = await self.room(pin)
        return game.roster(room) if room is not None else None

    async def rejoin(self, pin: str, player: str) -> dict | None:
        """For a player the room knows already (a reconnect), the ``join`` reply
        without an event: nothing about the room changes."""
        game = await self.game(pin)
        if not game.answers_outside_lock or not await self.store.is_player(pin, player):
            return None
        return await self.snapshot(pin, player=player, role="player")

    # --- events ----------------------------------------------------------------------------

    async def answer(self, pin: str, event: engine.SubmitAnswer) -> dict | None:
        """Accepts or refuses an answer without the room lock and returns the
        ``answer_ack``; an accepted answer is stored in the database before it is
        acknowledged. (In a game whose answers are steps, it is applied as one.)"""
        game = await self.game(pin)
        if not game.answers_outside_lock:
            await self.apply(pin, event)
            return None
        gate = self.gates.get(pin)
        if gate is None or gate["seq"] != event.seq:
            gate = await self._gate(pin)
        for _attempt in range(2):
            reason = "closed" if gate is None else engine.answer_refusal(gate, event)
            if reason is not None:
                break
            answer = engine.accepted_answer(gate, event)
            reason = await self.store.accept(pin, answer, gate)
            if reason != "stale":
                break
            gate = await self._gate(pin)  # the deadline moved: elapsed time again
        else:
            reason = "unavailable"  # moved twice in a moment: the phone sends it again
        if reason is None:
            reason = await self._make_durable(pin, answer)
        if reason is None and pin not in self.progress_due:
            # No room-wide message per answer: the host's count, at most 4 a second.
            self.progress_due[pin] = asyncio.create_task(self._progress_later(pin))
        message = {"type": "answer_ack", "seq": event.seq, "accepted": reason is None}
        if reason is not None:
            message["reason"] = reason
        return message

    async def _gate(self, pin: str) -> dict | None:
        """The open question's gate, read from the store (rebuilding a room the
        store lost) and kept for the next answers: answers to the same question
        then cost one round trip to the store (``accept``), which checks the gate's
        phase, number and deadline itself and says ``stale`` if it moved."""
        gate = await self.store.gate(pin)
        if gate is None and await self.room(pin) is not None:  # the store lost the room
            gate = await self.store.gate(pin)
        self.gates[pin] = gate
        return gate

    async def _make_durable(self, pin: str, answer: engine.Answer) -> str | None:
        """Stores an answer the store accepted; if the database refuses, the answer
        is taken back (``unavailable``: the phone may send it again) — unless its
        question was sealed meanwhile: then it is scored, and stored at the reveal."""
        contest = await self.contest(pin)
        try:
            await self.journal.write(games.answer_rows(contest, [answer])[0])
        except Exception:
            logger.exception("contest %s: an accepted answer could not be stored", pin)
            if await self.store.retract(pin, answer):
                return "unavailable"
        return None

    async def buzz(self, pin: str, event: stage.Buzz) -> None:
        """Records a buzz at its server receipt time, then applies every recorded
        event (of any worker) earliest first: lock waits do not reorder buzzes."""
        await self.store.record(pin, ["buzz", event.now, event.player, event.seq])
        await self._drain(pin)

    async def join(self, pin: str, event: engine.Join) -> None:
        """Records a join, then applies the recorded events: when a room joins at
        once, the first to get the lock applies the others' joins with its own."""
        item = ["join", event.now, event.player, event.name, event.team, event.guest]
        await self.store.record(pin, item)
        await self._drain(pin)

    async def _drain(self, pin: str) -> None:
        """Applies the recorded events of room ``pin``. A caller that finds a
        drain of the room on this worker still waiting for the lock waits for that
        one instead: it has not taken the events yet, so it will apply this
        caller's too. A room joining at once costs a worker a few rounds of the
        lock, not one per join (each a few Redis round trips, serialised: a
        thousand of them would hold up the host's next step for a second)."""
        waiting = self.draining.get(pin)
        if waiting is not None:
            return await asyncio.shield(waiting)
        done = self.draining[pin] = asyncio.get_running_loop().create_future()

        def taking() -> None:  # under the lock, before the take: later ones drain anew
            if self.draining.get(pin) is done:
                del self.draining[pin]

        try:
            await self.apply(pin, None, taking=taking)
        except Exception as exc:
            done.set_exception(exc)
            done.exception()  # retrieved: no waiter is a normal case
            raise
        else:
            done.set_result(None)
        finally:
            taking()

    async def apply(
        self, pin: str, event: engine.Event | None, *, taking: Callable[[], None] | None = None
    ) -> list[engine.Out]:
        """Applies the recorded events (``join``, ``buzz``), then ``event``, to the
        latest state of the room, one at a time per room across all workers. A
        batch the store refuses as stale (this worker's lock was lost and another
        changed the room meanwhile) is applied again, under the lock again, to the
        newer room; nothing of the refused attempt is written to the store or sent.
        ``taking`` is called under the lock just before the recorded events are
        taken (``_drain``)."""
        for _attempt in range(STALE_ATTEMPTS - 1):
            try:
                return await self._apply_once(pin, event, taking)
            except StaleRoom:
                logger.warning("contest %s: the room changed under a step; applying it again", pin)
        return await self._apply_once(pin, event, taking)

    async def _apply_once(
        self, pin: str, event: engine.Event | None, taking: Callable[[], None] | None = None
    ) -> list[engine.Out]:
        """One attempt, all under the room lock. What changed is saved to the
        database first (the record), then to the store (the shared working copy,
        compare-and-set on the room's version); only then are the messages sent
        and timers set, before the lock is released: the next step's messages
        cannot overtake this one's on this worker's sockets, and this one's are on
        the channel layer, for the other workers', before the next step begins."""
        contest = await self.contest(pin)
        game = games.game_for(contest.format)
        outs: list[engine.Out] = []
        async with self.store.locked(pin):
            if taking is not None:
                taking()
            recorded = await self.store.take(pin)
            events = [_arrived(item) for item in recorded]
            events += [event] if event is not None else []
            if not events:
                return []
            try:
                room = first = await self._current(pin, contest)
                stored: set[str] = set()  # keys of the closed question's stored answers
                for arrived in events:
                    for step in game.steps(room, arrived):
                        room, new = await self._step(pin, contest, game, room, step, stored)
                        outs += new
                if room is not first:
                    await _save(contest, first, room, frozenset(stored))
                    await self.store.put(pin, room, before=first)
                    self.known[pin] = game.at_rest(room)
                    if game.closes_question(first, room):
                        await self.store.drop_answers(pin, first.seq)
            except Exception:
                # Nothing of the batch took effect in the store or on a phone: the
                # joins and buzzes recorded by others go back (with their arrival
                # times) for the next attempt.
                for item in recorded:
                    await self.store.record(pin, item)
                raise
            self._schedule(pin, room)
            await self.dispatch(pin, _latest_lobby(outs, game, room))
        return outs

    async def _step(self, pin, contest, game, room, event, stored: set[str]):
        """One step of the game. Where answers are taken outside the lock, the step
        sees the answers accepted so far. A step that closes the question seals it
        first and is applied once, to every answer accepted for it: those the store
        took and any stored in the database that the store lacks (the record,
        should the store have lost some); the keys of the stored ones go into
        ``stored``, so that the save writes only the others. A correction that
        recounts gets every stored answer: the store keeps a room without its
        closed questions' answers (``Game.snapshot``)."""
        if game.needs_every_answer(event):
            room = engine.with_answers(room, await _stored_answers(contest.pk))
        if not game.answers_outside_lock or room.phase not in (engine.QUESTION, engine.PAUSED):
            return game.apply(room, event)
        if not game.closes(room, event):
            return game.apply(
                engine.with_answers(room, await self.store.answers(pin, room.seq)), event
            )
        sealed = await self.store.seal(pin, room.seq)
        keys, missing = await _answers_stored(contest.pk, room.seq, set(sealed))
        stored.update(keys)
        return game.apply(engine.with_answers(room, {**sealed, **missing}), event)

    async def _progress_later(self, pin: str) -> None:
        await asyncio.sleep(PROGRESS_INTERVAL)
        self.progress_due.pop(pin, None)
        try:
            meta = await self.store.meta(pin)
            if meta is not None and meta["phase"] == engine.QUESTION:
                message = {
                    "type": "progress",
                    "seq": meta["seq"],
                    "answered": await self.store.answer_count(pin, meta["seq"]),
                    "players": meta["players"],
                }
                # A question closed and the next opened while this count was read:
                # it is the old question's, and must not follow the new `question`
                # to the host (who would show it as the new one's).
                now = await self.store.meta(pin)
                if now is None or (now["seq"], now["phase"]) != (meta["seq"], engine.QUESTION):
                    return
                await self.dispatch(pin, [engine.Out(engine.HOST, message)])
        except Exception:  # a count for the host; the next answer sends another
            logger.warning("contest %s: the answered count was not sent", pin, exc_info=True)

    def _schedule(self, pin: str, room) -> None:
        """The server owns time: a question closes at ``ends_at`` (a buzzer decides,
        a stake times out) whoever is connected."""
        task = self.timers.pop(pin, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        deadline = games.game_of(room).next_deadline(room) if room is not None else None
        if deadline is not None:
            self.timers[pin] = asyncio.create_task(self._tick_at(pin, deadline))

    async def _tick_at(self, pin: str, deadline: int) -> None:
        """The clock's step at ``deadline``; tried again until it is applied (Redis
        or the database may be away for a moment)."""
        await asyncio.sleep(max(0, deadline - now_ms()) / 1000)
        delay = 0.2
        for _attempt in range(TICK_ATTEMPTS):
            try:
                await self.apply(pin, engine.Tick(max(now_ms(), deadline)))
                return
            except Exception:  # a timer must never die silently
                logger.exception("contest %s: the clock's step failed; trying again", pin)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)
        logger.error("contest %s: the clock's step was given up; the next event applies it", pin)

    # --- faults ------------------------------------------------------------------------------

    async def _watch(self) -> None:
        """Every ``WATCH_SECONDS``: re-asserts this worker's group memberships (a
        Redis that restarted lost them) and asks the store whether it lost its
        data. A failure tells this worker's sockets "reconnecting"; the first
        check that passes after one, or after data was lost, resyncs: rooms are
        rebuilt from the database, timers set again, every socket gets a fresh
        ``state``. Every ``RECHECK_SECONDS`` it checks the members again."""
        recheck_at = time.monotonic() + RECHECK_SECONDS
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if time.monotonic() >= recheck_at:
                recheck_at = time.monotonic() + RECHECK_SECONDS
                await self._recheck_members()
            try:
                lost = await self.store.lost()
                await self._join_groups()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("contest runtime: the channel layer or store is away", exc_info=True)
                await self._outage()
                continue
            if lost or not self.healthy:
                await self.resync()

    async def _recheck_members(self) -> None:
        """One query for the members on all of this worker's sockets; those the
        connect would refuse now are refused the same way. The fallback for a
        change that sent no signal (``signals.py`` drops a deactivated member at
        once), at no cost per message: a room answering at once makes no query."""
        sockets = [
            socket
            for sockets in self.sockets.values()
            for socket in sockets
            if getattr(socket.user, "is_authenticated", False)
        ]
        if not sockets:
            return
        try:
            refused = await _members_turned_away({socket.user.pk for socket in sockets})
        except Exception:  # the database away for a moment: the next check tries again
            logger.warning("contest runtime: the members could not be checked", exc_info=True)
            return
        for socket in sockets:
            if (code := refused.get(socket.user.pk)) is not None:
                await socket.refuse(code)

    async def _join_groups(self) -> None:
        await self.layer.group_add(ALL_WORKERS, self.channel)
        for pin in list(self.groups):
            await self.layer.group_add(workers_group(pin), self.channel)

    async def _outage(self) -> None:
        if not self.healthy:
            return
        self.healthy = False
        self._tell_local({"type": "connection", "status": "reconnecting"})

    async def resync(self) -> None:
        """After an outage or a data loss: this worker's rooms from the store (or
        rebuilt), their timers, and a fresh ``state`` for each of its sockets."""
        self.healthy = True
        for pin, sockets in list(self.sockets.items()):
            if not sockets:
                continue
            try:
                self._schedule(pin, await self.room(pin))
                for socket in list(sockets):
                    state = await self.snapshot(pin, player=socket.player, role=socket.role)
                    socket.outbox.put(_frame({"type": "connection", "status": "ok"}))
                    socket.outbox.put(_frame(state))
            except Exception:
                logger.exception("contest %s: resync failed; the next check tries again", pin)
                self.healthy = False

    def _tell_local(self, message: dict) -> None:
        text = _frame(message)
        for sockets in list(self.sockets.values()):
            for socket in list(sockets):
                socket.outbox.put(text)

    # --- fan-out -----------------------------------------------------------------------------

    async def attach(self, pin: str, socket) -> None:
        """``socket`` (with ``role``, ``player``, ``user`` and an ``outbox``, see
        ``contests.outbox``) gets room ``pin``'s frames from now on."""
        if self.listener is None:
            self.channel = await self.layer.new_channel()
            self.listener = asyncio.create_task(self._listen())
            await self.store.lost()  # marks the store as this worker knows it
            self.watcher = asyncio.create_task(self._watch())
            await self.layer.group_add(ALL_WORKERS, self.channel)
        if pin not in self.groups:
            self.groups.add(pin)
            await self.layer.group_add(workers_group(pin), self.channel)
        self.sockets[pin].add(socket)

    def detach(self, pin: str, socket) -> None:
        """No more frames for ``socket``. Its outbox still writes what it holds (an
        ``error`` and its close); the socket's disconnect discards the rest."""
        self.sockets[pin].discard(socket)

    async def dispatch(self, pin: str, outs: list[engine.Out]) -> None:
        """Each message serialised once. This worker's sockets get the frames at
        once; the other workers holding sockets of the room get all of them in one
        channel-layer message each (this worker skips its own copy) — so the
        sockets of the worker that applied a step hear of it even while the layer
        is away or has lost the group."""
        if not outs:
            return
        frames = [
            [
                out.to,
                out.to_player,
                json.dumps(texts.localise(out.message), ensure_ascii=False, separators=(",", ":")),
            ]
            for out in outs
        ]
        await self.deliver(pin, frames)
        message = {"type": "contest.frames", "pin": pin, "frames": frames, "origin": self.channel}
        try:
            await self.layer.group_send(workers_group(pin), message)
        except Exception:
            # The step is saved already; the sockets will not hear of it from this
            # send. They are told "reconnecting", and the resync sends each a fresh
            # state once the layer answers again.
            logger.warning("contest %s: a broadcast was lost", pin, exc_info=True)
            await self._outage()

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
                if message["type"] == "contest.drop":
                    await self.drop(message["user"])
                elif message.get("origin") is None or message["origin"] != self.channel:
                    await self.deliver(message["pin"], message["frames"])
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:  # the worker's one listener must outlive a bad message
                if asyncio.current_task().cancelling():
                    raise  # shutting down (redis-py turns a cancelled read into a timeout)
                logger.warning("contest fan-out: receiving or delivering failed", exc_info=True)
                failures += 1
                if failures > 1:  # the layer is away, not one stale connection
                    await self._outage()  # the watcher resyncs once the layer is back
                await asyncio.sleep(0.5 if failures > 1 else 0)

    async def drop(self, user_id: int) -> None:
        """Closes this worker's sockets of a member who was deactivated."""
        for socket in [s for sockets in self.sockets.values() for s in sockets]:
            if getattr(socket.user, "pk", None) == user_id:
                await socket.refuse("inactive")

    async def deliver(self, pin: str, frames: list) -> None:
        """Queues the frames on this worker's sockets of room ``pin``: each
        socket's outbox writes them, so no socket is waited for here and a slow
        one delays no other. A socket that takes no more (it fell too far behind
        and was dropped, or it is closing) is detached."""
        sockets = list(self.sockets.get(pin, ()))
        if not sockets:
            return
        outboxes = [socket.outbox for socket in sockets]
        by_player = defaultdict(list)
        for socket in sockets:
            if socket.player is not None:
                by_player[socket.player].append(socket.outbox)
        for to, player, text in frames:
            if player is not None:
                targets = by_player.get(player, ())
            elif to == engine.ALL:
                targets = outboxes
            else:
                targets = [s.outbox for s in sockets if AUDIENCE[s.role] == to]
            for outbox in targets:
                outbox.put(text)
        for socket in sockets:
            if socket.outbox.closed:
                self.detach(pin, socket)


def _frame(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


AUDIENCE = {"player": engine.PLAYERS, "screen": engine.SCREEN, "host": engine.HOST}


def _arrived(item: list) -> engine.Event:
    """An event recorded on arrival (``Runtime.join``, ``Runtime.buzz``)."""
    kind, now, player, *rest = item
    if kind == "buzz":
        return stage.Buzz(now, player, rest[0])
    name, team, guest = rest
    return engine.Join(now, player, name, team, guest)


def _latest_lobby(outs: list[engine.Out], game: games.Game, room) -> list[engine.Out]:
    """Of a batch's ``lobby`` messages to an audience, only the last (it has the
    latest count and names); the host's with the ``roster`` of the batch's room,
    built once per batch, not once per join."""
    last = {out.to: out for out in outs if out.message["type"] == "lobby"}
    host = last.get(engine.HOST)
    if host is not None and (roster := game.roster(room)) is not None:
        last[engine.HOST] = engine.Out(engine.HOST, dict(host.message, roster=roster))
        outs = [last[engine.HOST] if o is host else o for o in outs]
    return [o for o in outs if o.message["type"] != "lobby" or last[o.to] is o]


runtime = Runtime()
