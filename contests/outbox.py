"""
A contest socket's outbox: the frames waiting to be written to one connection.

Whoever sends to a socket (the runtime's fan-out, the consumer's own replies)
only appends a pre-serialised text frame; one writer task per connection writes
them in order, awaiting the server's ``send`` frame by frame. A phone that reads
slowly, or not at all, holds up its own writer only: not the fan-out loop, not
the other sockets of the room.

The queue is bounded. A connection that falls ``MAX_FRAMES`` frames or
``MAX_CHARS`` characters behind is dropped: its queued frames are discarded and
it is closed with ``protocol.CLOSE_TOO_SLOW``; the phone reconnects and gets the
full ``state``, as after any drop. (Under Daphne the server's ``send`` waits
while the connection's transport buffer is full — ``backend.common.ws_flow`` —
so a stalled phone's frames stay here, where they are counted.)

The writer is created with the connection's first frame and waits on a future
when the outbox is empty: a burst of frames costs one wake-up per connection, no
task per frame or per burst (creating a task costs several times a frame's
write). A frame that finds the outbox empty and nothing in flight is not queued at
all: ``put`` starts the server's ``send`` itself, which normally completes without
waiting (the frame goes to the socket's buffer) — no wake-up, no task step: a
broadcast to 2,000 sockets is 2,000 calls in one loop. Only if that ``send`` must
wait (the client is behind) is the rest of it left to a task, and the frames after
it queue behind it. It ends with the connection: ``discard``, called on disconnect and when
the consumer's application instance ends however it ends, cancels it.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from .protocol import CLOSE_TOO_SLOW

logger = logging.getLogger(__name__)

#: A connection this far behind is dropped (it comes back with a fresh ``state``).
#: A question, a reveal and a scoreboard are a handful of frames; hundreds queued
#: means the phone stopped reading long ago.
MAX_FRAMES = 200
#: ... or this many characters queued (about 1–3 MB of UTF-8; the frames are
#: mostly shared with the room's other sockets, so this is what a stalled
#: connection can keep alive, not what it copies).
MAX_CHARS = 1_000_000


class Outbox:
    """The frames queued for one connection, written by one writer at a time.

    ``write(text)`` sends one frame on the connection (the server's ``send``,
    which may wait for the client); ``shut(*how)`` closes it."""

    __slots__ = (
        "_chars", "_closer", "_closing", "_frames", "_idle", "_resumer", "_shut", "_write",
        "_writer", "closed",
    )  # fmt: skip

    def __init__(self, write: Callable[[str], Awaitable], shut: Callable[..., Awaitable]):
        self._write = write
        self._shut = shut
        self._frames: deque[str] = deque()
        self._chars = 0
        self._writer: asyncio.Task | None = None
        self._idle: asyncio.Future | None = None  # the writer waits on it for frames
        self._closer: asyncio.Task | None = None
        self._resumer: asyncio.Task | None = None  # a direct write that had to wait
        self._closing: tuple | None = None  # how to close once the queued frames are out
        #: True once no more frames are taken: closing, dropped or gone
        self.closed = False

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def chars(self) -> int:
        return self._chars

    @property
    def busy(self) -> bool:
        """A writer or a close is still running (tests: nothing leaks)."""
        tasks = (self._writer, self._closer, self._resumer)
        return any(task is not None and not task.done() for task in tasks)

    @property
    def _in_flight(self) -> bool:
        """A direct write is waiting for the client: what comes next queues behind it."""
        return self._resumer is not None and not self._resumer.done()

    def put(self, text: str) -> bool:
        """Queues a frame. False if the connection takes no more: it is closing,
        gone, or has just been dropped for falling too far behind."""
        if self.closed:
            return False
        frames = self._frames
        if not frames and (self._writer is None or self._idle is not None) and not self._in_flight:
            self._write_now(text)
            return True
        if len(frames) >= MAX_FRAMES or self._chars + len(text) > MAX_CHARS:
            self._drop()
            return False
        frames.append(text)
        self._chars += len(text)
        if not self._in_flight:
            self._wake()
        return True

    def _write_now(self, text: str) -> None:
        """Runs the server's ``send`` for ``text`` up to its first wait; if it has
        to wait, a task finishes it (then the queued frames go on)."""
        sending = self._write(text)
        try:
            waiting = sending.send(None)
        except StopIteration:
            return  # written
        except Exception:  # a socket closing under us; its disconnect discards the rest
            logger.debug("a contest socket went away", exc_info=True)
            return
        waiting._asyncio_future_blocking = False  # taken over here, not by a task
        self._resumer = asyncio.get_running_loop().create_task(self._resume(sending, waiting))

    async def _resume(self, sending, waiting) -> None:
        """Drives a ``send`` started by ``_write_now`` to its end: waits for what it
        waits for, then resumes it (a started coroutine cannot be awaited)."""
        try:
            while True:
                if waiting is None:  # a bare yield (sleep(0)): just let the loop turn
                    await asyncio.sleep(0)
                else:  # done however it ends: the send sees the outcome when resumed
                    await asyncio.wait((waiting,))
                try:
                    waiting = sending.send(None)
                except StopIteration:
                    break
                if waiting is not None:
                    waiting._asyncio_future_blocking = False
        except asyncio.CancelledError:
            sending.close()
            raise
        except Exception:  # a socket closing under us; its disconnect discards the rest
            logger.debug("a contest socket went away", exc_info=True)
        if self._frames or self._closing is not None:
            self._wake()

    def close(self, *how) -> None:
        """Closes the connection after the frames queued so far (``how``: what
        ``shut`` takes, e.g. the close code); nothing is queued after it."""
        if self.closed:
            return
        self.closed = True
        self._closing = how
        if not self._in_flight:  # else the write in flight wakes the writer when done
            self._wake()

    def discard(self) -> None:
        """The connection is gone (or its worker stops): drops the queued frames
        and ends the writer and a close under way."""
        self.closed = True
        self._frames.clear()
        self._chars = 0
        self._idle = None
        try:
            current = asyncio.current_task()
        except RuntimeError:  # no loop running (a test resetting the runtime)
            current = None
        for task in (self._writer, self._closer, self._resumer):
            if task is not None and task is not current:
                task.cancel()

    def _drop(self) -> None:
        """Too far behind: the frames go, the writer (stuck on the slow socket)
        stops, and the connection is closed at once with ``CLOSE_TOO_SLOW``."""
        logger.warning("a contest socket fell %d frames behind; dropped", len(self._frames))
        self.discard()
        self._closer = asyncio.get_running_loop().create_task(self._shut_quietly(CLOSE_TOO_SLOW))

    def _wake(self) -> None:
        idle = self._idle
        if idle is not None:
            self._idle = None
            idle.set_result(None)
        elif self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        """The writer: the frames in order, then waits for more; after a
        ``close`` the frames queued before it, then the close."""
        frames, write = self._frames, self._write
        loop = asyncio.get_running_loop()
        while True:
            while frames:
                text = frames.popleft()
                self._chars -= len(text)
                try:
                    await write(text)
                except Exception:  # a socket closing under us; its disconnect discards the rest
                    logger.debug("a contest socket went away", exc_info=True)
            if self._closing is not None:
                return await self._shut_quietly(*self._closing)
            self._idle = loop.create_future()
            await self._idle

    async def _shut_quietly(self, *how) -> None:
        try:
            await self._shut(*how)
        except Exception:
            logger.debug("a contest socket could not be closed; it is gone", exc_info=True)
