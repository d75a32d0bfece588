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

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import engine, formats, services, stage
from .models import Contest, ContestStatus
from .store import make_store

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.25  # seconds


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
    except Exception:  # the deactivation stands; the 10-second re-check still drops them
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
def _build_room(contest: Contest) -> engine.Room:
    return services.contest_room(contest)


@database_sync_to_async
def _checkpoint(contest: Contest, room: engine.Room) -> None:
    services.contest_checkpoint(contest=contest, room=room)


@database_sync_to_async
def _record_results(contest: Contest, room: engine.Room) -> None:
    services.contest_record_results(contest=contest, room=room)


@database_sync_to_async
def _record_decisions(contest: Contest, room) -> None:
    services.contest_record_decisions(contest=contest, room=room)


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
        """The ``state`` a (re)connecting socket gets. For a room where everyone
        answers it comes from the store's small view (public state, the player's
        board entry, the open question's answers), not from the whole room, so a
        reconnect storm neither loads nor recounts the room."""
        view = await self.store.view(pin, player)
        if view is None:  # on stage, or not in the store yet
            room = await self.room(pin)
            if formats.is_stage(room):
                known = player if player in room.players else None
                return stage.state_payload(room, now_ms(), player=known, role=role)
            view = await self.store.view(pin, player)
        meta, you, answered = view
        return engine.state_message(meta, now_ms(), role=role, you=you, answered=answered)

    async def rejoin(self, pin: str, player: str) -> dict | None:
        """For a player the room knows already (a reconnect), the ``join`` reply
        without an event: nothing about the room changes."""
        contest = await self.contest(pin)
        if contest.format == "stage" or not await self.store.is_player(pin, player):
            return None
        return await self.snapshot(pin, player=player, role="player")

    # --- events ----------------------------------------------------------------------------

    async def answer(self, pin: str, event: engine.SubmitAnswer) -> dict | None:
        """Accepts or refuses an answer without the room lock; returns the ``answer_ack``.
        (On stage, a team's device answer is a step of the game: applied as an event.)"""
        gate = await self.store.gate(pin)
        if gate is not None and gate["phase"] == "stage":
            await self.apply(pin, event)
            return None
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

    async def buzz(self, pin: str, event: stage.Buzz) -> None:
        """Records a buzz at its server receipt time, then applies every recorded
        event (of any worker) earliest first: lock waits do not reorder buzzes."""
        await self.store.record(pin, ["buzz", event.now, event.player, event.seq])
        await self.apply(pin, None)

    async def join(self, pin: str, event: engine.Join) -> None:
        """Records a join, then applies the recorded events: when a room joins at
        once, the first to get the lock applies the others' joins with its own,
        and they find nothing left to do (no room read or write each)."""
        item = ["join", event.now, event.player, event.name, event.team, event.guest]
        await self.store.record(pin, item)
        await self.apply(pin, None)

    async def apply(self, pin: str, event: engine.Event | None) -> list[engine.Out]:
        """Applies the recorded events (``join``, ``buzz``), then ``event``, to the
        latest state of the room, one at a time per room across all workers, and
        carries out what follows: timers, persistence, and sending the messages."""
        contest = await self.contest(pin)
        outs: list[engine.Out] = []
        async with self.store.locked(pin):
            events = [_arrived(item) for item in await self.store.take(pin)]
            events += [event] if event is not None else []
            if not events:
                return []
            room = first = await self.room(pin)
            for step in events:
                deadline = formats.module_for(room).next_deadline(room)
                if (
                    deadline is not None
                    and step.now >= deadline
                    and not isinstance(step, engine.Tick)
                ):
                    # A deadline passed but its timer did not fire here (it may have
                    # died with another worker): the clock's step comes first.
                    room, outs = await self._apply_one(
                        pin, contest, room, engine.Tick(step.now), outs
                    )
                room, outs = await self._apply_one(pin, contest, room, step, outs)
            if room is not first:
                await self.store.put(pin, room, before=first)
            if not formats.is_stage(room) and _closed(first, room):
                await self.store.drop_answers(pin, first.seq)
        self._schedule(pin, room)
        await self.dispatch(pin, _latest_lobby(outs))
        return outs

    async def _apply_one(self, pin, contest, room, event, outs):
        before = room
        room, step_outs = await self._step(pin, room, event)
        await self._persist(contest, before, room)
        return room, outs + step_outs

    async def _step(self, pin: str, room: engine.Room, event: engine.Event):
        """One engine step, with the answers the store accepted for the open question;
        a step that closes the question seals it first, so that every acknowledged
        answer is scored."""
        if formats.is_stage(room):
            return formats.module_for(room).apply(room, event)
        if room.phase not in (engine.QUESTION, engine.PAUSED):
            return engine.apply(room, event)
        merged = engine.with_answers(room, await self.store.answers(pin, room.seq))
        after, outs = engine.apply(merged, event)
        if not _closed(room, after):
            return after, outs
        merged = engine.with_answers(room, await self.store.seal(pin, room.seq))
        return engine.apply(merged, event)

    async def _persist(self, contest: Contest, before, room) -> None:
        if before.phase == engine.LOBBY and room.phase != engine.LOBBY:
            await _mark_running(contest)
        if formats.is_stage(room):
            # On stage every decision counts: the audit log and a snapshot at each one.
            if room.log != before.log or room.phase != before.phase:
                await _record_decisions(contest, room)
            if room.phase == engine.FINISHED and before.phase != engine.FINISHED:
                await _record_results(contest, room)
            return
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

    def _schedule(self, pin: str, room) -> None:
        """The server owns time: a question closes at ``ends_at`` (a buzzer decides,
        a stake times out) whoever is connected."""
        task = self.timers.pop(pin, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        deadline = formats.module_for(room).next_deadline(room)
        if deadline is not None:
            self.timers[pin] = asyncio.create_task(self._tick_at(pin, deadline))

    async def _tick_at(self, pin: str, deadline: int) -> None:
        await asyncio.sleep(max(0, deadline - now_ms()) / 1000)
        now = now_ms()
        try:
            await self.apply(pin, engine.Tick(max(now, deadline)))
        except Exception:  # a timer must never die silently
            logger.exception("contest %s: the clock's step failed", pin)

    # --- fan-out -----------------------------------------------------------------------------

    async def attach(self, pin: str, socket) -> None:
        """``socket`` (with ``role`` and ``player``) gets room ``pin``'s frames from now on."""
        if self.listener is None:
            self.channel = await self.layer.new_channel()
            self.listener = asyncio.create_task(self._listen())
            await self.layer.group_add(ALL_WORKERS, self.channel)
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
                if message["type"] == "contest.drop":
                    await self.drop(message["user"])
                else:
                    await self.deliver(message["pin"], message["frames"])
            except asyncio.CancelledError:
                raise
            except Exception:  # the worker's one listener must outlive a bad message
                if asyncio.current_task().cancelling():
                    raise  # shutting down (redis-py turns a cancelled read into a timeout)
                logger.exception("contest fan-out: delivering failed")
                await asyncio.sleep(0.1)

    async def drop(self, user_id: int) -> None:
        """Closes this worker's sockets of a member who was deactivated."""
        for socket in [s for sockets in self.sockets.values() for s in sockets]:
            if getattr(socket.user, "pk", None) == user_id:
                await socket.refuse("inactive", "账号已停用。")

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


def _arrived(item: list) -> engine.Event:
    """An event recorded on arrival (``Runtime.join``, ``Runtime.buzz``)."""
    kind, now, player, *rest = item
    if kind == "buzz":
        return stage.Buzz(now, player, rest[0])
    name, team, guest = rest
    return engine.Join(now, player, name, team, guest)


def _latest_lobby(outs: list[engine.Out]) -> list[engine.Out]:
    """Of a batch's ``lobby`` messages to an audience, only the last (it has the
    latest count and names)."""
    last = {out.to: out for out in outs if out.message["type"] == "lobby"}
    return [o for o in outs if o.message["type"] != "lobby" or last[o.to] is o]


def _closed(before: engine.Room, after: engine.Room) -> bool:
    """Whether going from ``before`` to ``after`` closed ``before``'s open question."""
    return before.phase in (engine.QUESTION, engine.PAUSED) and (
        after.seq != before.seq or after.phase not in (engine.QUESTION, engine.PAUSED)
    )


runtime = Runtime()
