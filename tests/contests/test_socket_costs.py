"""What the contest socket costs the database, measured where its queries run (the
one thread of ``database_sync_to_async``): a member's join spends one query, on
the token; a burst of answers spends none but the answers' own inserts; members
are checked again by one query per worker, which also drops a member deactivated
without a signal."""

import asyncio
import contextlib

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role, User
from backend.asgi import application
from contests import runtime as runtime_module
from contests import services

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .conftest import receive, send_json_to

pytestmark = pytest.mark.django_db(transaction=True)
MEMBERS = 20


@database_sync_to_async
def world():
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    host = make_user(Role.SECRETARY, branch=branch, username="secretary")
    members = [
        make_user(branch=branch, username=f"m{i}", display_name=f"党员{i}") for i in range(MEMBERS)
    ]
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(2)])
    contest = services.contest_create(host=host, quiz=quiz, seconds_per_question=60)
    tokens = {u.username: Token.objects.create(user=u).key for u in [host, *members]}
    return contest, tokens


@contextlib.asynccontextmanager
async def queries_of_the_sockets():
    """The SQL of the queries made meanwhile: Django's capture, on the thread where
    every ``database_sync_to_async`` call of the sockets runs (a connection is
    the thread's own)."""
    capture = CaptureQueriesContext(connection)
    captured: list[str] = []

    def stop():
        capture.__exit__(None, None, None)
        captured.extend(query["sql"] for query in capture.captured_queries)

    await database_sync_to_async(capture.__enter__)()
    try:
        yield captured
    finally:
        await database_sync_to_async(stop)()


async def _join(open_socket, pin, token):
    socket = await open_socket(application, pin, token)
    await receive(socket, "state")
    await send_json_to(socket, {"type": "join"})
    await receive(socket, "state")
    return socket


async def test_a_members_join_spends_one_query_on_the_token(open_socket):
    contest, tokens = await world()
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    await receive(host, "state")  # the contest and its room are loaded from here on

    async with queries_of_the_sockets() as queries:
        member = await _join(open_socket, contest.pin, tokens["m0"])

    reads = [sql for sql in queries if sql.startswith("SELECT")]
    assert len(reads) == 1, reads  # the token, its user and the user's branch
    assert "authtoken_token" in reads[0] and "accounts_branch" in reads[0]
    writes = [sql for sql in queries if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes and all('"contests_' in sql for sql in writes)  # the room's record
    await receive(host, "lobby")
    await send_json_to(host, {"type": "start"})
    question = await receive(member, "question")
    assert question["seq"] == 1


async def test_a_burst_of_answers_spends_no_query_but_their_inserts(open_socket, monkeypatch):
    monkeypatch.setattr(runtime_module, "RECHECK_SECONDS", 3600)  # the watcher's: below
    contest, tokens = await world()
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    await receive(host, "state")
    members = [await _join(open_socket, contest.pin, tokens[f"m{i}"]) for i in range(MEMBERS)]
    await send_json_to(host, {"type": "start"})
    for member in members:
        await receive(member, "question")

    async def answer(member):
        await send_json_to(member, {"type": "answer", "seq": 1, "choices": ["B"]})
        return await receive(member, "answer_ack")

    async with queries_of_the_sockets() as queries:
        acks = await asyncio.gather(*(answer(member) for member in members))

    assert all(ack["accepted"] for ack in acks)
    stored = [sql for sql in queries if sql.startswith("INSERT") and "contestanswer" in sql]
    assert stored and stored == queries  # the answers' own inserts, nothing else


@database_sync_to_async
def update_quietly(username: str, **fields) -> None:
    """A change that sends no signal (``signals.py`` does not hear of it)."""
    User.objects.filter(username=username).update(**fields)


async def test_members_turned_away_without_a_signal_are_dropped_by_the_recheck(
    open_socket, monkeypatch
):
    monkeypatch.setattr(runtime_module, "RECHECK_SECONDS", 0)  # at every watch
    contest, tokens = await world()
    deactivated, must_change, playing = [
        await _join(open_socket, contest.pin, tokens[name]) for name in ("m0", "m1", "m2")
    ]

    await update_quietly("m0", is_active=False)
    await update_quietly("m1", must_change_password=True)

    timeout = 3 * runtime_module.WATCH_SECONDS
    assert (await receive(deactivated, "error", timeout=timeout))["code"] == "inactive"
    assert (await deactivated.receive_output(timeout=2))["type"] == "websocket.close"
    refusal = await receive(must_change, "error", timeout=timeout)
    assert refusal["code"] == "password_change_required"
    assert await playing.receive_nothing(timeout=timeout)  # the others play on
