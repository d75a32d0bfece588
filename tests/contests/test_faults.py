"""Faults on the production stack's parts: Redis restarting (empty) in the middle
of a question while the workers run, then again with a worker killed. Each test
starts a redis-server of its own; both runtimes ("workers") use it for their
store and channel layer, as Daphne workers would. Nothing acknowledged is lost,
the open question resumes with its original deadline, scores equal an offline
recount, results never shrink — for a classic room and for a stage room's
audit log."""

import asyncio

import jsonschema
import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.urls import re_path
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role
from backend.asgi import websocket_application
from backend.common.redis_options import channel_layer_config
from contests import protocol, services
from contests.consumers import ContestConsumer
from contests.models import ContestDecision
from contests.outbox import Outbox
from contests.runtime import Runtime
from contests.store import RedisStore

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .conftest import receive, send_json_to
from .invariants import (
    no_acknowledged_answer_lost,
    results_never_shrink,
    scores_equal_an_offline_recount,
    team_scores_equal_the_stored_log,
)

pytestmark = pytest.mark.django_db(transaction=True)
PLAYERS = 10


class Worker:
    """One application instance with its own runtime, store client and layer."""

    def __init__(self, url: str):
        layer = RedisChannelLayer(**channel_layer_config(url))
        self.runtime = Runtime(store=RedisStore(url), layer=layer)
        self.app = websocket_application(
            [
                re_path(
                    r"^ws/contests/(?P<pin>[0-9]{6})/$",
                    ContestConsumer.as_asgi(runtime=self.runtime),
                )
            ]
        )

    def kill(self) -> None:
        """As kill -9 would leave it: nothing of this worker runs any more."""
        self.runtime.reset()


@database_sync_to_async
def classic_world():
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    host = make_user(Role.SECRETARY, branch=branch, username="secretary")
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(3)])
    contest = services.contest_create(
        host=host, quiz=quiz, allow_guests=True, seconds_per_question=60
    )
    return contest, Token.objects.create(user=host).key


async def answer(socket, seq, choice):
    await send_json_to(socket, {"type": "answer", "seq": seq, "choices": [choice]})
    return await receive(socket, "answer_ack", timeout=20)


async def wait_for_resync(*sockets):
    """Every socket hears that the server's link is back, then gets a fresh state."""
    for socket in sockets:
        back = await receive(socket, "connection", timeout=20, status="ok")
        jsonschema.validate(back, protocol.server_schema("connection"))
        await receive(socket, "state", timeout=20)


async def test_redis_restarts_mid_question_then_again_with_a_worker_killed(
    redis_server, open_socket
):
    contest, host_token = await classic_world()
    a, b = Worker(redis_server.url), Worker(redis_server.url)
    try:
        host = await open_socket(a.app, contest.pin, host_token, role="host")
        await receive(host, "state")
        guests = [f"{n:032x}" for n in range(1, PLAYERS + 1)]
        worker_of = {g: (a if n % 2 else b) for n, g in enumerate(guests)}
        sockets = {}

        async def enter(guest, nickname=""):
            socket = await open_socket(worker_of[guest].app, contest.pin, guest=guest)
            await receive(socket, "state")
            await send_json_to(socket, {"type": "join", "nickname": nickname})
            await receive(socket, "state", timeout=20)
            sockets[guest] = socket

        await asyncio.gather(*(enter(g, f"访客{n}") for n, g in enumerate(guests)))
        acknowledged: set[tuple[int, str]] = set()

        async def play(seq, players, choice="B"):
            acks = await asyncio.gather(*(answer(sockets[g], seq, choice) for g in players))
            for guest, ack in zip(players, acks, strict=True):
                assert ack["accepted"], ack
                acknowledged.add((seq, f"g-{guest}"))

        # Q1: three answer, Redis restarts (empty) with both workers running
        await send_json_to(host, {"type": "start"})
        q1 = await receive(host, "question")
        await play(1, guests[:3])
        redis_server.restart()
        await wait_for_resync(host, sockets[guests[0]])
        state = await receive_state_of(sockets[guests[1]])
        assert (state["phase"], state["seq"], state["ends_at"]) == ("question", 1, q1["ends_at"])
        for guest in guests[:3]:  # what was acknowledged is still known
            assert (await answer(sockets[guest], 1, "A"))["reason"] == "duplicate"
        await play(1, guests[3:])
        await send_json_to(host, {"type": "close"})
        reveal = await receive(host, "reveal", timeout=20)
        assert sum(reveal["distribution"].values()) == PLAYERS

        # Q2: three answer; Redis restarts and worker A dies; everyone comes back on B
        await send_json_to(host, {"type": "next"})
        q2 = await receive(host, "question")
        await play(2, guests[:3], choice="C")
        a.kill()
        redis_server.restart()
        for guest in guests:
            worker_of[guest] = b
        host = await open_socket(b.app, contest.pin, host_token, role="host")
        state = await receive(host, "state", timeout=20)
        assert (state["phase"], state["seq"], state["ends_at"]) == ("question", 2, q2["ends_at"])
        assert state["answered"] == 3  # the acknowledged answers came back
        await asyncio.gather(*(enter(g) for g in guests))  # reconnect: known players
        for guest in guests[:3]:
            assert (await answer(sockets[guest], 2, "B"))["reason"] == "duplicate"
        await play(2, guests[3:])
        await send_json_to(host, {"type": "close"})
        reveal = await receive(host, "reveal", timeout=20)
        assert sum(reveal["distribution"].values()) == PLAYERS
        assert reveal["distribution"].get("C") == 3  # the first answers, not the retries
        await send_json_to(host, {"type": "end"})
        finished = await receive(host, "finished", timeout=20)
        assert finished["podium"]

        await no_acknowledged_answer_lost(contest, acknowledged)
        saved = await scores_equal_an_offline_recount(contest)
        assert len(saved) == PLAYERS
        assert sorted(saved.values(), reverse=True)[0] > 0
        empty = await database_sync_to_async(services.contest_room)(contest, fresh=True)
        await results_never_shrink(contest, empty)
    finally:
        a.kill()
        b.kill()


async def receive_state_of(socket):
    """The state a socket got at the resync (after its ``connection`` ok)."""
    await receive(socket, "connection", timeout=20, status="ok")
    return await receive(socket, "state", timeout=20)


@database_sync_to_async
def stage_world():
    unit = make_unit("市直机关工委")
    branches = [make_branch(unit, f"第{n + 1}党支部") for n in range(2)]
    host = make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin")
    captains = [
        make_user(branch=branch, username=f"c{n}", display_name=f"队长{n}")
        for n, branch in enumerate(branches)
    ]
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(6)])
    contest = services.contest_create_stage(
        host=host,
        quiz=quiz,
        teams=[{"branch": b.pk, "mode": "captain"} for b in branches],
        rounds=[{"format": "bida", "count": 4}],
        reserve=1,
    )
    tokens = {u.username: Token.objects.create(user=u).key for u in [host, *captains]}
    return contest, tokens


async def test_a_stage_audit_log_survives_redis_restarts_and_a_killed_worker(
    redis_server, open_socket
):
    contest, tokens = await stage_world()
    a, b = Worker(redis_server.url), Worker(redis_server.url)
    try:
        host = await open_socket(a.app, contest.pin, tokens["unitadmin"], role="host")
        await receive(host, "state")
        for name, worker in (("c0", a), ("c1", b)):
            socket = await open_socket(worker.app, contest.pin, tokens[name])
            await receive(socket, "state")
            await send_json_to(socket, {"type": "join"})
            await receive(socket, "state", timeout=20)
        await send_json_to(host, {"type": "start"})

        async def judge(result):
            await receive(host, "turn", timeout=20)
            await send_json_to(host, {"type": "judge", "result": result})
            return await receive(host, "verdict", timeout=20, kind="answer")

        first = await judge("right")
        redis_server.restart()
        await wait_for_resync(host)
        await send_json_to(host, {"type": "next"})
        await judge("wrong")
        a.kill()
        redis_server.restart()
        host = await open_socket(b.app, contest.pin, tokens["unitadmin"], role="host")
        state = await receive(host, "state", timeout=20)
        assert [e["id"] for e in state["stage"]["audit"]][:2] == [
            first["entry"],
            first["entry"] + 1,
        ]
        await send_json_to(host, {"type": "next"})
        await judge("right")
        await send_json_to(host, {"type": "end"})
        await receive(host, "finished", timeout=20)
        decisions = await database_sync_to_async(
            lambda: list(ContestDecision.objects.filter(contest=contest).values_list("result"))
        )()
        assert decisions == [("right",), ("wrong",), ("right",)]
        scores = await team_scores_equal_the_stored_log(contest)
        assert scores == {"第1党支部": 120, "第2党支部": 100}  # right, wrong, right in rotation
        empty = await database_sync_to_async(services.contest_room)(contest, fresh=True)
        await results_never_shrink(contest, empty)
    finally:
        a.kill()
        b.kill()


class _Socket:
    """Enough of a socket for the runtime to hold it (so that it listens)."""

    role, player, user = "host", None, None

    def __init__(self):
        self.outbox = Outbox(self.send, self.close)

    async def send(self, text_data):
        pass

    async def close(self, *how):
        pass


async def test_healthz_tells_the_truth_with_the_runtime_listening(redis_server, settings):
    """The contest runtime holds the layer's reader for its channel; the health
    round trip must still pass while Redis is up, and fail once it is down."""
    from channels.layers import channel_layers
    from django.test import AsyncClient

    from contests.runtime import runtime

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": channel_layer_config(redis_server.url),
        }
    }
    channel_layers.backends.clear()
    runtime.reset()
    try:
        await runtime.attach("000000", _Socket())  # the runtime's listener is reading now
        await asyncio.sleep(0.2)
        client = AsyncClient()
        for _ in range(3):
            response = await client.get("/healthz")
            assert response.status_code == 200, response.json()
        redis_server.stop()
        response = await client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["channel_layer"] == "error"
    finally:
        runtime.reset()
        channel_layers.backends.clear()


async def test_the_room_lock_does_not_expire_under_a_slow_step(redis_server, monkeypatch):
    """A step that outlives the lock's life (a slow database write under it) keeps
    the lock: another worker gets it only after the step ends."""
    from contests import store as store_module

    monkeypatch.setattr(store_module, "LOCK_MS", 200)
    first, second = RedisStore(redis_server.url), RedisStore(redis_server.url)
    order = []

    async def slow_step():
        async with first.locked("123456"):
            order.append("first in")
            await asyncio.sleep(1.0)  # five times the lock's life
            order.append("first out")

    async def other_worker():
        await asyncio.sleep(0.05)
        async with second.locked("123456"):
            order.append("second in")

    await asyncio.gather(slow_step(), other_worker())
    assert order == ["first in", "first out", "second in"]
    for store in (first, second):
        await store.clear()
