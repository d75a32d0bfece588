"""Two workers cannot both change a room: a room is written compare-and-set on
its version, so a step whose room lock was lost (its worker could not extend it)
is refused, not written over the other worker's, and applied again to the newer
room. The two-worker test runs on a redis-server of its own with the database
slowed (every step's save takes two seconds, longer than the lock's life)."""

import asyncio
import threading
import time

import pytest
from channels.db import database_sync_to_async

from contests import engine, services
from contests import store as store_module
from contests.models import Contest
from contests.store import MemoryStore, RedisStore, StaleRoom

from .conftest import receive, send_json_to
from .test_engine import T0, choice
from .test_faults import Worker, classic_world

SLOW_SAVE_SECONDS = 2.0
PER_WORKER = 3


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        yield MemoryStore()
        return
    store = RedisStore(request.getfixturevalue("redis_server").url)
    yield store
    await store.clear()


async def test_a_stale_put_is_refused_and_writes_nothing(store):
    # given a stored room, and two steps from it
    pin = "200001"
    room = engine.Room(code=pin, questions=[choice(1)])
    await store.put(pin, room)
    ours, _ = engine.apply(room, engine.Join(T0, "a", "甲"))
    theirs, _ = engine.apply(room, engine.Join(T0, "b", "乙"))
    # when both are written from it, the second is refused
    await store.put(pin, theirs, before=room)
    with pytest.raises(StaleRoom):
        await store.put(pin, ours, before=room)
    # then the first stays, with the small keys beside it
    stored = await store.get(pin)
    assert (stored.version, list(stored.players)) == (1, ["b"])
    assert await store.is_player(pin, "b") and not await store.is_player(pin, "a")
    # a rebuild does not overwrite a stored room; a room the store lost is taken
    with pytest.raises(StaleRoom):
        await store.put(pin, room)
    await store.put("200002", ours, before=room)
    assert (await store.get("200002")).players.keys() == {"a"}


def watch_puts(store, log: list) -> None:
    """Notes each room write of ``store`` as (written?, version before, version after)."""
    put = store.put

    async def noted(pin, room, before=None):
        start = None if before is None else before.version
        try:
            await put(pin, room, before=before)
        except StaleRoom:
            log.append((False, start, room.version))
            raise
        log.append((True, start, room.version))

    store.put = noted


async def until(socket, message_type, **fields) -> list[dict]:
    """The messages a socket gets up to the first ``message_type`` (with ``fields``)."""
    got = []
    while not got or got[-1]["type"] != message_type or not fields.items() <= got[-1].items():
        got.append(await receive(socket, timeout=30))
    return got


@pytest.mark.django_db(transaction=True)
async def test_two_workers_with_a_slow_database_and_a_lost_lock_lose_no_step(
    redis_server, open_socket, monkeypatch, caplog
):
    contest, host_token = await classic_world()
    a, b = Worker(redis_server.url), Worker(redis_server.url)
    puts = []
    for worker in (a, b):
        watch_puts(worker.runtime.store, puts)
    try:
        host = await open_socket(a.app, contest.pin, host_token, role="host")
        other_host = await open_socket(b.app, contest.pin, host_token, role="host")
        for socket in (host, other_host):
            await receive(socket, "state")
        guests = {w: [f"{i}{n:031x}" for n in range(PER_WORKER)] for i, w in enumerate((a, b), 1)}
        sockets = {}
        for worker, names in guests.items():
            for guest in names:
                sockets[guest] = await open_socket(worker.app, contest.pin, guest=guest)
                await receive(sockets[guest], "state")

        # given a slow database (each step's save outlives the lock's life)
        monkeypatch.setattr(store_module, "LOCK_MS", 300)
        saving = threading.Event()
        save = services.contest_save

        def slow_save(**kwargs):
            saving.set()
            time.sleep(SLOW_SAVE_SECONDS)
            save(**kwargs)

        monkeypatch.setattr(services, "contest_save", slow_save)

        async def join(guest):
            await send_json_to(sockets[guest], {"type": "join", "nickname": f"访客{guest[::31]}"})

        # when worker A's lock expires under its first save (as when Redis is out of
        # reach longer than the lock's life), and B's players join meanwhile
        await asyncio.gather(*(join(g) for g in guests[a]))
        assert await asyncio.to_thread(saving.wait, 10)
        await a.runtime.store.redis.delete(a.runtime.store._key(contest.pin, "lock"))
        await asyncio.gather(*(join(g) for g in guests[b]))
        for socket in sockets.values():
            await receive(socket, "state", timeout=30)
        # and the host plays on, each step applied by the other worker
        await send_json_to(host, {"type": "start"})
        heard = {"host": await until(host, "question", seq=1)}
        for socket in sockets.values():
            await send_json_to(socket, {"type": "answer", "seq": 1, "choices": ["B"]})
        await send_json_to(other_host, {"type": "close"})
        await receive(other_host, "reveal", timeout=30)
        await send_json_to(host, {"type": "next"})
        heard["host"] += await until(host, "question", seq=2)
        for guest, socket in sockets.items():
            heard[guest] = await until(socket, "question", seq=2)

        # then no step was lost: the room went up one version a step, in the store
        # and in the database, each write from the one before it, a stale one refused
        room = await a.runtime.store.get(contest.pin)
        assert set(room.players) == {f"g-{g}" for g in sockets}
        steps = 2 * PER_WORKER + 3  # the joins, start, close, next
        assert (room.version, room.phase, room.seq) == (steps, "question", 2)
        saved = await database_sync_to_async(Contest.objects.get)(pk=contest.pk)
        assert saved.snapshot["state_version"] == steps
        chain = [(start, end) for written, start, end in puts if written]
        assert chain[0] == (None, 0)
        assert [end for _start, end in chain[:-1]] == [start for start, _end in chain[1:]]
        assert any(not written for written, _start, _end in puts)
        assert "the lock was lost while a step ran" in caplog.text  # A's keeper saw it
        # every player heard the steps in order (and was heard), the host every arrival
        for guest in sockets:
            kinds = [(m["type"], m.get("seq")) for m in heard[guest]]
            steps_heard = [kind for kind in kinds if kind[0] in ("question", "reveal")]
            assert steps_heard == [("question", 1), ("reveal", 1), ("question", 2)], kinds
            assert [m["accepted"] for m in heard[guest] if m["type"] == "answer_ack"] == [True]
            reveal = next(m for m in heard[guest] if m["type"] == "reveal")
            assert sum(reveal["distribution"].values()) == 2 * PER_WORKER
        counts = [m["players"] for m in heard["host"] if m["type"] == "lobby"]
        assert counts == sorted(counts) and counts[-1] == 2 * PER_WORKER
    finally:
        a.kill()
        b.kill()
