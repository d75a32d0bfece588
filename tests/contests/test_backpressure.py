"""Backpressure: a phone that stops reading delays no other socket of its room and
cannot grow the worker's memory without bound. Each socket's frames wait in its
own bounded outbox (``contests.outbox``); a socket that falls too far behind is
closed with ``CLOSE_TOO_SLOW`` and comes back, on reconnect, to the full state.

The room's questions are long (200,000 characters), so that a few host commands
take a stalled socket past the real limit (``MAX_CHARS``); on Daphne the
kernel's and Twisted's buffers take a few more first.
First in process (a socket whose ``send`` never completes, as a server that
waits for the client makes it), then on a real Daphne server with a raw TCP
client that stops reading."""

import asyncio
import base64
import json
import os
import socket as sockets_module
import struct
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role
from backend.asgi import application
from contests import outbox as outbox_module
from contests import protocol, services
from contests.outbox import Outbox
from contests.runtime import runtime

from ..browser.conftest import ARTIFACTS, daphne_server, uvicorn_server  # noqa: F401 (fixtures)
from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .conftest import receive, send_json_to

LONG = 200_000  # characters in each question: five frames of it fill a stalled outbox
PROMPT = 2.0  # seconds: the bound for a frame to reach the sockets that read


def _long_question_room():
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    host = make_user(Role.SECRETARY, branch=branch, username="secretary")
    bank = make_bank()
    body = "学习贯彻党的二十大精神，" * (LONG // 12 + 1)
    # The long text is an option's: a stem is indexed (500 characters at most).
    options = [body, "乙", "丙", "丁"]
    questions = [make_question(bank, "single", options=options) for _ in range(3)]
    contest = services.contest_create(
        host=host, quiz=make_quiz(questions), allow_guests=True, seconds_per_question=300
    )
    return contest, Token.objects.create(user=host).key


long_question_room = database_sync_to_async(_long_question_room)


class Stall:
    """The ASGI app, with a switch: once ``on`` is set, this connection's frames
    never reach the client (its ``send`` waits forever, as a server's does for a
    client that stopped reading). A close still goes out."""

    def __init__(self, app):
        self.app = app
        self.on = False
        self.stuck = 0

    async def __call__(self, scope, receive, send):
        async def send_or_hang(message):
            if self.on and message["type"] == "websocket.send":
                self.stuck += 1
                await asyncio.Event().wait()
            await send(message)

        await self.app(scope, receive, send_or_hang)


async def close_code(socket, timeout=PROMPT):
    """The code the server closed ``socket`` with (after the frames before it)."""
    while True:
        output = await socket.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


def consumer_of(pin, player):
    (consumer,) = [s for s in runtime.sockets[pin] if s.player == player]
    return consumer


def writers_left():
    return [t for t in asyncio.all_tasks() if "Outbox." in t.get_coro().__qualname__]


async def enter(open_socket, app, pin, guest, nickname):
    socket = await open_socket(app, pin, guest=guest)
    await receive(socket, "state")
    await send_json_to(socket, {"type": "join", "nickname": nickname})
    await receive(socket, "state")
    return socket


async def until_dropped(host, readers, stalled, first):
    """Pauses and resumes the open question until the stalled socket is closed;
    after each command every reading socket has the frame within ``PROMPT``.
    Returns the close code and how many commands it took."""
    kind = first
    for command in range(1, 16):  # the host may send 20 messages in 10 seconds
        await send_json_to(host, {"type": kind})
        wanted = "state" if kind == "pause" else "question"
        started = time.monotonic()
        await asyncio.gather(*(receive(s, wanted, timeout=PROMPT) for s in readers))
        assert time.monotonic() - started < PROMPT
        kind = "resume" if kind == "pause" else "pause"
        if not await stalled.receive_nothing(timeout=0.01):
            return await close_code(stalled), command
    raise AssertionError("the stalled socket was never dropped")


@pytest.mark.django_db(transaction=True)
async def test_a_stalled_phone_delays_no_one_and_is_dropped_when_too_far_behind(open_socket):
    # given a room: the host, three players who read, and one whose phone stalls
    contest, host_token = await long_question_room()
    host = await open_socket(application, contest.pin, host_token, role="host")
    await receive(host, "state")
    readers = [
        await enter(open_socket, application, contest.pin, f"{n:032x}", f"访客{n}")
        for n in range(1, 4)
    ]
    stall = Stall(application)
    stalled = await enter(open_socket, stall, contest.pin, "f" * 32, "卡住的手机")
    consumer = consumer_of(contest.pin, "g-" + "f" * 32)
    stall.on = True

    # when the game goes on, the others get every frame at once while the stalled
    # socket's writer waits on its first frame and its outbox fills up
    await send_json_to(host, {"type": "start"})
    started = time.monotonic()
    for socket in readers:
        question = await receive(socket, "question", timeout=PROMPT)
        assert len(question["options"][0]["text"]) >= LONG
    assert time.monotonic() - started < PROMPT
    assert stall.stuck == 1 and len(consumer.outbox) == 0  # the question is being written
    code, commands = await until_dropped(host, readers, stalled, "pause")

    # then it is closed as too slow once its queue is full, its frames are gone,
    # and the worker holds nothing for it any more
    assert code == protocol.CLOSE_TOO_SLOW
    assert commands >= outbox_module.MAX_CHARS // (LONG + 1000)  # not before the queue was full
    assert stall.stuck == 1  # it never got past the first frame
    assert consumer not in runtime.sockets[contest.pin]
    assert (len(consumer.outbox), consumer.outbox.chars) == (0, 0)
    await asyncio.sleep(0)
    assert not consumer.outbox.busy
    # the room goes on for the others
    await send_json_to(host, {"type": "close"})
    for socket in readers:
        await receive(socket, "reveal", timeout=PROMPT)
    # and once every socket is gone, no writer is left
    for socket in [host, *readers, stalled]:
        await socket.disconnect()
    await asyncio.sleep(0)
    assert writers_left() == []


@pytest.mark.django_db(transaction=True)
async def test_a_player_dropped_as_too_slow_comes_back_to_the_full_state(open_socket):
    # given a player who answered the open question, then stalled and was dropped
    contest, host_token = await long_question_room()
    host = await open_socket(application, contest.pin, host_token, role="host")
    await receive(host, "state")
    reader = await enter(open_socket, application, contest.pin, "1" * 32, "读得动")
    stall = Stall(application)
    guest = "e" * 32
    slow = await enter(open_socket, stall, contest.pin, guest, "慢手机")
    await send_json_to(host, {"type": "start"})
    question = await receive(slow, "question")
    await send_json_to(slow, {"type": "answer", "seq": 1, "choices": ["B"]})
    ack = await receive(slow, "answer_ack")
    assert ack["accepted"] is True
    stall.on = True
    code, _commands = await until_dropped(host, [reader], slow, "pause")
    assert code == protocol.CLOSE_TOO_SLOW
    await slow.disconnect()

    # when it reconnects (the page does so for any close but a refusal)
    back = await open_socket(application, contest.pin, guest=guest)
    state = await receive(back, "state")

    # then the state has what it missed, and its acknowledged answer still counts
    assert (state["seq"], state["question"]["text"]) == (1, question["text"])
    assert state["phase"] in ("question", "paused")
    assert state["you"]["name"] == "慢手机" and state["you"]["answered"] is True
    await send_json_to(back, {"type": "join"})  # as the page does on every connect
    assert (await receive(back, "state"))["you"]["answered"] is True
    await send_json_to(host, {"type": "close"})
    reveal = await receive(back, "reveal")
    assert reveal["you"]["correct"] is True and reveal["you"]["points"] > 0
    board = await receive(back, "scoreboard")
    assert board["top"][0]["name"] == "慢手机"


# --- the outbox itself ------------------------------------------------------------------------


class Wire:
    """What an outbox's connection saw; ``hold`` keeps ``send`` from completing."""

    def __init__(self):
        self.sent: list = []
        self.hold = asyncio.Event()
        self.hold.set()

    async def send(self, text):
        await self.hold.wait()
        self.sent.append(text)

    async def close(self, *how):
        self.sent.append(("close", *how))


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


async def test_frames_and_an_ordered_close_leave_in_order():
    wire = Wire()
    outbox = Outbox(wire.send, wire.close)
    assert outbox.put("a") and outbox.put("b")
    outbox.close(4403)
    assert not outbox.put("after the close")
    await settle()
    assert wire.sent == ["a", "b", ("close", 4403)]
    assert not outbox.busy  # the writer ended with the close


async def test_a_full_outbox_drops_its_frames_and_closes_at_once():
    wire = Wire()
    outbox = Outbox(wire.send, wire.close)
    wire.hold.clear()  # the client stopped reading
    outbox.put("being written")
    await settle()
    for n in range(outbox_module.MAX_FRAMES):
        assert outbox.put(f"frame {n}")
    assert not outbox.put("one too many")
    await settle()
    assert wire.sent == [("close", protocol.CLOSE_TOO_SLOW)]
    assert (len(outbox), outbox.chars, outbox.busy) == (0, 0, False)
    assert not outbox.put("later")


async def test_a_frame_too_large_for_the_rest_of_the_budget_drops_the_socket():
    wire = Wire()
    outbox = Outbox(wire.send, wire.close)
    wire.hold.clear()
    outbox.put("x")
    await settle()
    assert outbox.put("y" * (outbox_module.MAX_CHARS - 10))
    assert not outbox.put("z" * 11)
    await settle()
    assert wire.sent == [("close", protocol.CLOSE_TOO_SLOW)]


async def test_a_frame_for_an_idle_connection_is_written_at_once_without_a_task():
    wire = Wire()
    outbox = Outbox(wire.send, wire.close)
    outbox.put("a")
    assert wire.sent == ["a"] and not outbox.busy  # no task, no wake-up: written
    wire.hold.clear()  # the client falls behind: the next send has to wait
    outbox.put("b")
    outbox.put("c")  # behind it, in order
    await settle()
    assert wire.sent == ["a"] and outbox.busy
    wire.hold.set()
    await settle()
    assert wire.sent == ["a", "b", "c"]
    outbox.discard()
    await settle()
    assert not outbox.busy and writers_left() == []


async def test_a_close_waits_for_the_write_in_flight():
    wire = Wire()
    outbox = Outbox(wire.send, wire.close)
    wire.hold.clear()
    outbox.put("a")
    outbox.close(4403)
    await settle()
    assert wire.sent == []
    wire.hold.set()
    await settle()
    assert wire.sent == ["a", ("close", 4403)]
    assert not outbox.busy


# --- on a real server -------------------------------------------------------------------------


class RawSocket:
    """A WebSocket client on a bare TCP socket: it reads only when asked to, so
    it can stop reading like a phone in a tunnel (a small receive buffer keeps the
    kernel from holding much for it)."""

    def __init__(self, base, path, headers=(), receive_buffer=None):
        url = urlsplit(base)
        self.sock = sockets_module.socket()
        if receive_buffer:
            self.sock.setsockopt(
                sockets_module.SOL_SOCKET, sockets_module.SO_RCVBUF, receive_buffer
            )
        self.sock.connect((url.hostname, url.port))
        self.sock.settimeout(10)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {url.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: {base}",
            *headers,
        ]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        return data

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.buffer += self._recv()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, message: dict) -> None:
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        header = bytes([0x81, 0x80 | len(payload)]) if len(payload) < 126 else None
        assert header is not None  # the client's messages are small
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def frame(self):
        """The next message: a dict, or ``("close", code)``."""
        while True:
            first, second = self._take(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._take(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._take(8))
            payload = self._take(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                return ("close", struct.unpack("!H", payload[:2])[0] if payload else None)
            if opcode == 0x1:
                return json.loads(payload)

    def until(self, kind: str) -> dict:
        while True:
            message = self.frame()
            if isinstance(message, dict) and message["type"] == kind:
                return message

    def close(self) -> None:
        self.sock.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", ["daphne", "uvicorn"])
def test_on_a_real_server_a_client_that_stops_reading_is_dropped_and_holds_up_no_one(
    server, request
):
    # given a room on a real server: the host, two players who read, one who stalls
    base = request.getfixturevalue(f"{server}_server")
    contest, host_token = _long_question_room()
    log = ARTIFACTS / f"{server}.log"
    log_start = log.stat().st_size
    path = f"/ws/contests/{contest.pin}/"
    host = RawSocket(base, f"{path}?role=host", [f"Authorization: Token {host_token}"])
    host.until("state")

    def enter(guest, nickname, **options):
        socket = RawSocket(base, f"{path}?role=player&guest={guest}", **options)
        socket.until("state")
        socket.send({"type": "join", "nickname": nickname})
        socket.until("state")
        return socket

    readers = [enter(f"{n:032x}", f"访客{n}") for n in range(1, 3)]
    stalled = enter("d" * 32, "隧道里的手机", receive_buffer=4096)  # and from now on not read

    # when the game goes on, the readers get each long frame at once
    kind, sent = "start", []
    for _command in range(19):  # the host may send 20 messages in 10 seconds
        host.send({"type": kind})
        wanted = "state" if kind == "pause" else "question"
        started = time.monotonic()
        for socket in [host, *readers]:  # the host gets the long frames too
            socket.until(wanted)
        assert time.monotonic() - started < PROMPT
        sent.append(wanted)
        if "dropped" in _log_since(log, log_start):
            break
        kind = "resume" if kind == "pause" else "pause"
    else:
        raise AssertionError("the stalled client was never dropped")

    # then the server dropped the stalled client (its own frames stopped in its
    # outbox, not in Daphne's transport), and once the client reads again it
    # finds a part of what was sent, then the close as too slow (or, if the
    # server gave up on the close handshake first, the connection gone)
    got = []
    try:
        while (message := stalled.frame()) and isinstance(message, dict):
            got.append(message["type"])
        ending = message
    except TimeoutError:
        raise AssertionError("the stalled client was neither closed nor cut off") from None
    except OSError:  # ConnectionResetError, or our "closed"
        ending = "reset"
    assert ending in (("close", protocol.CLOSE_TOO_SLOW), "reset"), ending
    assert len(got) < len(sent)
    assert len(sent) >= outbox_module.MAX_CHARS // (LONG + 1000)
    for socket in [host, *readers, stalled]:
        socket.close()


def _log_since(log: Path, start: int) -> str:
    with log.open("rb") as file:
        file.seek(start)
        return file.read().decode("utf-8", "replace")
