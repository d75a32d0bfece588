"""300 players, 10% dropping and reconnecting mid-game: nothing lost, nothing doubled,
final scores equal a recount from the stored answers."""

import asyncio
import json
import random

import pytest
from channels.db import database_sync_to_async

from contests import engine, services
from contests.models import ContestAnswer, ContestResult

from .test_consumers import connect, receive, world

pytestmark = pytest.mark.django_db(transaction=True)
# 300 players on both layers (in-memory, and channels-redis with the Redis store).
PLAYERS = 300


async def until(socket, kind):
    # generous: on a loaded two-core machine 300 connects take a while
    return await receive(socket, kind, timeout=60)


async def test_drops_and_reconnects_lose_nothing():
    rng = random.Random(5)
    contest, tokens = await world(allow_guests=True)
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    await until(host, "state")
    guests = [f"{n:032x}" for n in range(PLAYERS)]
    sockets = {}

    async def enter(token, name):
        socket, connected = await connect(contest.pin, None, guest=token)
        assert connected
        await until(socket, "state")
        await socket.send_to(text_data=json.dumps({"type": "join", "nickname": name}))
        await until(socket, "state")
        return socket

    sockets = dict(
        zip(
            guests,
            await asyncio.gather(*(enter(t, f"访客{i}") for i, t in enumerate(guests))),
            strict=True,
        )
    )
    accepted = 0
    for seq in (1, 2):
        await host.send_to(text_data=json.dumps({"type": "start" if seq == 1 else "next"}))
        await until(host, "question")
        droppers = set(rng.sample(guests, PLAYERS // 10))

        async def play(token, seq=seq, droppers=droppers):
            socket = sockets[token]
            answer = json.dumps({"type": "answer", "seq": seq, "choices": [rng.choice("AB")]})
            if token in droppers:  # drops before answering, comes back, answers twice
                await socket.disconnect()
                socket = await enter(token, "")  # a known player: the nickname is kept
                sockets[token] = socket
            await socket.send_to(text_data=answer)
            first = await until(socket, "answer_ack")
            if token in droppers:
                await socket.send_to(text_data=answer)
                assert (await until(socket, "answer_ack"))["reason"] == "duplicate"
            return first["accepted"]

        results = await asyncio.gather(*(play(t) for t in guests))
        accepted += sum(results)
        await host.send_to(text_data=json.dumps({"type": "close"}))
        await until(host, "reveal")
    await host.send_to(text_data=json.dumps({"type": "end"}))
    await until(host, "finished")
    assert accepted == 2 * PLAYERS

    @database_sync_to_async
    def stored():
        room = services.contest_room(contest)
        for answer in ContestAnswer.objects.filter(contest=contest):
            room.answers[f"{answer.seq}:{answer.player}"] = engine.Answer(
                answer.player, answer.seq, answer.response, answer.at, answer.elapsed_ms
            )
        for result in ContestResult.objects.filter(contest=contest):
            room.players[result.player] = engine.Player(result.player, result.name)
        room.seq = 2
        recount = {pid: s.score for pid, s in engine.standings(room).items()}
        saved = dict(ContestResult.objects.filter(contest=contest).values_list("player", "score"))
        return ContestAnswer.objects.filter(contest=contest).count(), recount, saved

    count, recount, saved = await stored()
    assert count == 2 * PLAYERS
    assert saved == recount and len(saved) == PLAYERS
    for socket in [host, *sockets.values()]:
        await socket.disconnect()
