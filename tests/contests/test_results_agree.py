"""Results that agree with the game (issue 12): after a live rescore and a void,
the game's last ``scoreboard``/``finished``, the results page, the results API
and its workbook give the same score for every player and team — in the classic
and the team format — and right answers are shown of the questions asked and of
those answered, apart."""

import re
from io import BytesIO

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.asgi import application
from contests import services

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .conftest import receive, send_json_to

pytestmark = pytest.mark.django_db(transaction=True)
GUEST = "0123456789abcdef0123"

# (player, answer) per question; the key is B everywhere until the host corrects it
PLAY = {
    1: {"m0": "A", "m1": "B", "m2": "C", "guest": "B"},  # then rescored to A
    2: {"m0": "B", "m1": "B", "m2": "A", "guest": "C"},
    3: {"m0": "B", "m2": "B", "guest": "B"},  # then voided
    4: {"m0": "A", "m1": "B", "m2": "B"},  # the end comes while it is open
}


@database_sync_to_async
def world(fmt):
    unit = make_unit("市直机关工委")
    first, second = make_branch(unit, "第一党支部"), make_branch(unit, "第二党支部")
    host = make_user(Role.SECRETARY, branch=first, username="secretary")
    members = [
        make_user(branch=branch, username=f"m{i}", display_name=f"党员{i}")
        for i, branch in enumerate((first, first, second))
    ]
    quiz = make_quiz([make_question(make_bank(), "single") for _ in range(4)])
    contest = services.contest_create(host=host, quiz=quiz, format=fmt, allow_guests=True)
    tokens = {u.username: Token.objects.create(user=u).key for u in [host, *members]}
    return contest, tokens, host


async def play_a_game(open_socket, contest, tokens):
    """The whole game through the sockets; returns the screen's last scoreboard,
    its finished, and each player's own finished."""
    host = await open_socket(application, contest.pin, tokens["secretary"], role="host")
    screen = await open_socket(application, contest.pin, tokens["secretary"], role="screen")
    await receive(host, "state")
    await receive(screen, "state")
    players = {}
    for name in ("m0", "m1", "m2", "guest"):
        if name == "guest":
            socket = await open_socket(application, contest.pin, guest=GUEST)
        else:
            socket = await open_socket(application, contest.pin, tokens[name])
        await receive(socket, "state")
        await send_json_to(socket, {"type": "join", "nickname": "小访客"})
        await receive(socket, "state")
        players[name] = socket
    last_board = None
    for seq, answers in PLAY.items():
        await send_json_to(host, {"type": "start" if seq == 1 else "next"})
        await receive(host, "question", seq=seq)
        for name, choice in answers.items():
            await send_json_to(players[name], {"type": "answer", "seq": seq, "choices": [choice]})
            assert (await receive(players[name], "answer_ack"))["accepted"] is True
        if seq == 4:
            break
        await send_json_to(host, {"type": "close"})
        last_board = await receive(screen, "scoreboard", seq=seq)
        if seq == 1:
            await send_json_to(host, {"type": "rescore", "seq": 1, "correct": ["A"]})
            corrected = await receive(screen, "scoreboard", seq=1)
            assert corrected != last_board  # the rescore moved the scores
            last_board = corrected
        if seq == 3:
            await send_json_to(host, {"type": "void", "seq": 3})
            last_board = await receive(screen, "scoreboard", seq=3)
    await send_json_to(host, {"type": "end"})
    last_board = await receive(screen, "scoreboard", seq=4)
    finished = await receive(screen, "finished")
    own = {name: (await receive(socket, "finished"))["you"] for name, socket in players.items()}
    return last_board, finished, own


@database_sync_to_async
def what_the_results_say(contest, host):
    api = APIClient()
    api.force_authenticate(host)
    body = api.get(f"/api/v1/contests/{contest.pk}/results/").json()
    workbook = load_workbook(
        BytesIO(api.get(f"/api/v1/contests/{contest.pk}/results/?format=xlsx").content)
    )
    browser = Client()
    browser.force_login(host)
    page = browser.get(f"/contests/{contest.pk}/results/").content.decode()
    return body, workbook, page


def page_rows(page: str) -> dict[str, tuple[int, str, str]]:
    rows = {}
    for row in re.findall(r'<tr data-testid="result-row">(.*?)</tr>', page, re.S):
        name = re.search(r'data-testid="name">([^<]+)', row)[1].strip()
        score = int(re.search(r'data-testid="score">(-?\d+)<', row)[1])
        asked = re.search(r'data-testid="of-asked">([^<]+)<', row)[1]
        answered = re.search(r'data-testid="of-answered">([^<]+)<', row)[1]
        rows[name] = (score, asked, answered)
    return rows


@pytest.mark.parametrize("fmt", ["classic", "team"])
async def test_the_page_the_api_the_workbook_and_the_game_agree(open_socket, fmt):
    # given a game with a rescore of Q1 and a void of Q3
    contest, tokens, host = await world(fmt)
    last_board, finished, own = await play_a_game(open_socket, contest, tokens)
    body, workbook, page = await what_the_results_say(contest, host)

    # then every player's score is the live scoreboard's, everywhere
    live = {row["name"]: row["score"] for row in last_board["top"]}
    assert len(live) == 4
    api = {row["name"]: row["score"] for row in body["ranking"]}
    sheet = {row[1]: row[3] for row in workbook["个人成绩"].iter_rows(min_row=2, values_only=True)}
    shown = {name: score for name, (score, _a, _b) in page_rows(page).items()}
    mine = {you["name"]: you["score"] for you in own.values()}
    assert api == live and sheet == live and shown == live and mine == live
    podium = {row["name"]: row["score"] for row in finished["podium"]}
    assert all(live[name] == score for name, score in podium.items())
    # the corrections count: Q1 rescored to A (党员0 right, 党员1 and the guest wrong),
    # Q3 voided (nobody's), so 党员1 has Q2 and Q4 right, the guest nothing
    rows = {row["name"]: row for row in body["ranking"]}
    assert (rows["党员0"]["correct"], rows["党员1"]["correct"], rows["小访客"]["correct"]) == (
        2,
        2,
        0,
    )
    assert live["小访客"] == 0 and live["党员0"] > 0

    # right answers of the asked and of the answered, apart (Q3 voided: 3 asked)
    assert body["asked"] == 3
    assert (rows["小访客"]["answered"], rows["小访客"]["asked"]) == (2, 3)
    assert page_rows(page)["小访客"][1:] == ("0/3", "0/2")
    assert page_rows(page)["党员1"][1:] == ("2/3", "2/3")
    header = [cell.value for cell in workbook["个人成绩"][1]]
    assert header[4:9] == ["答对题数", "作答题数", "出题数", "答对/出题", "答对/作答"]
    assert own["m1"] == {
        "name": "党员1",
        "score": live["党员1"],
        "rank": rows["党员1"]["rank"],
        "streak": 2,
        "correct": 2,
        "answered": 3,
        "asked": 3,
    }
    # the per-question sheet marks the void and counts against the corrected key
    questions = list(workbook["逐题统计"].iter_rows(min_row=2, values_only=True))
    assert [(q[0], q[3], q[5] or "") for q in questions] == [
        (1, 1, ""),
        (2, 2, ""),
        (3, 3, "是"),
        (4, 2, ""),
    ]

    if fmt == "team":
        # and every team's score is the live scoreboard's and the finished's
        live_teams = {t["name"]: t["score"] for t in last_board["teams"]}
        assert {t["name"]: t["score"] for t in finished["teams"]} == live_teams
        assert {t["name"]: t["score"] for t in body["teams"]} == live_teams
        team_sheet = workbook["团体成绩"].iter_rows(min_row=2, values_only=True)
        assert {row[1]: row[2] for row in team_sheet} == live_teams
        shown_teams = re.findall(
            r"<td>([^<]+)</td><td class=\"num\" data-testid=\"team-score\">(-?\d+)<", page
        )
        assert {name: int(score) for name, score in shown_teams} == live_teams
        assert len(live_teams) == 2
    else:
        assert "teams" not in body and "团体成绩" not in workbook.sheetnames
