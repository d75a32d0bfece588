"""
A TCP proxy a browser test controls, to cut a phone's network for real.

Playwright's ``context.set_offline`` does not close a WebSocket that is already
open, so a test that means "the phone lost the network mid-question" loads the page
through this proxy instead and calls ``cut()``: every open connection through it is
closed at once and new ones are refused until ``restore()``. ``stall()`` is the
quieter failure of a phone network: the open connections stay open but nothing
passes through them (TCP on the phone notices nothing for minutes), and new ones
are refused.

The proxy listens on 127.0.0.1 on a port of its own and forwards to the server's
port; the page's host (and so the WebSocket's ``Origin``) is ``127.0.0.1:<proxy
port>`` on both sides, which the server's origin check allows (``ALLOWED_HOSTS``
has ``127.0.0.1``; the session cookie is per host, not per port).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import urlsplit


class CuttableProxy:
    """``with CuttableProxy(target_base_url) as proxy: page.goto(proxy.url + path)``."""

    def __init__(self, target: str):
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.port = 0
        self.accepted = 0  # connections forwarded so far
        self.refused = 0  # connections turned away while cut
        self._cut = False
        self._stalled = False
        self._flowing: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- the test's side ---------------------------------------------------------------

    def start(self) -> CuttableProxy:
        started = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._flowing = asyncio.Event()
            self._flowing.set()
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._client, "127.0.0.1", 0)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="cuttable-proxy", daemon=True)
        self._thread.start()
        if not started.wait(5):
            raise RuntimeError("the proxy did not start")
        return self

    def cut(self) -> None:
        """Closes every open connection now and refuses new ones."""
        self._call(self._do_cut)

    def stall(self) -> None:
        """Holds what the open connections carry (they stay open) and refuses new ones."""
        self._call(self._do_stall)

    def restore(self) -> None:
        """Accepts and forwards connections again (what a stall held goes on)."""
        self._call(self._do_restore)

    def stop(self) -> None:
        if self._loop is None:
            return
        self._call(self._do_stop)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> CuttableProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _call(self, coroutine_function) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine_function(), self._loop)
        future.result(5)

    # --- the proxy's loop -----------------------------------------------------------------

    async def _do_cut(self) -> None:
        self._cut = True
        for writer in list(self._writers):
            self._abort(writer)
        self._writers.clear()

    async def _do_stall(self) -> None:
        self._stalled = True
        self._flowing.clear()

    async def _do_restore(self) -> None:
        self._cut = False
        self._stalled = False
        self._flowing.set()

    async def _do_stop(self) -> None:
        await self._do_cut()
        if self._server is not None:
            self._server.close()

    @staticmethod
    def _abort(writer: asyncio.StreamWriter) -> None:
        # a reset, as when a network goes away: no orderly close handshake
        with contextlib.suppress(Exception):
            writer.transport.abort()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut or self._stalled:
            self.refused += 1
            self._abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            self._abort(writer)
            return
        self.accepted += 1
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        self._writers.difference_update((writer, up_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()  # a stall holds the data here
                if self._cut:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if self._cut:
                self._abort(writer)
            else:
                writer.close()
