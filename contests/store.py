"""
Where the rooms' live state is kept, so that every event is applied to the latest
state, one at a time per room:

- ``MemoryStore`` (the embedded default): this process's memory, an asyncio lock
  per room;
- ``RedisStore`` (production, ``REDIS_URL``): the room as JSON in Redis
  (``engine.room_to_dict``), changed only under a per-room Redis lock, so players
  of one room may sit on different Daphne workers and any worker may apply the
  next event — or carry on when another dies.
"""

import asyncio
import contextlib
import json
import secrets
import time

from django.conf import settings

from . import engine

ROOM_TTL_SECONDS = 24 * 3600
LOCK_MS = 5000
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class MemoryStore:
    def __init__(self):
        self.rooms: dict[str, engine.Room] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    async def get(self, pin: str) -> engine.Room | None:
        return self.rooms.get(pin)

    async def put(self, pin: str, room: engine.Room) -> None:
        self.rooms[pin] = room

    async def add(self, pin: str, room: engine.Room) -> engine.Room:
        """Stores ``room`` unless one is there already; returns the stored one."""
        return self.rooms.setdefault(pin, room)

    @contextlib.asynccontextmanager
    async def locked(self, pin: str):
        async with self.locks.setdefault(pin, asyncio.Lock()):
            yield

    async def clear(self) -> None:
        self.rooms.clear()
        self.locks.clear()


class RedisStore:
    def __init__(self, url: str, prefix: str = "jiangtang:room"):
        from redis import asyncio as aioredis

        self.redis = aioredis.from_url(url)
        self.prefix = prefix
        self.release = self.redis.register_script(RELEASE)

    def _key(self, pin: str) -> str:
        return f"{self.prefix}:{pin}"

    async def get(self, pin: str) -> engine.Room | None:
        raw = await self.redis.get(self._key(pin))
        return engine.room_from_dict(json.loads(raw)) if raw else None

    async def put(self, pin: str, room: engine.Room) -> None:
        data = json.dumps(engine.room_to_dict(room), ensure_ascii=False, separators=(",", ":"))
        await self.redis.set(self._key(pin), data, ex=ROOM_TTL_SECONDS)

    async def add(self, pin: str, room: engine.Room) -> engine.Room:
        data = json.dumps(engine.room_to_dict(room), ensure_ascii=False, separators=(",", ":"))
        await self.redis.set(self._key(pin), data, ex=ROOM_TTL_SECONDS, nx=True)
        return await self.get(pin)

    @contextlib.asynccontextmanager
    async def locked(self, pin: str):
        """A lock across workers (SET NX with a token, released only by its holder;
        it expires by itself if the holder dies)."""
        key, token = f"{self._key(pin)}:lock", secrets.token_hex(8)
        deadline = time.monotonic() + LOCK_MS / 1000
        while not await self.redis.set(key, token, nx=True, px=LOCK_MS):
            if time.monotonic() > deadline:
                raise TimeoutError(f"room {pin} is locked")
            await asyncio.sleep(0.002)
        try:
            yield
        finally:
            await self.release(keys=[key], args=[token])

    async def clear(self) -> None:
        await self.redis.aclose()


def make_store():
    return RedisStore(settings.REDIS_URL) if settings.REDIS_URL else MemoryStore()
