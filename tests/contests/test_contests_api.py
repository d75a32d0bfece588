"""POST /api/v1/contests/ and the results."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from contests import engine, services, stage
from contests.models import Contest

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    bank = make_bank()
    return make_quiz([make_question(bank) for _ in range(3)])


def test_secretary_opens_a_contest(org, api_as, quiz):
    response = api_as(org.secretary).post(
        "/api/v1/contests/", {"quiz": quiz.pk, "mode": "team"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    contest = Contest.objects.get(pk=body["id"])
    assert len(body["pin"]) == 6 and body["pin"].isdigit() and contest.format == "team"
    assert body["join_url"].endswith(f"/join/{body['pin']}/")
    assert body["ws_url"] == f"ws://testserver/ws/contests/{body['pin']}/"
    assert len(contest.question_ids) == 3


def test_members_cannot_open_contests(org, api_as, quiz):
    response = api_as(org.member_a1).post("/api/v1/contests/", {"quiz": quiz.pk}, format="json")
    assert response.status_code == 403 and response.json()["detail"]


def test_bad_input_is_400(org, api_as, quiz):
    client = api_as(org.secretary)
    assert client.post("/api/v1/contests/", {"quiz": 999999}, format="json").status_code == 400
    bad = client.post("/api/v1/contests/", {"quiz": quiz.pk, "mode": "chaos"}, format="json")
    assert bad.status_code == 400 and "mode" in bad.json()
    short = client.post(
        "/api/v1/contests/", {"quiz": quiz.pk, "seconds_per_question": 1}, format="json"
    )
    assert short.status_code == 400


def test_results_are_scoped(org, api_as, quiz):
    contest_id = (
        api_as(org.secretary)
        .post("/api/v1/contests/", {"quiz": quiz.pk}, format="json")
        .json()["id"]
    )
    assert api_as(org.secretary).get(f"/api/v1/contests/{contest_id}/results/").status_code == 200
    assert api_as(org.unit_admin).get(f"/api/v1/contests/{contest_id}/results/").status_code == 200
    assert api_as(org.secretary_b).get(f"/api/v1/contests/{contest_id}/results/").status_code == 404
    assert api_as(org.member_a1).get(f"/api/v1/contests/{contest_id}/results/").status_code == 404


STAGE = {
    "mode": "stage",
    "title": "2026 年度机关党建知识竞赛决赛",
    "teams": [{"name": "机关第一党支部"}, {"name": "机关第二党支部", "mode": "members"}],
    "rounds": [{"format": "bida", "count": 2}, {"format": "qiangda", "count": 2}],
    "reserve": 1,
}


@pytest.fixture
def big_quiz():
    bank = make_bank()
    return make_quiz([make_question(bank) for _ in range(8)])


def test_a_unit_admin_opens_an_on_stage_contest(org, api_as, big_quiz):
    response = api_as(org.unit_admin).post(
        "/api/v1/contests/", {"quiz": big_quiz.pk, **STAGE}, format="json"
    )
    assert response.status_code == 201, response.json()
    contest = Contest.objects.get(pk=response.json()["id"])
    assert (contest.format, contest.title) == ("stage", STAGE["title"])
    rounds = contest.stage["rounds"]
    assert [(r["format"], r["title"], len(r["question_ids"])) for r in rounds] == [
        ("bida", "必答题", 2),
        ("qiangda", "抢答题", 2),
    ]
    assert len(contest.stage["reserve_ids"]) == 1
    used = [pk for r in rounds for pk in r["question_ids"]] + contest.stage["reserve_ids"]
    assert len(set(used)) == 5  # no question twice
    assert [t["mode"] for t in contest.stage["teams"]] == ["captain", "members"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"teams": [{"name": "一支部"}]}, "2 至 20 支参赛队"),
        ({"teams": [{"name": "一支部"}, {"name": "一支部"}]}, "不重复的队名"),
        ({"rounds": [{"format": "qiangda", "count": 20}]}, "共需 21 道"),
        ({"rounds": [{"format": "risk", "count": 1, "rules": {"stakes": [0]}}]}, "stakes"),
        ({"rounds": [{"format": "bida", "count": 1, "rules": {"bonus": 5}}]}, "bonus"),
        ({"rounds": []}, "参赛队和轮次"),
        ({"teams": [{"branch": 999999}, {"name": "二支部"}]}, "不能选择"),
    ],
)
def test_bad_on_stage_contests_are_refused_with_a_reason(org, api_as, big_quiz, change, fragment):
    response = api_as(org.unit_admin).post(
        "/api/v1/contests/", {"quiz": big_quiz.pk, **STAGE, **change}, format="json"
    )
    assert response.status_code == 400
    assert fragment in str(response.json())
    assert not Contest.objects.exists()


def test_on_stage_results_carry_the_teams_and_the_audit_log(org, api_as, big_quiz):
    contest = services.contest_create_stage(
        host=org.unit_admin, quiz=big_quiz, teams=STAGE["teams"], rounds=STAGE["rounds"]
    )
    room = services.contest_room(contest)
    t0 = 1_800_000_000_000
    for event in (
        engine.Join(t0, "u1", "甲", "机关第一党支部"),
        engine.Join(t0, "u2", "乙", "机关第二党支部"),
        engine.Start(t0),
        stage.Judge(t0 + 1000, "right"),  # 必答: the first team's turn
        engine.End(t0 + 2000),
    ):
        room, _ = stage.apply(room, event)
    services.contest_record_results(contest=contest, room=room)
    body = api_as(org.unit_admin).get(f"/api/v1/contests/{contest.pk}/results/").json()
    assert body["format"] == "stage"
    assert body["teams"] == [
        {"rank": 1, "name": "机关第一党支部", "score": 110},
        {"rank": 2, "name": "机关第二党支部", "score": 100},
    ]
    assert [(d["entry"], d["team"], d["result"], d["delta"]) for d in body["decisions"]] == [
        (1, "机关第一党支部", "right", 10)
    ]
    sheet = api_as(org.unit_admin).get(f"/api/v1/contests/{contest.pk}/results/?format=xlsx")
    assert sheet.status_code == 200
    workbook = load_workbook(BytesIO(sheet.content))
    assert workbook.sheetnames == ["团体成绩", "裁判记录"]
    assert [c.value for c in workbook["团体成绩"][2]] == [1, "机关第一党支部", 110, 100]
    assert [c.value for c in workbook["裁判记录"][2]][5:8] == ["作答", "正确", 10]
