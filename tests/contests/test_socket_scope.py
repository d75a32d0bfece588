"""Who may take which role on a contest socket, and what a guest may call itself:
the screen socket follows the page's rule (the host, or a city admin); a guest
cannot take a player's name (nor the same with other spaces or case), a kicked
player's either, nor one of a room that Redis lost and the database gave back; a
kicked player's answer says so."""

import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.urls import re_path
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role
from backend.asgi import application, websocket_application
from backend.common.redis_options import channel_layer_config
from contests import services
from contests.consumers import ContestConsumer
from contests.runtime import Runtime
from contests.store import RedisStore

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .conftest import receive, send_json_to

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def world():
    unit = make_unit("市委组织部")
    branch = make_branch(unit, "机关第一党支部")
    people = {
        "host": make_user(Role.SECRETARY, branch=branch, username="host"),
        "other_secretary": make_user(
            Role.SECRETARY, branch=make_branch(unit, "机关第二党支部"), username="sec2"
        ),
        "unit_admin": make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin"),
        "city_admin": make_user(Role.CITY_ADMIN, username="cityadmin"),
        "member": make_user(branch=branch, username="m0", display_name="张 三"),
    }
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(2)])
    contest = services.contest_create(
        host=people["host"], quiz=quiz, allow_guests=True, question_on_screen_only=True
    )
    tokens = {name: Token.objects.create(user=user).key for name, user in people.items()}
    return contest, tokens


@pytest.mark.parametrize(
    ("who", "admitted"),
    [
        ("host", True),
        ("city_admin", True),
        ("unit_admin", False),
        ("other_secretary", False),
        ("member", False),
    ],
)
async def test_the_screen_socket_follows_the_screen_page(who, admitted, open_socket, client):
    contest, tokens = await world()
    screen = await open_socket(application, contest.pin, tokens[who], role="screen")
    first = await receive(screen)
    if admitted:
        assert first["type"] == "state"
    else:
        assert (first["type"], first["code"]) == ("error", "forbidden")
        assert first["message"]  # the text people read, from the catalogue
        assert (await screen.receive_output(timeout=2))["type"] == "websocket.close"
    # the page says the same
    user = await database_sync_to_async(lambda: Token.objects.get(key=tokens[who]).user)()
    await database_sync_to_async(client.force_login)(user)
    page = await database_sync_to_async(client.get)(f"/contests/{contest.pk}/screen/")
    assert (page.status_code == 200) == admitted


async def test_a_guest_cannot_take_a_players_name(open_socket):
    contest, tokens = await world()
    member = await open_socket(application, contest.pin, tokens["member"])
    await receive(member, "state")
    await send_json_to(member, {"type": "join"})
    assert (await receive(member, "state"))["you"]["name"] == "张 三"
    for n, name in enumerate(["张 三", "张三", " 张  三 "]):
        guest = await open_socket(application, contest.pin, guest=f"{n:032x}")
        await receive(guest, "state")
        await send_json_to(guest, {"type": "join", "nickname": name})
        assert (await receive(guest, "error"))["code"] == "nickname", name
    guest = await open_socket(application, contest.pin, guest="f" * 32)
    await receive(guest, "state")
    await send_json_to(guest, {"type": "join", "nickname": "李四"})
    joined = await receive(guest, "state")
    assert joined["you"]["name"] == "李四"


async def test_a_kicked_players_answer_says_kicked(open_socket):
    contest, tokens = await world()
    host = await open_socket(application, contest.pin, tokens["host"], role="host")
    await receive(host, "state")
    player = await open_socket(application, contest.pin, guest="a" * 32)
    await receive(player, "state")
    await send_json_to(player, {"type": "join", "nickname": "访客甲"})
    await receive(player, "state")
    await send_json_to(host, {"type": "start"})
    await receive(player, "question")
    await send_json_to(host, {"type": "kick", "player": "g-" + "a" * 32})
    await receive(player, "error", code="kicked")
    await send_json_to(player, {"type": "answer", "seq": 1, "choices": ["B"]})
    ack = await receive(player, "answer_ack")
    assert (ack["accepted"], ack["reason"]) == (False, "kicked")


async def test_a_kicked_players_name_stays_taken(open_socket):
    contest, tokens = await world()
    host = await open_socket(application, contest.pin, tokens["host"], role="host")
    await receive(host, "state")
    kicked = await open_socket(application, contest.pin, guest="a" * 32)
    await receive(kicked, "state")
    await send_json_to(kicked, {"type": "join", "nickname": "访客甲"})
    await receive(kicked, "state")
    await send_json_to(host, {"type": "kick", "player": "g-" + "a" * 32})
    await receive(kicked, "error", code="kicked")
    guest = await open_socket(application, contest.pin, guest="b" * 32)
    await receive(guest, "state")
    await send_json_to(guest, {"type": "join", "nickname": "访客 甲"})
    assert (await receive(guest, "error"))["code"] == "nickname"


async def test_a_room_that_redis_lost_keeps_its_players_names(redis_server, open_socket):
    contest, tokens = await world()
    layer = RedisChannelLayer(**channel_layer_config(redis_server.url))
    worker = Runtime(store=RedisStore(redis_server.url), layer=layer)
    app = websocket_application(
        [re_path(r"^ws/contests/(?P<pin>[0-9]{6})/$", ContestConsumer.as_asgi(runtime=worker))]
    )
    try:
        member = await open_socket(app, contest.pin, tokens["member"])
        await receive(member, "state")
        await send_json_to(member, {"type": "join"})
        await receive(member, "state")
        guest = await open_socket(app, contest.pin, guest="f" * 32)
        await receive(guest, "state")

        redis_server.restart()  # empty: the room is rebuilt from the database
        await send_json_to(guest, {"type": "join", "nickname": "张三"})

        assert (await receive(guest, "error", timeout=20))["code"] == "nickname"
    finally:
        worker.reset()
