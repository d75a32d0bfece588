"""On-stage rounds over the socket: a 抢答 question from the buzzer to the judge's
verdict, the audit log in the database, and — against Redis with two
application instances — 20 buzzes within a few milliseconds giving exactly one
winner, the earliest by server time."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.urls import re_path
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role
from backend.asgi import websocket_application
from contests import services
from contests.consumers import ContestConsumer
from contests.models import Contest, ContestDecision, ContestResult
from contests.runtime import Runtime

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .test_consumers import ORIGIN, connect, receive

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def stage_world(teams=2, rounds=None, members=1):
    unit = make_unit("市直机关工委")
    branches = [make_branch(unit, f"第{n + 1}党支部") for n in range(teams)]
    host = make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin")
    players = {
        f"t{t}m{m}": make_user(branch=branch, username=f"t{t}m{m}", display_name=f"队{t}员{m}")
        for t, branch in enumerate(branches)
        for m in range(members)
    }
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(8)])
    contest = services.contest_create_stage(
        host=host,
        quiz=quiz,
        title="2026 年度机关党建知识竞赛决赛",
        teams=[{"branch": b.pk, "mode": "captain"} for b in branches],
        rounds=rounds or [{"format": "qiangda", "count": 2}],
        reserve=1,
    )
    tokens = {u.username: Token.objects.create(user=u).key for u in [host, *players.values()]}
    return contest, tokens


async def join(socket):
    await receive(socket, "state")
    await socket.send_to(text_data=json.dumps({"type": "join"}))
    return await receive(socket, "state")


async def until(socket, message_type, **fields):
    while True:
        message = await receive(socket, message_type)
        if all(message.get(k) == v for k, v in fields.items()):
            return message


async def test_a_buzzer_question_from_signal_to_verdict():
    contest, tokens = await stage_world()
    host, _ = await connect(contest.pin, tokens["unitadmin"], role="host")
    screen, _ = await connect(contest.pin, tokens["unitadmin"], role="screen")
    a, _ = await connect(contest.pin, tokens["t0m0"])
    b, _ = await connect(contest.pin, tokens["t1m0"])
    me = await join(a)
    assert me["stage"]["you"]["captain"] is True
    await join(b)
    await host.send_to(text_data=json.dumps({"type": "start"}))
    turn = await receive(screen, "turn")
    assert (turn["format"], turn["step"]) == ("qiangda", "reading")
    # a buzz before "请抢答" costs the early-buzz penalty
    await b.send_to(text_data=json.dumps({"type": "buzz", "seq": 1}))
    early = await until(screen, "verdict", kind="early_buzz")
    assert (early["team"], early["delta"]) == ("第2党支部", -10)
    await host.send_to(text_data=json.dumps({"type": "open_buzzer"}))
    assert (await until(a, "buzzer", state="open"))["eligible"] == ["第1党支部", "第2党支部"]
    await a.send_to(text_data=json.dumps({"type": "buzz", "seq": 1}))
    won = await until(screen, "buzzer", state="won")
    assert won["team"] == "第1党支部"
    await host.send_to(text_data=json.dumps({"type": "judge", "result": "right"}))
    verdict = await until(b, "verdict", kind="answer")
    assert (verdict["team"], verdict["delta"], verdict["by"]) == ("第1党支部", 10, "judge")
    scores = {row["name"]: row["score"] for row in verdict["scores"]}
    assert scores == {"第1党支部": 110, "第2党支部": 90}
    # the judge corrects the decision: every standing recomputed
    await host.send_to(
        text_data=json.dumps({"type": "correct", "entry": verdict["entry"], "result": "wrong"})
    )
    corrected = await until(screen, "verdict", kind="correction")
    assert {r["name"]: r["score"] for r in corrected["scores"]}["第1党支部"] == 90
    await host.send_to(text_data=json.dumps({"type": "end"}))
    await receive(a, "finished")
    for socket in (host, screen, a, b):
        await socket.disconnect()

    @database_sync_to_async
    def stored():
        contest.refresh_from_db()
        return (
            list(ContestDecision.objects.filter(contest=contest).values_list("kind", "delta")),
            dict(ContestResult.objects.filter(contest=contest).values_list("name", "score")),
            contest.status,
        )

    decisions, results, status = await stored()
    assert decisions == [("early_buzz", -10), ("answer", 10), ("correction", -10)]
    assert results == {"队0员0": 90, "队1员0": 90} and status == "finished"


@pytest.mark.skipif(not settings.REDIS_URL, reason="rooms are shared across workers through Redis")
async def test_twenty_buzzes_on_two_workers_give_one_winner_the_earliest():
    from channels_redis.core import RedisChannelLayer

    contest, tokens = await stage_world(teams=20)
    second = Runtime(layer=RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"]))
    other_app = websocket_application(
        [re_path(r"^ws/contests/(?P<pin>[0-9]{6})/$", ContestConsumer.as_asgi(runtime=second))]
    )
    host, _ = await connect(contest.pin, tokens["unitadmin"], role="host")
    captains = []
    for t in range(20):
        if t % 2:
            socket = WebsocketCommunicator(
                other_app,
                f"/ws/contests/{contest.pin}/?role=player",
                headers=[ORIGIN, (b"authorization", f"Token {tokens[f't{t}m0']}".encode())],
            )
            assert (await socket.connect())[0]
        else:
            socket, _ = await connect(contest.pin, tokens[f"t{t}m0"])
        await join(socket)
        captains.append(socket)
    await host.send_to(text_data=json.dumps({"type": "start"}))
    await host.send_to(text_data=json.dumps({"type": "open_buzzer"}))
    for socket in captains:
        await until(socket, "buzzer", state="open")
    frame = json.dumps({"type": "buzz", "seq": 1})
    await asyncio.gather(*(socket.send_to(text_data=frame) for socket in captains))
    accepted, late = {}, []
    for t, socket in enumerate(captains):
        result = await receive(socket, "buzz_result")
        if result["accepted"]:
            accepted[f"第{t + 1}党支部"] = result["at"]
        else:  # a loaded machine may deliver some after the decision window: refused so
            assert result["reason"] == "closed", result
            late.append(result["at"])
    assert len(accepted) >= 2
    winners = [await until(socket, "buzzer", state="won") for socket in captains]
    assert len({w["team"] for w in winners}) == 1  # every worker's sockets hear one winner
    earliest = min(accepted.values())
    assert accepted[winners[0]["team"]] == earliest
    ordered = sorted(accepted.values())
    assert winners[0]["margin_ms"] == ordered[1] - ordered[0]
    window = 120  # the default decision window (grace_ms in contests.stage)
    assert max(accepted.values()) - earliest < window  # the accepted: within the window
    assert all(at >= earliest + window for at in late)  # the refused: after it
    second.reset()
    for socket in (host, *captains):
        await socket.disconnect()

    @database_sync_to_async
    def status():
        return Contest.objects.get(pk=contest.pk).status

    assert await status() == "running"
