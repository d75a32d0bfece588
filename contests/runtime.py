"""
Running rooms: the engine's state per PIN, the server-owned question timers,
persistence of accepted answers and results, and the fan-out of messages.

The state lives in a store (``contests.store``: this process's memory by
default, Redis in production, where any worker may apply a room's next event).
Every message is serialised once and sent to a channel-layer group (all,
players, screen, host, or one player), so a room's sockets may sit on any worker.
"""

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import engine, services
from .models import Contest, ContestStatus
from .store import make_store

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.25  # seconds


def now_ms() -> int:
    return int(time.time() * 1000)


def group(pin: str, audience: str, player: str | None = None) -> str:
    if player is not None:
        return f"contest.{pin}.p.{player}"
    return f"contest.{pin}.{audience}"


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
    def __init__(self, store=None):
        self._store = store
        self.contests: dict[str, Contest] = {}
        self.timers: dict[str, asyncio.Task] = {}
        self.progress_due: dict[str, asyncio.Task] = {}

    @property
    def store(self):
        if self._store is None:
            self._store = make_store()
        return self._store

    def reset(self) -> None:
        """Forget everything held in this process (tests; a fresh event loop)."""
        for task in [*self.timers.values(), *self.progress_due.values()]:
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
            for step in events:
                before = room
                room, step_outs = engine.apply(room, step)
                outs += step_outs
                await self._persist(contest, before, room)
            await self.store.put(pin, room)
        self._schedule(pin, room)
        await dispatch(pin, outs)
        if isinstance(event, engine.SubmitAnswer) and pin not in self.progress_due:
            # No room-wide message per answer: the host's count, at most 4 a second.
            self.progress_due[pin] = asyncio.create_task(self._progress_later(pin))
        return outs

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
                "answered": engine.answered_count(room),
                "players": len(room.active_players()),
            }
            await dispatch(pin, [engine.Out(engine.HOST, message)])

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


async def dispatch(pin: str, outs: list[engine.Out]) -> None:
    """Each message serialised once, sent once to its group."""
    layer = get_channel_layer()
    for out in outs:
        text = json.dumps(out.message, ensure_ascii=False, separators=(",", ":"))
        target = group(pin, "", out.to_player) if out.to_player is not None else group(pin, out.to)
        await layer.group_send(target, {"type": "contest.frame", "text": text})


runtime = Runtime()
