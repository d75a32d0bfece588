"""What the contest tests share: sockets that are always disconnected (a test that
fails half-way leaves no application instance running into the next test), a
JSON send, a receive that waits for one message type, and a redis-server of the
test's own for the fault tests."""

import contextlib
import json
import shutil
import socket as sockets_module
import subprocess
import time

import pytest
from channels.testing import WebsocketCommunicator

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def _fresh_runtime():
    """Every test starts with a runtime and a channel layer of its own event loop
    (the process-wide ones would keep locks and connections of the last test's)."""
    from channels.layers import channel_layers

    from contests.runtime import runtime

    runtime.reset()
    channel_layers.backends.clear()
    yield
    runtime.reset()
    channel_layers.backends.clear()


async def send_json_to(socket, message: dict) -> None:
    await socket.send_to(text_data=json.dumps(message))


async def receive(socket, message_type=None, timeout=10, **fields):
    """The next message of ``message_type`` (with ``fields`` equal), skipping others."""
    while True:
        message = json.loads(await socket.receive_from(timeout=timeout))
        if message_type is None or (
            message["type"] == message_type and all(message.get(k) == v for k, v in fields.items())
        ):
            return message


@pytest.fixture
async def open_socket():
    """``await open_socket(app, pin, token=None, role="player", guest=None)`` → a
    connected communicator, disconnected when the test ends, whatever happens."""
    opened = []

    async def open_(app, pin, token=None, role="player", guest=None):
        query = f"role={role}" + (f"&guest={guest}" if guest else "")
        headers = [ORIGIN]
        if token:
            headers.append((b"authorization", f"Token {token}".encode()))
        socket = WebsocketCommunicator(app, f"/ws/contests/{pin}/?{query}", headers=headers)
        opened.append(socket)
        connected, _ = await socket.connect()
        assert connected
        return socket

    yield open_
    for socket in opened:
        # closed by the server already, or the app has stopped: nothing left to do
        with contextlib.suppress(Exception):
            await socket.disconnect()


def _free_port() -> int:
    with sockets_module.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test may stop
    and start again (never the shared one). It keeps nothing on disk, as in
    production (see docker-compose.yml): a restart comes back empty."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with sockets_module.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()
