"""
Benchmark: one contest room with N players in this process, through the real ASGI
application (consumer, runtime, store, channel layer).

    .venv/bin/python bench/contest_fanout.py [--players 1000] [--questions 3]

Runs on the embedded default (in-memory layer and store, throw-away SQLite), or on
Redis and PostgreSQL when REDIS_URL / DATABASE_URL are set (use scratch ones).
Prints: the time for all players to connect and join at once; the answer
acknowledgement latency (median, p99) with every player answering at once; the
time from the host's "close" to the last player's reveal (median and p99 over
the questions); how many channel-layer messages one question cost; and the time
for every player to drop and come back at once.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def run(args):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from backend.accounts.models import Role
    from backend.asgi import application
    from contests import services
    from contests.runtime import runtime
    from tests.factories import (
        make_bank,
        make_branch,
        make_question,
        make_quiz,
        make_unit,
        make_user,
    )

    @database_sync_to_async
    def world():
        from rest_framework.authtoken.models import Token

        branch = make_branch(make_unit("基准单位"), "基准支部")
        host = make_user(Role.SECRETARY, branch=branch, username=f"host{time.time_ns()}")
        quiz = make_quiz([make_question(make_bank(), "single") for _ in range(args.questions)])
        contest = services.contest_create(host=host, quiz=quiz, allow_guests=True)
        return contest, Token.objects.create(user=host).key

    contest, token = await world()
    origin = (b"origin", b"http://testserver")

    async def connect(query, headers=()):
        socket = WebsocketCommunicator(
            application, f"/ws/contests/{contest.pin}/?{query}", headers=[origin, *headers]
        )
        await socket.connect(timeout=60)
        return socket

    async def until(socket, kind):
        while True:
            message = json.loads(await socket.receive_from(timeout=120))
            if message["type"] == kind:
                return message

    host = await connect("role=host", [(b"authorization", f"Token {token}".encode())])
    await until(host, "state")

    async def enter(n):
        socket = await connect(f"role=player&guest={n:032x}")
        await until(socket, "state")
        await socket.send_to(text_data=json.dumps({"type": "join", "nickname": f"选手{n}"}))
        await until(socket, "state")
        return socket

    started = time.perf_counter()
    players = await asyncio.gather(*(enter(n) for n in range(args.players)))
    joined = time.perf_counter() - started
    print(f"{args.players} players connected and joined at once: {joined:.2f} s")

    layer = runtime.layer
    original = layer.group_send
    sent = []

    async def counting(group, message):
        sent.append(group)
        await original(group, message)

    layer.group_send = counting
    acks, reveals = [], []
    for seq in range(1, args.questions + 1):
        await host.send_to(text_data=json.dumps({"type": "start" if seq == 1 else "next"}))
        await asyncio.gather(*(until(p, "question") for p in players))
        sent.clear()

        async def answer(socket, seq=seq):
            t0 = time.perf_counter()
            await socket.send_to(
                text_data=json.dumps({"type": "answer", "seq": seq, "choices": ["B"]})
            )
            await until(socket, "answer_ack")
            return time.perf_counter() - t0

        acks += await asyncio.gather(*(answer(p) for p in players))
        t0 = time.perf_counter()
        await host.send_to(text_data=json.dumps({"type": "close"}))

        async def reveal(socket, t0=t0):
            await until(socket, "reveal")
            return time.perf_counter() - t0

        times = await asyncio.gather(*(reveal(p) for p in players))
        reveals.append(max(times))
        await asyncio.gather(*(until(p, "scoreboard") for p in players))
        messages = len(sent)
    print(
        f"answer ack, all {args.players} answering at once: "
        f"median {statistics.median(acks) * 1000:.1f} ms, p99 {pct(acks, 0.99) * 1000:.1f} ms"
    )
    print(
        f"close → last player's reveal: median {statistics.median(reveals) * 1000:.0f} ms, "
        f"max {max(reveals) * 1000:.0f} ms (over {args.questions} questions)"
    )
    print(f"channel-layer messages for the last question's answers and close: {messages}")
    for socket in players:
        await socket.disconnect()
    started = time.perf_counter()
    players = await asyncio.gather(*(enter(n) for n in range(args.players)))
    print(
        f"all {args.players} dropped and reconnected at once: "
        f"{time.perf_counter() - started:.2f} s until every one had its state back"
    )
    await host.send_to(text_data=json.dumps({"type": "end"}))
    await until(host, "finished")
    for socket in [host, *players]:
        await socket.disconnect()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="jiangtang-bench-")
    os.environ.setdefault("JIANGTANG_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        "layer:",
        "channels-redis" if os.environ.get("REDIS_URL") else "in-memory",
        "· database:",
        "DATABASE_URL" if os.environ.get("DATABASE_URL") else "SQLite (scratch)",
    )
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
