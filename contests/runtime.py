"""
Running rooms: the engine's state per PIN, the server-owned question timers,
persistence of accepted answers and results, and the fan-out of messages.

The state lives in a store (``contests.store``: this process's memory by
default, Redis in production, where any worker may apply a room's next event).
Fan-out: a room's messages are serialised once and sent as one channel-layer
message per *worker* (each worker's runtime listens on a channel of its own and
joins the room's group when it holds one of the room's sockets), and each worker
writes the frames to its local sockets in a plain loop. The sockets themselves
are not on the channel layer: no per-socket group membership to set up in a
connect storm, no per-socket channel to overflow, no thread hop per socket and
message.

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

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import engine, services
from .models import Contest, ContestStatus
from .store import make_store

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.25  # seconds


def now_ms() -> int:
    return int(time.time() * 1000)


def workers_group(pin: str) -> str:
    """The channel-layer group of the workers holding sockets of room ``pin``."""
    return f"contest.{pin}.workers"


@database_sync_to_async
def load_contest(pin: str) -> Contest | None:
    return (
        Contest.objects.select_related("host")
        .filter(pin=pin)
        .exclude(status=ContestStatus.FINISHED)
        .first()
    )


@database_sync_to_async
def _build_room(contest: Contest) -> engine.Room:
    return services.contest_room(contest)


@database_sync_to_async
def _checkpoint(contest: Contest, room: engine.Room) -> None:
    services.contest_checkpoint(contest=contest, room=room)


@database_sync_to_async
def _record_results(contest: Contest, room: engine.Room) -> None:
    services.contest_record_results(contest=contest, room=room)


@database_sync_to_async
def _mark_running(contest: Contest) -> None:
    Contest.objects.filter(pk=contest.pk, status=ContestStatus.LOBBY).update(
        status=ContestStatus.RUNNING
    )


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
        tasks = [*self.timers.values(), *self.progress_due.values(), self.listener]
        for task in filter(None, tasks):
            task.cancel()
        self.__init__()

    async def contest(self, pin: str) -> Contest | None:
        if pin not in self.contests:
            contest = await load_contest(pin)
            if contest is None:
                return None
            self.contests[pin] = contest
        return self.contests[pin]

    async def room(self, pin: str) -> engine.Room | None:
        """The room's current state: from the store, or built once from the database
        (its last snapshot, or fresh) when no worker holds it yet."""
        room = await self.store.get(pin)
        if room is None:
            contest = await self.contest(pin)
            if contest is None:
                return None
            room = await self.store.add(pin, await _build_room(contest))
        return room

    async def snapshot(self, pin: str, *, player: str | None, role: str) -> dict:
        """The ``state`` a (re)connecting socket gets, answers of the open question included."""
        room = await self.room(pin)
        if room.phase in (engine.QUESTION, engine.PAUSED):
            room = engine.with_answers(room, await self.store.answers(pin, room.seq))
        known = player if player in room.players else None
        return engine.state_payload(room, now_ms(), player=known, role=role)

    # --- events ----------------------------------------------------------------------------

    async def answer(self, pin: str, event: engine.SubmitAnswer) -> dict:
        """Accepts or refuses an answer without the room lock; returns the ``answer_ack``."""
        gate = await self.store.gate(pin)
        reason = "closed" if gate is None else engine.answer_refusal(gate, event)
        if reason is None:
            reason = await self.store.accept(pin, engine.accepted_answer(gate, event))
        if reason is None and pin not in self.progress_due:
            # No room-wide message per answer: the host's count, at most 4 a second.
            self.progress_due[pin] = asyncio.create_task(self._progress_later(pin))
        message = {"type": "answer_ack", "seq": event.seq, "accepted": reason is None}
        if reason is not None:
            message["reason"] = reason
        return message

    async def apply(self, pin: str, event: engine.Event) -> list[engine.Out]:
        """Applies ``event`` to the latest state of the room, one event at a time
        per room across all workers, and carries out what follows: timers,
        persistence, and sending the messages."""
        contest = await self.contest(pin)
        outs: list[engine.Out] = []
        async with self.store.locked(pin):
            room = await self.room(pin)
            events = [event]
            if (
                room.phase == engine.QUESTION
                and room.ends_at is not None
                and event.now > room.ends_at
                and not isinstance(event, engine.Tick)
            ):
                # The question's time is up but its timer did not fire here (it may
                # have died with another worker): close it first.
                events.insert(0, engine.Tick(event.now))
            first = room
            for step in events:
                before = room
                room, step_outs = await self._step(pin, room, step)
                outs += step_outs
                await self._persist(contest, before, room)
            await self.store.put(pin, room, before=first)
            if first.phase in (engine.QUESTION, engine.PAUSED) and _closed(first, room):
                await self.store.drop_answers(pin, first.seq)
        self._schedule(pin, room)
        await self.dispatch(pin, outs)
        return outs

    async def _step(self, pin: str, room: engine.Room, event: engine.Event):
        """One engine step, with the answers the store accepted for the open question;
        a step that closes the question seals it first, so that every acknowledged
        answer is scored."""
        if room.phase not in (engine.QUESTION, engine.PAUSED):
            return engine.apply(room, event)
        merged = engine.with_answers(room, await self.store.answers(pin, room.seq))
        after, outs = engine.apply(merged, event)
        if not _closed(room, after):
            return after, outs
        merged = engine.with_answers(room, await self.store.seal(pin, room.seq))
        return engine.apply(merged, event)

    async def _persist(self, contest: Contest, before: engine.Room, room: engine.Room) -> None:
        if before.phase == engine.LOBBY and room.phase != engine.LOBBY:
            await _mark_running(contest)
        revealed = before.phase != engine.REVEAL and room.phase in (
            engine.REVEAL,
            engine.FINISHED,
        )
        if revealed and room.seq:
            await _checkpoint(contest, room)
        if room.phase == engine.FINISHED and before.phase != engine.FINISHED:
            await _record_results(contest, room)

    async def _progress_later(self, pin: str) -> None:
        await asyncio.sleep(PROGRESS_INTERVAL)
        self.progress_due.pop(pin, None)
        room = await self.store.get(pin)
        if room is not None and room.phase == engine.QUESTION:
            message = {
                "type": "progress",
                "seq": room.seq,
                "answered": await self.store.answer_count(pin, room.seq),
                "players": len(room.active_players()),
            }
            await self.dispatch(pin, [engine.Out(engine.HOST, message)])

    def _schedule(self, pin: str, room: engine.Room) -> None:
        """The server owns time: a question closes at ``ends_at`` whoever is connected."""
        task = self.timers.pop(pin, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        if room.phase == engine.QUESTION and room.ends_at is not None:
            self.timers[pin] = asyncio.create_task(self._close_at(pin, room.ends_at))

    async def _close_at(self, pin: str, ends_at: int) -> None:
        await asyncio.sleep(max(0, ends_at - now_ms()) / 1000 + 0.001)
        try:
            await self.apply(pin, engine.Tick(now_ms()))
        except Exception:  # a timer must never die silently
            logger.exception("contest %s: closing the question failed", pin)

    # --- fan-out -----------------------------------------------------------------------------

    async def attach(self, pin: str, socket) -> None:
        """``socket`` (with ``role`` and ``player``) gets room ``pin``'s frames from now on."""
        if self.listener is None:
            self.channel = await self.layer.new_channel()
            self.listener = asyncio.create_task(self._listen())
        if pin not in self.groups:
            self.groups.add(pin)
            await self.layer.group_add(workers_group(pin), self.channel)
        self.sockets[pin].add(socket)

    def detach(self, pin: str, socket) -> None:
        self.sockets[pin].discard(socket)

    async def dispatch(self, pin: str, outs: list[engine.Out]) -> None:
        """Each message serialised once; all of them in one channel-layer message per worker."""
        if not outs:
            return
        frames = [
            [
                out.to,
                out.to_player,
                json.dumps(out.message, ensure_ascii=False, separators=(",", ":")),
            ]
            for out in outs
        ]
        await self.layer.group_send(
            workers_group(pin), {"type": "contest.frames", "pin": pin, "frames": frames}
        )

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
                await self.deliver(message["pin"], message["frames"])
            except asyncio.CancelledError:
                raise
            except Exception:  # the worker's one listener must outlive a bad message
                logger.exception("contest fan-out: delivering failed")
                await asyncio.sleep(0.1)

    async def deliver(self, pin: str, frames: list) -> None:
        """Writes the frames to this worker's sockets of room ``pin``."""
        sockets = list(self.sockets.get(pin, ()))
        if not sockets:
            return
        by_player = defaultdict(list)
        for socket in sockets:
            if socket.player is not None:
                by_player[socket.player].append(socket)
        for to, player, text in frames:
            if player is not None:
                targets = by_player.get(player, ())
            elif to == engine.ALL:
                targets = sockets
            else:
                targets = [s for s in sockets if AUDIENCE[s.role] == to]
            for socket in targets:
                try:
                    await socket.send(text_data=text)
                except Exception:  # a socket closing under us; its disconnect detaches it
                    logger.debug("contest %s: a socket went away", pin, exc_info=True)


AUDIENCE = {"player": engine.PLAYERS, "screen": engine.SCREEN, "host": engine.HOST}


def _closed(before: engine.Room, after: engine.Room) -> bool:
    """Whether going from ``before`` to ``after`` closed ``before``'s open question."""
    return before.phase in (engine.QUESTION, engine.PAUSED) and (
        after.seq != before.seq or after.phase not in (engine.QUESTION, engine.PAUSED)
    )


runtime = Runtime()
