"""
Where the rooms' live state is kept, so that every event is applied to the latest
state, one at a time per room, and answers are accepted without waiting for that:

- ``MemoryStore`` (the embedded default): this process's memory, an asyncio lock
  per room;
- ``RedisStore`` (production, ``REDIS_URL``): the room as JSON in Redis
  (``Game.to_dict``), changed only under a per-room Redis lock, so players
  of one room may sit on different Daphne workers and any worker may apply the
  next event — or carry on when another dies.

A room is written compare-and-set on its version (``put``, ``StaleRoom``): the
lock is kept while a step runs, but a worker may lose it all the same (Redis out
of reach, or the worker stalled, for longer than the lock's life); its step is
then refused rather than written over what the lock's next holder applied.

Answers take another way: ``accept`` decides on one atomically without the room
lock and without loading the room (in Redis, one script over a small "gate" —
the open question's phase, number and deadline — the players' hash and the
question's answers hash: ``HSETNX``, so the first answer wins and a retry is
refused as a duplicate). The runtime merges the accepted answers into the room
under the lock, and ``seal`` stops acceptance for good before a question is
scored, so no answer is acknowledged and then left out.

Joins and buzzes (抢答) are recorded on arrival (``record``, one queue per room)
and applied under the lock in batches, earliest first (``take``): a buzz that
waited for the lock longer than another worker's later one still counts by its
server receipt time, as long as it arrived before the floor was decided; and a
whole room joining at once costs a few room writes, not one each.

A guest's nickname is claimed on join (``claim_name``) without loading the room:
a hash of the room's names as people tell them apart (``comparable``) → the
player who has it (in Redis ``HSETNX``, so of two guests asking for one name at
once one gets it). A name once claimed stays taken (a kicked player's too); a
rebuilt room claims its players' names again (``claim_names``).

A store is a working copy, not the record: every step is saved to the database
before anyone hears of it, and an answer is stored there before it is
acknowledged (``contests.runtime``). When Redis restarts empty, ``lost`` tells
each worker, which rebuilds its rooms from the database (``restore`` puts back
the open question's answers) — so Redis keeps nothing on disk on purpose: an
older copy coming back from disk would be taken for the latest.
"""

import asyncio
import contextlib
import json
import logging
import secrets
import time

from django.conf import settings

from . import engine, games

logger = logging.getLogger(__name__)

ROOM_TTL_SECONDS = 24 * 3600
LOCK_MS = 5000  # the room lock's life if its holder dies; renewed while a step runs
LOCK_WAIT_SECONDS = 15  # how long an event waits for the room lock
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# Compare-and-set of a room and the small keys beside it, in one step.
# KEYS: version, room, gate, meta, players, names, board, rows.
# ARGV: the version the step began from ('' for none), the room's version, TTL, the room,
# the gate ('' for none), the public state ('' for none), the changed players as
# [id, "1" or "0" (kicked), …] and [id, name, …], and the board ('' when unchanged, else
# [[sort key, id, …], [id, row, …]]). Returns 0, writing nothing, when another version
# is stored.
PUT = """
local stored = redis.call('get', KEYS[1])
if stored and stored ~= ARGV[1] then return 0 end
local ttl = ARGV[3]
local function write(command, key, flat)
  if #flat == 0 then return end
  for i = 1, #flat, 1000 do
    redis.call(command, key, unpack(flat, i, math.min(i + 999, #flat)))
  end
  redis.call('expire', key, ttl)
end
redis.call('set', KEYS[1], ARGV[2], 'EX', ttl)
redis.call('set', KEYS[2], ARGV[4], 'EX', ttl)
if ARGV[5] ~= '' then redis.call('set', KEYS[3], ARGV[5], 'EX', ttl) end
if ARGV[6] ~= '' then redis.call('set', KEYS[4], ARGV[6], 'EX', ttl) end
write('hset', KEYS[5], cjson.decode(ARGV[7]))
write('hset', KEYS[6], cjson.decode(ARGV[8]))
if ARGV[9] ~= '' then
  local board = cjson.decode(ARGV[9])
  redis.call('del', KEYS[7], KEYS[8])
  write('zadd', KEYS[7], board[1])
  write('hset', KEYS[8], board[2])
end
return 1
"""
# KEYS: version, room; ARGV: the version of the room the caller holds. 1 when that is
# still the stored one (nothing to transfer), else the room.
GET = """
if redis.call('get', KEYS[1]) == ARGV[1] then return 1 end
return redis.call('get', KEYS[2])
"""
# KEYS: gate, players, answers of the question; ARGV: player, seq, now, answer (JSON),
# ttl, the deadline the answer's elapsed time was computed against ('' for none)
ACCEPT = """
local raw = redis.call('get', KEYS[1])
if not raw then return 'closed' end
local active = redis.call('hget', KEYS[2], ARGV[1])
if active == '0' then return 'kicked' end
if active ~= '1' then return 'invalid' end
if redis.call('hexists', KEYS[3], ARGV[1]) == 1 then return 'duplicate' end
local gate = cjson.decode(raw)
if gate['phase'] ~= 'question' or gate['seq'] ~= tonumber(ARGV[2]) then return 'closed' end
local expected = tonumber(ARGV[6])
if expected and gate['ends_at'] ~= expected then return 'stale' end
if type(gate['ends_at']) == 'number' and tonumber(ARGV[3]) > gate['ends_at'] then
  return 'late'
end
redis.call('hset', KEYS[3], ARGV[1], ARGV[4])
redis.call('expire', KEYS[3], tonumber(ARGV[5]))
return 'ok'
"""
# KEYS: gate, answers of the question; ARGV: player, seq. Takes an answer back unless
# its question is sealed already (then it is scored): 1 taken back, 0 kept.
RETRACT = """
local raw = redis.call('get', KEYS[1])
if raw then
  local gate = cjson.decode(raw)
  if gate['seq'] == tonumber(ARGV[2]) and gate['phase'] == 'sealed' then return 0 end
end
return redis.call('hdel', KEYS[2], ARGV[1])
"""
# KEYS: gate, answers of the question; ARGV: seq. Closes the gate, returns the answers.
SEAL = """
local raw = redis.call('get', KEYS[1])
if raw then
  local gate = cjson.decode(raw)
  if gate['seq'] == tonumber(ARGV[1]) then
    gate['phase'] = 'sealed'
    redis.call('set', KEYS[1], cjson.encode(gate), 'KEEPTTL')
  end
end
return redis.call('hvals', KEYS[2])
"""

# KEYS: room, names (player → name), claimed names (comparable name → player);
# ARGV: player, name, comparable name, TTL. The name the room knows the player by,
# else the name asked for if no other player claimed it first ('' if one did);
# nil when the store does not hold the room.
CLAIM_NAME = """
if redis.call('exists', KEYS[1]) == 0 then return false end
local known = redis.call('hget', KEYS[2], ARGV[1])
if known then return known end
if ARGV[3] == '' then return '' end
redis.call('hsetnx', KEYS[3], ARGV[3], ARGV[1])
redis.call('expire', KEYS[3], tonumber(ARGV[4]))
if redis.call('hget', KEYS[3], ARGV[3]) == ARGV[1] then return ARGV[2] end
return ''
"""


class RoomNotStored(LookupError):
    """The store does not hold the room (it lost it): rebuild it and ask again."""


def comparable(name: str) -> str:
    """A name as people tell names apart: no spaces, no case."""
    return "".join(name.split()).casefold()


class StaleRoom(Exception):
    """A room write refused: the stored room is no longer the one the step began
    from, so another worker changed it meanwhile (this one's room lock was lost)."""


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _answer_key(answer: engine.Answer) -> str:
    return f"{answer.seq}:{answer.player}"


class MemoryStore:
    def __init__(self):
        self.rooms: dict[str, engine.Room] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.pending: dict[str, dict[str, engine.Answer]] = {}  # pin → "seq:player" → answer
        self.sealed: dict[str, int] = {}  # pin → the last sealed question
        self.arrived: dict[str, list[list]] = {}  # pin → events recorded, not yet applied
        self.names: dict[str, dict[str, str]] = {}  # pin → comparable name → its player

    async def get(self, pin: str, known: engine.Room | None = None) -> engine.Room | None:
        return self.rooms.get(pin)

    async def put(self, pin: str, room: engine.Room, before: engine.Room | None = None) -> None:
        """Compare-and-set, as in ``RedisStore.put``. (No await inside: atomic.)"""
        stored = self.rooms.get(pin)
        if stored is not None and stored.version != (None if before is None else before.version):
            raise StaleRoom(pin)
        self.rooms[pin] = room

    async def gate(self, pin: str) -> dict | None:
        room = self.rooms.get(pin)
        return games.game_of(room).gate(room) if room is not None else None

    async def accept(self, pin: str, answer: engine.Answer, gate: dict) -> str | None:
        """None when ``answer`` is the player's first for the open question and in
        time; otherwise the reason it is refused — ``stale`` when the question's
        deadline is no longer the one of ``gate``, which the answer's elapsed time
        was computed against (a pause and resume, or a worker's cached gate: read
        it again and retry). (No await inside: atomic.)"""
        room = self.rooms.get(pin)
        if room is None or not games.game_of(room).answers_outside_lock:
            return "closed"
        player = room.players.get(answer.player)
        if player is None:
            return "invalid"
        if player.kicked:
            return "kicked"
        pending = self.pending.setdefault(pin, {})
        key = _answer_key(answer)
        if key in pending or key in room.answers:
            return "duplicate"
        if room.phase != engine.QUESTION or room.seq != answer.seq:
            return "closed"
        if self.sealed.get(pin) == answer.seq:
            return "closed"
        if gate["ends_at"] is not None and room.ends_at != gate["ends_at"]:
            return "stale"
        if room.ends_at is not None and answer.at > room.ends_at:
            return "late"
        pending[key] = answer
        return None

    async def retract(self, pin: str, answer: engine.Answer) -> bool:
        """Takes back an accepted answer that could not be made durable, unless its
        question is sealed already (then it is scored): whether it was taken back."""
        if self.sealed.get(pin) == answer.seq:
            return False
        return self.pending.get(pin, {}).pop(_answer_key(answer), None) is not None

    async def restore(self, pin: str, answers: dict[str, engine.Answer]) -> None:
        """Puts back the answers accepted (and stored) for the open question."""
        self.pending.setdefault(pin, {}).update(answers)

    async def lost(self) -> bool:
        """Whether the store lost its data since the last call (memory: never)."""
        return False

    async def answers(self, pin: str, seq: int) -> dict[str, engine.Answer]:
        return {k: a for k, a in self.pending.get(pin, {}).items() if a.seq == seq}

    async def answer_count(self, pin: str, seq: int) -> int:
        return len(await self.answers(pin, seq))

    async def seal(self, pin: str, seq: int) -> dict[str, engine.Answer]:
        """No more answers to question ``seq``; returns all it accepted."""
        self.sealed[pin] = seq
        return await self.answers(pin, seq)

    async def view(self, pin: str, player: str | None) -> tuple[dict, dict | None, int] | None:
        """What a (re)connecting socket is shown: ``(engine.room_meta, the
        player's you, the open question's answer count)``."""
        room = self.rooms.get(pin)
        if room is None or games.game_of(room).meta(room) is None:
            return None
        room = engine.with_answers(room, await self.answers(pin, room.seq))
        meta = engine.room_meta(room)
        you = None
        known = room.players.get(player) if player is not None else None
        if known is not None and not known.kicked:
            answered = f"{room.seq}:{player}" in room.answers
            you = engine.you_entry(
                known.name, room.board.get(player), meta["rank_of_zero"], answered
            )
        return meta, you, engine.answered_count(room)

    async def meta(self, pin: str) -> dict | None:
        """The room's public state (``Game.meta``), or None."""
        room = self.rooms.get(pin)
        return games.game_of(room).meta(room) if room is not None else None

    async def is_player(self, pin: str, player: str) -> bool:
        """Whether ``player`` is in the room (and not kicked)."""
        room = self.rooms.get(pin)
        known = room.players.get(player) if room is not None else None
        return known is not None and not known.kicked

    async def claim_name(self, pin: str, player: str, name: str) -> str | None:
        """The name ``player`` joins under: the one the room knows it by, else
        ``name`` if no other player claimed a ``comparable`` one (it is the
        player's from now on), else None. Raises ``RoomNotStored``. (No await
        inside: atomic.)"""
        room = self.rooms.get(pin)
        if room is None:
            raise RoomNotStored(pin)
        if (known := room.players.get(player)) is not None:
            return known.name
        key = comparable(name)
        holder = self.names.setdefault(pin, {}).setdefault(key, player) if key else None
        return name if holder == player else None

    async def claim_names(self, pin: str, players) -> None:
        """Claims each player's name (where no other player has it): for a rebuilt room."""
        names = self.names.setdefault(pin, {})
        for player in players:
            names.setdefault(comparable(player.name), player.id)

    async def record(self, pin: str, item: list) -> None:
        """Records an arrived event ``[kind, now, …]`` (JSON data) for ``take``."""
        self.arrived.setdefault(pin, []).append(item)

    async def take(self, pin: str) -> list[list]:
        """The events recorded since the last call, earliest first (by server time)."""
        return sorted(self.arrived.pop(pin, []), key=lambda item: item[1])

    async def drop_answers(self, pin: str, seq: int) -> None:
        pending = self.pending.get(pin, {})
        for key in [k for k, a in pending.items() if a.seq == seq]:
            del pending[key]

    @contextlib.asynccontextmanager
    async def locked(self, pin: str):
        async with self.locks.setdefault(pin, asyncio.Lock()):
            yield

    async def clear(self) -> None:
        self.rooms.clear()
        self.locks.clear()
        self.pending.clear()
        self.sealed.clear()
        self.arrived.clear()
        self.names.clear()


class RedisStore:
    def __init__(self, url: str, prefix: str = "jiangtang:room"):
        from redis import asyncio as aioredis

        from backend.common.redis_options import retrying

        # A connect storm makes hundreds of calls at once: wait for a pooled
        # connection rather than be refused one. After a Redis restart each
        # command reconnects and tries again.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=100, timeout=20, **retrying()
        )
        self.redis = aioredis.Redis(connection_pool=pool)
        self.prefix = prefix
        self.local_locks: dict[str, asyncio.Lock] = {}
        self.release = self.redis.register_script(RELEASE)
        self.extend = self.redis.register_script(EXTEND)
        self.put_script = self.redis.register_script(PUT)
        self.get_script = self.redis.register_script(GET)
        self.accept_script = self.redis.register_script(ACCEPT)
        self.seal_script = self.redis.register_script(SEAL)
        self.retract_script = self.redis.register_script(RETRACT)
        self.claim_name_script = self.redis.register_script(CLAIM_NAME)
        self.marker = f"{prefix}:alive:{secrets.token_hex(8)}"
        self.marked = False

    def _key(self, pin: str, *parts) -> str:
        return ":".join([self.prefix, pin, *map(str, parts)])

    async def get(self, pin: str, known: engine.Room | None = None) -> engine.Room | None:
        """The stored room; ``known``, a room the caller read or wrote, is given
        back as it is while the stored version is still its own: a worker that
        applies a room's steps one after another neither transfers nor parses the
        room each time (0.2 MB of JSON at 2,000 players)."""
        if known is None:
            raw = await self.redis.get(self._key(pin))
        else:
            keys = [self._key(pin, "version"), self._key(pin)]
            raw = await self.get_script(keys=keys, args=[known.version])
            if raw == 1:
                return known
        return games.room_from_dict(json.loads(raw)) if raw else None

    async def put(self, pin: str, room: engine.Room, before: engine.Room | None = None) -> None:
        """Writes the room if the stored one is still ``before`` (by version), or
        none is stored; else raises ``StaleRoom`` and writes nothing. So a step
        whose lock was lost cannot overwrite what another worker applied meanwhile.
        A store that lost the room takes the write: the step was saved to the
        database first, so the room written is the record's latest.

        With the room go its answer gate and public state (``engine.room_meta``),
        the players that changed since ``before`` (1: may answer, 0: kicked; and
        their names), and the board when it changed: a sorted set of the players by
        score (then right answers), which gives a player's rank with ties shared,
        and a hash of their [score, correct, answered, streak]. One script (``PUT``) checks
        the version and writes it all: one round trip. The room is written as its
        game's ``snapshot``: a classic room without the answers of its closed
        questions (the database holds them; the board their running totals), so
        that a step reads and writes the players' size, not every answer so far."""
        changed = [
            player
            for player in room.players.values()
            if before is None or before.players.get(player.id) != player
        ]
        game = games.game_of(room)
        meta = game.meta(room)
        gate = game.gate(room)
        board = ""
        if meta is not None and (before is None or room.board is not before.board):
            entries = room.board.items()
            board = _dumps(
                [
                    [x for pid, e in entries for x in (str(engine.board_key(e[0], e[1])), pid)],
                    [x for pid, e in entries for x in (pid, _dumps([*e[:3], e[4]]))],
                ]
            )
        parts = ["gate", "meta", "players", "names", "board", "rows"]
        written = await self.put_script(
            keys=[self._key(pin, "version"), self._key(pin), *(self._key(pin, p) for p in parts)],
            args=[
                "" if before is None else before.version,
                room.version,
                ROOM_TTL_SECONDS,
                _dumps(game.snapshot(room)),
                "" if gate is None else _dumps(gate),
                "" if meta is None else _dumps(meta),
                _dumps([x for p in changed for x in (p.id, "0" if p.kicked else "1")]),
                _dumps([x for p in changed for x in (p.id, p.name)]),
                board,
            ],
        )
        if not written:
            raise StaleRoom(pin)

    async def view(self, pin: str, player: str | None) -> tuple[dict, dict | None, int] | None:
        """What a (re)connecting socket is shown, without loading the room: the
        public state, the player's row and rank from the board (``ZCOUNT`` of the
        better scores), whether the player answered the open question, and how
        many did."""
        raw = await self.redis.get(self._key(pin, "meta"))
        if raw is None:
            return None
        meta = json.loads(raw)
        answers = self._key(pin, "answers", meta["seq"])
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(self._key(pin, "players"), player or "")
            pipe.hget(self._key(pin, "names"), player or "")
            pipe.hget(self._key(pin, "rows"), player or "")
            pipe.hexists(answers, player or "")
            pipe.hlen(answers)
            pipe.zcount(self._key(pin, "board"), "(0", "+inf")
            active, name, row, answered, count, above_zero = await pipe.execute()
        you = None
        if player is not None and active == b"1":
            entry = None
            if row is not None:
                score, correct, done, *streak = json.loads(row)  # streak: absent before
                better = f"({engine.board_key(score, correct)}"
                rank = await self.redis.zcount(self._key(pin, "board"), better, "+inf") + 1
                entry = [score, correct, done, rank, streak[0] if streak else 0]
            you = engine.you_entry(name.decode(), entry, above_zero + 1, bool(answered))
        return meta, you, count

    async def meta(self, pin: str) -> dict | None:
        raw = await self.redis.get(self._key(pin, "meta"))
        return json.loads(raw) if raw else None

    async def is_player(self, pin: str, player: str) -> bool:
        return await self.redis.hget(self._key(pin, "players"), player) == b"1"

    async def gate(self, pin: str) -> dict | None:
        raw = await self.redis.get(self._key(pin, "gate"))
        return json.loads(raw) if raw else None

    async def accept(self, pin: str, answer: engine.Answer, gate: dict) -> str | None:
        deadline = "" if gate["ends_at"] is None else gate["ends_at"]
        result = await self.accept_script(
            keys=[
                self._key(pin, "gate"),
                self._key(pin, "players"),
                self._key(pin, "answers", answer.seq),
            ],
            args=[
                answer.player, answer.seq, answer.at, _dumps(vars(answer)), ROOM_TTL_SECONDS,
                deadline,
            ],
        )  # fmt: skip
        result = result.decode() if isinstance(result, bytes) else result
        return None if result == "ok" else result

    @staticmethod
    def _answers(values) -> dict[str, engine.Answer]:
        answers = (engine.Answer(**json.loads(raw)) for raw in values)
        return {_answer_key(a): a for a in answers}

    async def answers(self, pin: str, seq: int) -> dict[str, engine.Answer]:
        return self._answers(await self.redis.hvals(self._key(pin, "answers", seq)))

    async def answer_count(self, pin: str, seq: int) -> int:
        return await self.redis.hlen(self._key(pin, "answers", seq))

    async def retract(self, pin: str, answer: engine.Answer) -> bool:
        keys = [self._key(pin, "gate"), self._key(pin, "answers", answer.seq)]
        return bool(await self.retract_script(keys=keys, args=[answer.player, answer.seq]))

    async def restore(self, pin: str, answers: dict[str, engine.Answer]) -> None:
        by_seq: dict[int, dict] = {}
        for answer in answers.values():
            by_seq.setdefault(answer.seq, {})[answer.player] = _dumps(vars(answer))
        for seq, mapping in by_seq.items():
            key = self._key(pin, "answers", seq)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping=mapping)
                pipe.expire(key, ROOM_TTL_SECONDS)
                await pipe.execute()

    async def lost(self) -> bool:
        """Whether Redis lost its data since the last call (a restart without
        persistence, a flush): this store's own marker key is gone. The first
        call only sets it."""
        old = await self.redis.set(self.marker, "1", ex=ROOM_TTL_SECONDS, get=True)
        first, self.marked = not self.marked, True
        return old is None and not first

    async def seal(self, pin: str, seq: int) -> dict[str, engine.Answer]:
        keys = [self._key(pin, "gate"), self._key(pin, "answers", seq)]
        return self._answers(await self.seal_script(keys=keys, args=[seq]))

    async def claim_name(self, pin: str, player: str, name: str) -> str | None:
        """As ``MemoryStore.claim_name``: the room's ``names`` hash says whom it
        knows, the ``claimed`` hash who has which name."""
        keys = [self._key(pin), self._key(pin, "names"), self._key(pin, "claimed")]
        args = [player, name, comparable(name), ROOM_TTL_SECONDS]
        result = await self.claim_name_script(keys=keys, args=args)
        if result is None:
            raise RoomNotStored(pin)
        return result.decode() or None

    async def claim_names(self, pin: str, players) -> None:
        key = self._key(pin, "claimed")
        async with self.redis.pipeline(transaction=True) as pipe:
            for player in players:
                pipe.hsetnx(key, comparable(player.name), player.id)
            pipe.expire(key, ROOM_TTL_SECONDS)
            await pipe.execute()

    async def record(self, pin: str, item: list) -> None:
        key = self._key(pin, "arrived")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, _dumps(item))
            pipe.expire(key, ROOM_TTL_SECONDS)
            await pipe.execute()

    async def take(self, pin: str) -> list[list]:
        """The events recorded since the last call (on any worker), earliest first."""
        key = self._key(pin, "arrived")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            raw, _deleted = await pipe.execute()
        return sorted((json.loads(item) for item in raw), key=lambda item: item[1])

    async def drop_answers(self, pin: str, seq: int) -> None:
        await self.redis.delete(self._key(pin, "answers", seq))

    @contextlib.asynccontextmanager
    async def locked(self, pin: str):
        """A lock across workers (SET NX with a token, released only by its holder;
        it expires by itself if the holder dies). A worker's own callers queue on a
        local lock first, so only one of them at a time polls Redis."""
        async with self.local_locks.setdefault(pin, asyncio.Lock()):
            key, token = self._key(pin, "lock"), secrets.token_hex(8)
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while not await self.redis.set(key, token, nx=True, px=LOCK_MS):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"room {pin} is locked")
                await asyncio.sleep(0.002)
            keeper = asyncio.create_task(self._keep(pin, key, token))
            try:
                yield
            finally:
                keeper.cancel()
                await self.release(keys=[key], args=[token])

    async def _keep(self, pin: str, key: str, token: str) -> None:
        """While a step runs under the lock (a slow database write included), the
        lock is extended every third of its life, so it cannot expire under the
        step and let another worker change the room at once. Should it be lost
        all the same, the step's ``put`` is refused (``StaleRoom``)."""
        while True:
            await asyncio.sleep(LOCK_MS / 3000)
            try:
                if not await self.extend(keys=[key], args=[token, LOCK_MS]):
                    logger.error("room %s: the lock was lost while a step ran", pin)
                    return
            except Exception:  # Redis away: the step fails on its own next call
                logger.warning("room %s: the lock could not be extended", pin, exc_info=True)

    async def clear(self) -> None:
        await self.redis.aclose()


def make_store():
    return RedisStore(settings.REDIS_URL) if settings.REDIS_URL else MemoryStore()
