"""The contest socket end to end: roles, a whole game, reconnects, duplicates,
persistence, the server's timer. Runs on the in-memory layer, and on Redis when
REDIS_URL is set (CI's second pass)."""

import asyncio
import io
import json

import jsonschema
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.urls import re_path
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role
from backend.asgi import application, websocket_application
from backend.points.models import PointEvent
from contests import protocol, services
from contests.consumers import ContestConsumer
from contests.models import Contest, ContestAnswer, ContestResult
from contests.runtime import Runtime, runtime

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


@database_sync_to_async
def world(**contest_options):
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    host = make_user(Role.SECRETARY, branch=branch, username="secretary")
    players = [
        make_user(branch=branch, username=f"m{i}", display_name=f"党员{i}") for i in range(2)
    ]
    bank = make_bank()
    questions = [make_question(bank, "single") for _ in range(2)]
    quiz = make_quiz(questions)
    contest = services.contest_create(host=host, quiz=quiz, **contest_options)
    tokens = {u.username: Token.objects.create(user=u).key for u in [host, *players]}
    return contest, tokens


async def connect(pin, token=None, role="player", guest=None, origin=ORIGIN):
    query = f"role={role}" + (f"&guest={guest}" if guest else "")
    headers = [origin] if origin else []
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    socket = WebsocketCommunicator(application, f"/ws/contests/{pin}/?{query}", headers=headers)
    # a generous timeout: under load (CI's two cores) a connect storm of 40 sockets
    # may keep one waiting past Channels' default second
    connected, _ = await socket.connect(timeout=10)
    return socket, connected


async def receive(socket, kind=None, timeout=10):
    while True:
        message = json.loads(await socket.receive_from(timeout=timeout))
        if kind is None or message["type"] == kind:
            return message


async def frames(socket, timeout=0.3):
    """Everything queued for ``socket`` (a receive that times out would stop the app)."""
    found = []
    while not await socket.receive_nothing(timeout=timeout):
        found.append(json.loads(await socket.receive_from()))
    return found


async def test_a_whole_game():
    contest, tokens = await world()
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    assert (await receive(host))["type"] == "state"
    screen, _ = await connect(contest.pin, tokens["secretary"], role="screen")
    await receive(screen, "state")
    a, _ = await connect(contest.pin, tokens["m0"])
    b, _ = await connect(contest.pin, tokens["m1"])
    for player in (a, b):
        await receive(player, "state")
        await player.send_to(text_data=json.dumps({"type": "join"}))
        joined = await receive(player, "state")
        assert joined["you"]["score"] == 0
    before_reveal = await frames(a) + await frames(screen)

    await host.send_to(text_data=json.dumps({"type": "start"}))
    question = await receive(a, "question")
    before_reveal += [question, await receive(screen, "question")]
    await a.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["B"]}))
    await b.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["A"]}))
    assert (await receive(a, "answer_ack"))["accepted"] is True
    assert (await receive(b, "answer_ack"))["accepted"] is True
    before_reveal += await frames(a) + await frames(screen)
    assert all("correct" not in m for m in before_reveal), "no answer before the reveal"
    progress = await receive(host, "progress")
    jsonschema.validate(progress, protocol.server_schema("progress"))
    assert (progress["answered"], progress["players"]) == (2, 2)

    await host.send_to(text_data=json.dumps({"type": "close"}))
    reveal = await receive(a, "reveal")
    assert reveal["correct"] == ["B"] and reveal["you"]["correct"] is True
    assert (await receive(b, "reveal"))["you"]["points"] == 0
    screen_reveal = await receive(screen, "reveal")
    assert screen_reveal["distribution"] == {"A": 1, "B": 1, "C": 0, "D": 0}
    board = await receive(screen, "scoreboard")
    assert board["top"][0]["name"] == "党员0"

    await host.send_to(text_data=json.dumps({"type": "next"}))
    await receive(a, "question")
    await host.send_to(text_data=json.dumps({"type": "end"}))
    finished = await receive(a, "finished")
    assert finished["podium"][0]["name"] == "党员0"
    for socket in (host, screen, a, b):
        await socket.disconnect()

    @database_sync_to_async
    def stored():
        return (
            ContestAnswer.objects.filter(contest=contest).count(),
            list(ContestResult.objects.filter(contest=contest).values_list("name", "rank")),
            PointEvent.objects.filter(rule__kind="contest_participation").count(),
            Contest.objects.get(pk=contest.pk).status,
        )

    answers, results, points, status = await stored()
    assert answers == 2 and results == [("党员0", 1), ("党员1", 2)]
    assert points == 2 and status == "finished"

    @database_sync_to_async
    def exported():
        from openpyxl import load_workbook

        from contests.exports import contest_results_xlsx

        workbook = load_workbook(io.BytesIO(contest_results_xlsx(contest)))
        people = list(workbook["个人成绩"].iter_rows(min_row=2, values_only=True))
        questions = list(workbook["逐题统计"].iter_rows(min_row=2, values_only=True))
        return workbook.sheetnames, people, questions

    sheets, people, questions = await exported()
    assert sheets[:2] == ["个人成绩", "逐题统计"]
    assert people[0][:4] == (1, "党员0", "机关第一党支部", results and people[0][3])
    # right answers of the asked (2 questions) and of the answered, apart, beside the score
    assert people[0][6:9] == (2, 0.5, 1.0) and people[1][7:9] == (0.0, 0.0)
    assert questions[0][2:5] == (2, 1, 0.5)


async def test_a_correction_recounts_the_answers_of_every_closed_question():
    """The shared store keeps a room without its closed questions' answers (the
    board holds their running totals): a rescore must still count them all."""
    contest, tokens = await world()
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    a, _ = await connect(contest.pin, tokens["m0"])
    b, _ = await connect(contest.pin, tokens["m1"])
    for player in (a, b):
        await receive(player, "state")
        await player.send_to(text_data=json.dumps({"type": "join"}))
        await receive(player, "state")
    for seq, (choice_a, choice_b) in enumerate([("B", "A"), ("A", "B")], start=1):
        await host.send_to(text_data=json.dumps({"type": "start" if seq == 1 else "next"}))
        for player, choice in ((a, choice_a), (b, choice_b)):
            await receive(player, "question")
            await player.send_to(
                text_data=json.dumps({"type": "answer", "seq": seq, "choices": [choice]})
            )
            assert (await receive(player, "answer_ack"))["accepted"] is True
        await host.send_to(text_data=json.dumps({"type": "close"}))
        await receive(a, "scoreboard")
    # The key of question 1 was A after all: 党员1 was right twice, 党员0 never.
    await host.send_to(text_data=json.dumps({"type": "rescore", "seq": 1, "correct": ["A"]}))
    board = await receive(a, "scoreboard")
    top = {row["name"]: row for row in board["top"]}
    assert (top["党员1"]["rank"], top["党员1"]["accuracy"]) == (1, 1.0)
    assert (top["党员0"]["rank"], top["党员0"]["score"]) == (2, 0)
    for socket in (host, a, b):
        await socket.disconnect()


async def test_reconnect_keeps_score_and_refuses_a_second_answer():
    contest, tokens = await world()
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    a, _ = await connect(contest.pin, tokens["m0"])
    await a.send_to(text_data=json.dumps({"type": "join"}))
    await host.send_to(text_data=json.dumps({"type": "start"}))
    await receive(a, "question")
    await a.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["B"]}))
    await receive(a, "answer_ack")
    await a.disconnect()

    again, _ = await connect(contest.pin, tokens["m0"])
    snapshot = await receive(again, "state")
    assert snapshot["you"]["answered"] is True and snapshot["question"]["seq"] == 1
    for _ in range(5):
        await again.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["B"]}))
    acks = [await receive(again, "answer_ack") for _ in range(5)]
    assert {a["reason"] for a in acks} == {"duplicate"}
    await again.disconnect()
    await host.disconnect()


async def test_same_answer_five_times_at_once_counts_once():
    contest, tokens = await world()
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    a, _ = await connect(contest.pin, tokens["m0"])
    await a.send_to(text_data=json.dumps({"type": "join"}))
    await host.send_to(text_data=json.dumps({"type": "start"}))
    await receive(a, "question")
    frame = json.dumps({"type": "answer", "seq": 1, "choices": ["B"]})
    await asyncio.gather(*(a.send_to(text_data=frame) for _ in range(5)))
    acks = [await receive(a, "answer_ack") for _ in range(5)]
    assert sum(ack["accepted"] for ack in acks) == 1
    assert len(await runtime.store.answers(contest.pin, 1)) == 1
    await host.send_to(text_data=json.dumps({"type": "close"}))
    assert (await receive(a, "reveal"))["you"]["answered"] is True
    stored = ContestAnswer.objects.filter(contest=contest)
    assert await database_sync_to_async(stored.count)() == 1
    await a.disconnect()
    await host.disconnect()


async def test_roles_and_guests_are_checked():
    contest, tokens = await world()
    member_as_host, _ = await connect(contest.pin, tokens["m0"], role="host")
    refused = await receive(member_as_host, "error")
    assert refused["code"] == "forbidden"
    guest, _ = await connect(contest.pin, None, guest="ab" * 10)
    assert (await receive(guest, "error"))["code"] == "forbidden"
    _socket, connected = await connect(
        contest.pin, tokens["m0"], origin=(b"origin", b"https://evil.example")
    )
    assert not connected
    unknown, _ = await connect("999999", tokens["m0"])
    assert (await receive(unknown, "error"))["code"] == "not_found"
    player, _ = await connect(contest.pin, tokens["m0"])
    await receive(player, "state")
    await player.send_to(text_data=json.dumps({"type": "start"}))
    assert (await receive(player, "error"))["code"] == "forbidden"
    await player.send_to(text_data="{not json")
    assert (await receive(player, "error"))["code"] == "invalid"
    await player.send_to(text_data="x" * 5000)
    assert (await receive(player, "error"))["code"] == "too_large"
    for socket in (member_as_host, guest, unknown, player):
        await socket.disconnect()


async def test_guests_join_with_a_unique_nickname_when_allowed():
    contest, _tokens = await world(allow_guests=True)
    first, _ = await connect(contest.pin, None, guest="0" * 16)
    await receive(first, "state")
    await first.send_to(text_data=json.dumps({"type": "join", "nickname": "访客"}))
    assert (await receive(first, "state"))["you"]["name"] == "访客"
    second, _ = await connect(contest.pin, None, guest="1" * 16)
    await receive(second, "state")
    await second.send_to(text_data=json.dumps({"type": "join", "nickname": "访客"}))
    assert (await receive(second, "error"))["code"] == "nickname"
    await first.disconnect()
    await second.disconnect()


async def test_the_server_closes_the_question_on_time():
    contest, tokens = await world()

    @database_sync_to_async
    def quick():
        Contest.objects.filter(pk=contest.pk).update(seconds_per_question=1)

    await quick()
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    await host.send_to(text_data=json.dumps({"type": "start"}))
    await receive(host, "question")
    reveal = await receive(host, "reveal", timeout=10)  # nobody pressed "close"
    assert reveal["seq"] == 1
    await host.disconnect()


async def test_a_restarted_worker_carries_on_from_the_last_reveal():
    contest, tokens = await world()
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    a, _ = await connect(contest.pin, tokens["m0"])
    await a.send_to(text_data=json.dumps({"type": "join"}))
    await host.send_to(text_data=json.dumps({"type": "start"}))
    await receive(a, "question")
    await a.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["B"]}))
    await receive(a, "answer_ack")
    await host.send_to(text_data=json.dumps({"type": "close"}))
    await receive(a, "reveal")
    await a.disconnect()
    await host.disconnect()

    runtime.reset()  # the worker restarts: nothing in memory

    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    snapshot = await receive(host, "state")
    assert (snapshot["phase"], snapshot["seq"]) == ("reveal", 1)
    a, _ = await connect(contest.pin, tokens["m0"])
    assert (await receive(a, "state"))["you"]["score"] == 1000
    await host.send_to(text_data=json.dumps({"type": "next"}))
    assert (await receive(a, "question"))["seq"] == 2
    await a.disconnect()
    await host.disconnect()


@pytest.mark.skipif(not settings.REDIS_URL, reason="rooms are shared across workers through Redis")
async def test_two_workers_play_one_room():
    """Two application instances, each with its own runtime, store client and
    channel layer: the host and one player on the first, another on the second."""
    from channels_redis.core import RedisChannelLayer

    contest, tokens = await world()
    second = Runtime(layer=RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"]))
    other_app = websocket_application(
        [re_path(r"^ws/contests/(?P<pin>[0-9]{6})/$", ContestConsumer.as_asgi(runtime=second))]
    )
    host, _ = await connect(contest.pin, tokens["secretary"], role="host")
    a, _ = await connect(contest.pin, tokens["m0"])
    b = WebsocketCommunicator(
        other_app,
        f"/ws/contests/{contest.pin}/?role=player",
        headers=[ORIGIN, (b"authorization", f"Token {tokens['m1']}".encode())],
    )
    assert (await b.connect())[0]
    for player in (a, b):
        await receive(player, "state")
        await player.send_to(text_data=json.dumps({"type": "join"}))
        await receive(player, "state")
    await host.send_to(text_data=json.dumps({"type": "start"}))
    for player in (a, b):
        await receive(player, "question")
    await b.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["B"]}))
    assert (await receive(b, "answer_ack"))["accepted"] is True
    await b.send_to(text_data=json.dumps({"type": "answer", "seq": 1, "choices": ["B"]}))
    assert (await receive(b, "answer_ack"))["reason"] == "duplicate"  # seen by both workers
    await host.send_to(text_data=json.dumps({"type": "close"}))  # applied by the first
    assert (await receive(b, "reveal"))["you"]["correct"] is True
    assert (await receive(a, "reveal"))["you"]["answered"] is False
    second.reset()
    for socket in (host, a, b):
        await socket.disconnect()


async def test_a_deactivated_member_is_dropped_at_once():
    contest, tokens = await world()
    a, _ = await connect(contest.pin, tokens["m0"])
    await a.send_to(text_data=json.dumps({"type": "join"}))
    await receive(a, "state")
    b, _ = await connect(contest.pin, tokens["m1"])
    await receive(b, "state")

    @database_sync_to_async
    def deactivate(username):
        from backend.accounts.models import User

        user = User.objects.get(username=username)
        user.is_active = False
        user.save()

    await deactivate("m0")
    refusal = await receive(a, "error")
    assert refusal["code"] == "inactive"
    assert (await a.receive_output())["type"] == "websocket.close"
    assert await b.receive_nothing(timeout=0.2)  # the others play on
    await b.disconnect()
