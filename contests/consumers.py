"""
The contest socket: thin. It authenticates (session or token, Origin already
checked), decides the role, validates each message against the catalogue,
limits size and rate, and hands events to the runtime.
"""

import functools
import json
import re
import time
import unicodedata
from urllib.parse import parse_qs

import jsonschema
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from backend.accounts import scope

from . import engine, protocol, services, stage
from .runtime import now_ms, runtime

MAX_FRAME = 2048
RATE = 20  # messages per RATE_WINDOW seconds
RATE_WINDOW = 10
RECHECK_SECONDS = 10  # a fallback: a deactivation also drops the member at once (signals.py)
GUEST_TOKEN = re.compile(r"^[0-9a-f]{16,64}$")
HOST_COMMANDS = {
    "start", "next", "close", "pause", "resume", "end", "kick", "lock", "void", "rescore",
    "open_buzzer", "judge", "correct", "tiebreak", "captain",
}  # fmt: skip


@functools.cache
def _validator(kind: str):
    """A message type's schema, checked and compiled once (``KeyError``: no such type)."""
    schema = protocol.client_schema(kind)
    return jsonschema.validators.validator_for(schema)(schema)


@database_sync_to_async
def _still_active(user) -> bool:
    user.refresh_from_db(fields=["is_active"])
    return user.is_active


@database_sync_to_async
def _stage_team(contest, user, requested: str) -> str | None:
    return services.stage_team_for(contest, user, requested)


@database_sync_to_async
def _team_of(user) -> str | None:
    return user.branch.name if user.branch_id else None


def clean_nickname(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return value.strip()[:20]


class ContestConsumer(AsyncWebsocketConsumer):
    #: the process's runtime; a test may mount a second one (another "worker")
    runtime = runtime
    #: Frames come from the worker's runtime (``Runtime.deliver``), not each socket
    #: from the channel layer: no channel, group or receive loop per socket.
    channel_layer_alias = None

    def __init__(self, *args, runtime=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.attached = False
        if runtime is not None:
            self.runtime = runtime

    async def dispatch(self, message):
        """As Channels' own, without its ``aclose_old_connections`` before every
        message: that is a hop to the one shared sync thread per message (hundreds
        of players answering at once queue behind each other there). This consumer
        reaches the database only through ``database_sync_to_async``, which closes
        stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.pin = self.scope["url_route"]["kwargs"]["pin"]
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.role = (query.get("role") or ["player"])[0]
        self.guest_token = (query.get("guest") or [""])[0]
        self.user = self.scope.get("user")
        self.player = None
        self.sent_at: list[float] = []
        self.checked_at = time.monotonic()
        await self.accept()
        contest = await self.runtime.contest(self.pin)
        if contest is None:
            return await self.refuse("not_found", "没有这个竞赛，请检查 PIN。")
        signed_in = bool(self.user and self.user.is_authenticated)
        if self.role == "host":
            allowed = signed_in and (
                self.user.pk == contest.host_id or scope.is_city_admin(self.user)
            )
        elif self.role == "screen":
            allowed = signed_in and (
                self.user.pk == contest.host_id or scope.can_use_admin(self.user)
            )
        elif self.role == "player":
            allowed = signed_in or (contest.allow_guests and GUEST_TOKEN.match(self.guest_token))
        else:
            allowed = False
        if not allowed:
            return await self.refuse("forbidden", "你不能以这个身份进入本场竞赛。")
        if self.role == "player":
            self.player = f"u{self.user.pk}" if signed_in else f"g-{self.guest_token}"
        await self.runtime.attach(self.pin, self)
        self.attached = True
        snapshot = await self.runtime.snapshot(self.pin, player=self.player, role=self.role)
        await self.send(text_data=json.dumps(snapshot, ensure_ascii=False))

    async def disconnect(self, code):
        if self.attached:
            self.runtime.detach(self.pin, self)

    async def refuse(self, code: str, message: str) -> None:
        await self.send(text_data=json.dumps(engine.error(code, message), ensure_ascii=False))
        await self.close(code=4403)

    async def error(self, code: str, message: str) -> None:
        await self.send(text_data=json.dumps(engine.error(code, message), ensure_ascii=False))

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME:
            return await self.error("too_large", "消息过大。")
        now = time.monotonic()
        self.sent_at = [t for t in self.sent_at if now - t < RATE_WINDOW] + [now]
        if len(self.sent_at) > RATE:
            return await self.error("rate_limited", "操作过于频繁，请稍候。")
        if self.user and self.user.is_authenticated and now - self.checked_at > RECHECK_SECONDS:
            self.checked_at = now
            if not await _still_active(self.user):
                return await self.refuse("inactive", "账号已停用。")
        try:
            message = json.loads(text_data)
            kind = message["type"]
            _validator(kind).validate(message)
        except (ValueError, KeyError, TypeError, jsonschema.ValidationError):
            return await self.error("invalid", "消息格式不正确。")
        if (kind in HOST_COMMANDS) != (self.role == "host") or self.role == "screen":
            return await self.error("forbidden", "当前身份不能执行这个操作。")
        if kind == "join" and (again := await self.runtime.rejoin(self.pin, self.player)):
            return await self.send(text_data=json.dumps(again, ensure_ascii=False))
        event = await self.event_for(kind, message)
        if isinstance(event, stage.Buzz):
            await self.runtime.buzz(self.pin, event)
        elif isinstance(event, engine.Join):
            await self.runtime.join(self.pin, event)
        elif isinstance(event, engine.SubmitAnswer):
            ack = await self.runtime.answer(self.pin, event)
            if ack is not None:
                await self.send(text_data=json.dumps(ack, ensure_ascii=False))
        elif event is not None:
            await self.runtime.apply(self.pin, event)

    async def join_event(self, now: int, message: dict) -> engine.Join | None:
        """A member joins under the own name (and branch); a guest with a nickname
        that is free, or as the player the room knows from before. On stage the
        team is the own branch's, or the ad-hoc team asked for (else a spectator)."""
        signed_in = bool(self.user and self.user.is_authenticated)
        contest = await self.runtime.contest(self.pin)
        if signed_in:
            name = self.user.display_name or self.user.username
        elif self.player in (room := await self.runtime.room(self.pin)).players:
            name = room.players[self.player].name
        else:
            name = clean_nickname(message.get("nickname", ""))
            if not name or name in {p.name for p in room.players.values()}:
                await self.error("nickname", "请换一个昵称（不能为空或与他人重复）。")
                return None
        if contest.format == "stage":
            user = self.user if signed_in else None
            team = await _stage_team(contest, user, message.get("team", ""))
        else:
            team = await _team_of(self.user) if signed_in else None
        return engine.Join(now, self.player, name, team, guest=not signed_in)

    async def event_for(self, kind: str, message: dict) -> engine.Event | None:
        now = now_ms()
        if kind == "join":
            return await self.join_event(now, message)
        if kind == "answer":
            response = {k: message[k] for k in ("choices", "text", "blanks") if k in message}
            return engine.SubmitAnswer(now, self.player, message["seq"], response)
        if kind == "buzz":
            return stage.Buzz(now, self.player, message["seq"])
        if kind == "stake":
            return stage.Stake(now, self.player, message["seq"], message["points"])
        simple = {
            "start": engine.Start,
            "next": engine.Next,
            "close": engine.Close,
            "pause": engine.Pause,
            "resume": engine.Resume,
            "end": engine.End,
            "open_buzzer": stage.OpenBuzzer,
            "tiebreak": stage.TieBreak,
        }
        if kind in simple:
            return simple[kind](now)
        if kind == "kick":
            return engine.Kick(now, message["player"])
        if kind == "lock":
            return engine.Lock(now, message["locked"])
        if kind == "void":
            return engine.Void(now, message["seq"])
        if kind == "judge":
            return stage.Judge(now, message["result"])
        if kind == "correct":
            return stage.Correct(now, message["entry"], message["result"])
        if kind == "captain":
            return stage.SetCaptain(now, message["team"], message["player"])
        return engine.Rescore(now, message["seq"], message["correct"])
