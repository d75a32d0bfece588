"""
The contest socket: thin. It authenticates (session or token, Origin already
checked), decides the role, validates each message against the catalogue,
limits size and rate, and hands events to the runtime.
"""

import functools
import json
import logging
import re
import time
import unicodedata
from urllib.parse import parse_qs

import jsonschema
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from backend.accounts.models import User

from . import engine, protocol, services, stage, texts
from .outbox import Outbox
from .runtime import now_ms, runtime

logger = logging.getLogger(__name__)

MAX_FRAME = 2048
RATE = 20  # messages per RATE_WINDOW seconds
RATE_WINDOW = 10
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
def _stage_team(contest, user, requested: str) -> str | None:
    return services.stage_team_for(contest, user, requested)


@database_sync_to_async
def _branch_name(user) -> str:
    return user.branch.name


async def _team_of(user) -> str | None:
    """A member's team in a classic room: the branch. A token's sign-in loads it
    with the user (``token_check``), so a phone's join makes no query for it."""
    if not user.branch_id:
        return None
    if User.branch.is_cached(user):
        return user.branch.name
    return await _branch_name(user)  # a browser's session loads the user alone


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
        #: Every frame to this socket — the runtime's broadcasts, the ``state`` on
        #: connect, acks, errors, the close — is queued here and written by one
        #: writer, so they leave in the order they were sent and a slow phone holds
        #: up nobody but itself (``contests.outbox``).
        self.outbox = Outbox(self._write, self._shut)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # however the connection ends (a crash too), its writer ends with it
            self.outbox.discard()

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
        await self.accept()
        contest = await self.runtime.contest(self.pin)
        if contest is None:
            return await self.refuse("not_found")
        signed_in = bool(self.user and self.user.is_authenticated)
        if signed_in and self.user.must_change_password:
            return await self.refuse("password_change_required")
        if self.role in ("host", "screen"):  # the same rule as the console and screen pages
            allowed = services.can_run(self.user, contest)
        elif self.role == "player":
            allowed = signed_in or (contest.allow_guests and GUEST_TOKEN.match(self.guest_token))
        else:
            allowed = False
        if not allowed:
            return await self.refuse("forbidden")
        if self.role == "player":
            self.player = f"u{self.user.pk}" if signed_in else f"g-{self.guest_token}"
        await self.runtime.attach(self.pin, self)
        self.attached = True
        snapshot = await self.runtime.snapshot(self.pin, player=self.player, role=self.role)
        await self.send_json(snapshot)

    async def disconnect(self, code):
        self.outbox.discard()  # what is queued can no longer be written; the writer ends
        if self.attached:
            self.runtime.detach(self.pin, self)

    async def refuse(self, code: str, reason: str | None = None) -> None:
        await self.error(code, reason)
        await self.close(code=protocol.CLOSE_REFUSED)

    async def error(self, code: str, reason: str | None = None) -> None:
        await self.send_json(engine.error(code, reason=reason) if reason else engine.error(code))

    async def send_json(self, message: dict) -> None:
        await self.send(text_data=json.dumps(texts.localise(message), ensure_ascii=False))

    # --- the send path: through the outbox ------------------------------------------------

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Queues a text frame (returns at once; a full queue drops the socket)."""
        if text_data is None:
            raise ValueError("contest sockets send text frames")
        self.outbox.put(text_data)
        if close:
            await self.close(close)

    async def close(self, code=None, reason=None):
        """Closes after the frames queued so far (an ``error`` before its close)."""
        self.outbox.close(code, reason)

    async def _write(self, text: str) -> None:
        """The outbox's writer: one frame to the server, which may wait for the
        client — straight to the server's ``send`` where the stack passed it
        (``backend.common.ws_flow.DirectSend``)."""
        send = self.scope.get("direct_send", self.base_send)
        await send({"type": "websocket.send", "text": text})

    async def _shut(self, code=None, reason=None) -> None:
        await super().close(code, reason)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME:
            return await self.error("too_large")
        now = time.monotonic()
        self.sent_at = [t for t in self.sent_at if now - t < RATE_WINDOW] + [now]
        if len(self.sent_at) > RATE:
            return await self.error("rate_limited")
        try:
            message = json.loads(text_data)
            kind = message["type"]
            _validator(kind).validate(message)
        except (ValueError, KeyError, TypeError, jsonschema.ValidationError):
            return await self.error("invalid")
        if (kind in HOST_COMMANDS) != (self.role == "host") or self.role == "screen":
            return await self.error("forbidden", "action")
        try:
            await self.handle(kind, message)
        except Exception:
            # Redis or the database away for a moment: say so, keep the socket (the
            # runtime tells every socket when it is back, with a fresh state).
            logger.warning("contest %s: a %s could not be handled", self.pin, kind, exc_info=True)
            if kind == "answer":
                ack = {"type": "answer_ack", "seq": message["seq"], "accepted": False}
                await self.send_json({**ack, "reason": "unavailable"})
            else:
                await self.error("unavailable")

    async def handle(self, kind: str, message: dict) -> None:
        if kind == "join" and (again := await self.runtime.rejoin(self.pin, self.player)):
            return await self.send_json(again)
        event = await self.event_for(kind, message)
        if isinstance(event, stage.Buzz):
            await self.runtime.buzz(self.pin, event)
        elif isinstance(event, engine.Join):
            await self.runtime.join(self.pin, event)
        elif isinstance(event, engine.SubmitAnswer):
            ack = await self.runtime.answer(self.pin, event)
            if ack is not None:
                await self.send_json(ack)
        elif event is not None:
            await self.runtime.apply(self.pin, event)

    async def join_event(self, now: int, message: dict) -> engine.Join | None:
        """A member joins under the own name (and branch), which no guest may take
        then; a guest with a nickname that is free, or as the player the room
        knows from before. On stage the team is the own branch's, or the ad-hoc
        team asked for (else a spectator)."""
        signed_in = bool(self.user and self.user.is_authenticated)
        contest = await self.runtime.contest(self.pin)
        if signed_in:
            name = self.user.display_name or self.user.username
            await self.runtime.claim_name(self.pin, self.player, name)
        else:
            nickname = clean_nickname(message.get("nickname", ""))
            name = await self.runtime.claim_name(self.pin, self.player, nickname)
            if name is None:
                await self.error("nickname")
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
