"""
Micro-benchmark: the Python cost of writing a room's frames to a worker's sockets
(``Runtime.deliver``), without the network: N real ``ContestConsumer`` instances
whose ASGI ``send`` only counts what it is given.

    .venv/bin/python bench/contest_deliver.py [--sockets 2000] [--frames 50] [--runs 5]

Prints, for two shapes of broadcast, the time until ``deliver`` returns and until
every frame has reached every socket's ASGI ``send`` (the best of the runs; and
the first run's, which includes starting each connection's writer, when a
socket has an outbox):
- ``shared``: ``--frames`` frames to everyone (questions, scoreboards, lobby…);
- ``reveal``: one personal frame per player, then two shared ones (a reveal).
"""

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def run(args):
    from contests import engine
    from contests.consumers import ContestConsumer
    from contests.runtime import Runtime

    runtime = Runtime()
    written = 0

    async def base_send(message):
        nonlocal written
        written += 1

    sockets = []
    for n in range(args.sockets):
        socket = ContestConsumer(runtime=runtime)
        socket.base_send = base_send
        socket.pin, socket.role, socket.player, socket.user = "100001", "player", f"g-{n}", None
        runtime.sockets["100001"].add(socket)  # as attach leaves it, without a channel layer
        sockets.append(socket)
    text = '{"type":"question","seq":1,"text":"' + "党章" * 60 + '"}'  # ~400 bytes of UTF-8
    shapes = {
        "shared": [[engine.ALL, None, text] for _ in range(args.frames)],
        "reveal": [[engine.PLAYERS, s.player, text] for s in sockets]
        + [[engine.ALL, None, text], [engine.ALL, None, text]],
    }
    for name, frames in shapes.items():
        expected = sum(args.sockets if player is None else 1 for _to, player, _t in frames)
        best_return = best_written = float("inf")
        first = None
        for _ in range(args.runs):
            written = 0
            started = time.perf_counter()
            await runtime.deliver("100001", frames)
            returned = time.perf_counter() - started
            while written < expected:
                await asyncio.sleep(0)
            best_return = min(best_return, returned)
            best_written = min(best_written, time.perf_counter() - started)
            first = time.perf_counter() - started if first is None else first
        print(
            f"{name}: {len(frames)} frames, {expected} socket writes: "
            f"deliver returns after {best_return * 1000:.1f} ms, "
            f"all written after {best_written * 1000:.1f} ms "
            f"({best_written / expected * 1e6:.2f} µs a write; first run {first * 1000:.1f} ms)"
        )
    for socket in sockets:
        outbox = getattr(socket, "outbox", None)
        if outbox is not None:
            outbox.discard()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--frames", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
