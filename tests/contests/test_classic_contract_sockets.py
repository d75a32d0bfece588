"""The classic room's contract through the socket (issue 12): a locked lobby
refuses a join with ``error locked`` and keeps the socket; the host's state and
lobby carry the roster (nobody else's); ``you`` carries the streak and comes in
the player's ``finished``; the host's answered count starts at 0 per question.
Runs on the in-memory layer, and on Redis when REDIS_URL is set."""

import json

import jsonschema
import pytest

from backend.asgi import application
from contests import protocol

from .conftest import receive, send_json_to
from .test_consumers import frames, world

pytestmark = pytest.mark.django_db(transaction=True)


def valid(message: dict) -> dict:
    jsonschema.validate(message, protocol.server_schema(message["type"]))
    return message


async def test_a_locked_lobby_refuses_a_join_and_keeps_the_socket(open_socket):
    contest, tokens = await world()
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    await receive(host, "state")
    first = await open_socket(application, contest.pin, tokens["m0"])
    await receive(first, "state")
    await send_json_to(first, {"type": "join"})
    assert (await receive(first, "state"))["you"]["name"] == "党员0"
    await send_json_to(host, {"type": "lock", "locked": True})
    assert (await receive(host, "state"))["locked"] is True

    # a second member joins the locked lobby: refused, with the catalogue's text
    late = await open_socket(application, contest.pin, tokens["m1"])
    await receive(late, "state")
    await send_json_to(late, {"type": "join"})
    refusal = valid(await receive(late, "error"))
    assert (refusal["code"], refusal["reason"]) == ("locked", "lobby")
    assert refusal["message"] == "主持人已锁定房间，暂时无法加入。"
    # no state with `you`, and the socket stays open (no 4403 close)
    assert all("you" not in m for m in await frames(late))
    await send_json_to(late, {"type": "join"})
    assert (await receive(late, "error"))["code"] == "locked"
    # the host's count did not move
    host_frames = await frames(host)
    assert all(m["players"] == 1 for m in host_frames if m["type"] in ("lobby", "state"))

    # the one who joined before the lock reloads and joins again
    await first.disconnect()
    again = await open_socket(application, contest.pin, tokens["m0"])
    assert (await receive(again, "state"))["you"]["name"] == "党员0"
    await send_json_to(again, {"type": "join"})
    assert (await receive(again, "state"))["you"]["name"] == "党员0"

    # started and still locked: refused the same way, the socket still open
    await send_json_to(host, {"type": "start"})
    await receive(late, "question")
    await send_json_to(late, {"type": "join"})
    refusal = valid(await receive(late, "error"))
    assert refusal["code"] == "locked" and "reason" not in refusal


async def test_the_host_alone_gets_the_roster(open_socket):
    contest, tokens = await world(format="team")
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    assert valid(await receive(host, "state"))["roster"] == []
    screen = await open_socket(application, contest.pin, tokens["secretary"], role="screen")
    await receive(screen, "state")
    players = []
    for name in ("m0", "m1"):
        player = await open_socket(application, contest.pin, tokens[name])
        await receive(player, "state")
        await send_json_to(player, {"type": "join"})
        assert "roster" not in await receive(player, "state")
        players.append(player)
    lobby = valid(await receive(host, "lobby", players=2))
    assert [(r["name"], r["branch"], r["guest"]) for r in lobby["roster"]] == [
        ("党员1", "机关第一党支部", False),
        ("党员0", "机关第一党支部", False),
    ]
    assert all("roster" not in m for m in await frames(screen) + await frames(players[0]))
    # a reconnecting host gets it in the state; a kick takes the player out of it
    await host.disconnect()
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    roster = valid(await receive(host, "state"))["roster"]
    assert [r["name"] for r in roster] == ["党员1", "党员0"]
    await send_json_to(host, {"type": "kick", "player": roster[0]["player"]})
    lobby = valid(await receive(host, "lobby"))
    assert [r["name"] for r in lobby["roster"]] == ["党员0"] and lobby["players"] == 1


async def test_streak_and_the_players_finished_and_a_fresh_count_per_question(open_socket):
    contest, tokens = await world()
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    await receive(host, "state")
    a = await open_socket(application, contest.pin, tokens["m0"])
    b = await open_socket(application, contest.pin, tokens["m1"])
    for player in (a, b):
        await receive(player, "state")
        await send_json_to(player, {"type": "join"})
        await receive(player, "state")
    await send_json_to(host, {"type": "start"})
    await receive(a, "question")
    await send_json_to(a, {"type": "answer", "seq": 1, "choices": ["B"]})
    await send_json_to(b, {"type": "answer", "seq": 1, "choices": ["A"]})
    await receive(a, "answer_ack")
    await receive(b, "answer_ack")
    assert (await receive(host, "progress"))["answered"] == 2
    await send_json_to(host, {"type": "close"})
    assert valid(await receive(a, "reveal"))["you"]["streak"] == 1
    assert (await receive(b, "reveal"))["you"]["streak"] == 0
    board = valid(await receive(a, "scoreboard"))
    assert [r["previous"] for r in board["top"]] == [None, None]

    # a reload after the reveal: the streak comes with `you` (from the store's view)
    await a.disconnect()
    a = await open_socket(application, contest.pin, tokens["m0"])
    assert valid(await receive(a, "state"))["you"]["streak"] == 1

    # the next question: the host's count starts again at 0
    await send_json_to(host, {"type": "next"})
    await receive(host, "question")
    await host.disconnect()
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    state = valid(await receive(host, "state"))
    assert (state["phase"], state["seq"], state["answered"]) == ("question", 2, 0)

    await send_json_to(a, {"type": "answer", "seq": 2, "choices": ["B"]})
    await receive(a, "answer_ack")
    await send_json_to(host, {"type": "end"})
    board = valid(await receive(a, "scoreboard"))
    assert {r["name"]: r["previous"] for r in board["top"]} == {"党员0": 1, "党员1": 2}
    finished = valid(await receive(a, "finished"))
    assert finished["you"] == {
        "name": "党员0",
        "score": finished["podium"][0]["score"],
        "rank": 1,
        "streak": 2,
        "correct": 2,
        "answered": 2,
        "asked": 2,
    }
    mine = valid(await receive(b, "finished"))
    assert (mine["you"]["rank"], mine["you"]["correct"], mine["you"]["asked"]) == (2, 0, 2)
    assert "you" not in valid(await receive(host, "finished"))
    assert json.dumps(finished, ensure_ascii=False).count("党员1") == 1  # in the podium only
