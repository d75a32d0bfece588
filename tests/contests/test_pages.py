"""Contest pages: who may open which."""

import pytest

from contests import services
from contests.models import Contest, ContestDecision

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(org):
    quiz = make_quiz([make_question(make_bank())])
    return services.contest_create(host=org.secretary, quiz=quiz)


def test_members_cannot_hold_contests(org, client):
    client.force_login(org.member_a1)
    assert client.get("/contests/").status_code == 403


def test_secretary_opens_a_room_from_the_form(org, client):
    quiz = make_quiz([make_question(make_bank())], title="表单竞赛")
    client.force_login(org.secretary)
    page = client.get("/contests/")
    assert "表单竞赛" in page.content.decode()
    response = client.post(
        "/contests/",
        {
            "quiz": quiz.pk,
            "format": "classic",
            "seconds_per_question": 20,
            "points_per_question": 1000,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/host/")


def test_only_the_host_runs_the_console_and_screen(org, client, contest):
    client.force_login(org.secretary_b)
    assert client.get(f"/contests/{contest.pk}/host/").status_code == 403
    assert client.get(f"/contests/{contest.pk}/screen/").status_code == 403
    client.force_login(org.secretary)
    console = client.get(f"/contests/{contest.pk}/host/").content.decode()
    assert contest.pin in console and "<svg" in console  # the QR code, made on the server
    assert client.get(f"/contests/{contest.pk}/screen/").status_code == 200


def test_joining_by_pin(org, client, contest):
    response = client.get(f"/join/{contest.pin}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(org.member_a1)
    assert client.get(f"/join/?pin={contest.pin}")["Location"] == f"/join/{contest.pin}/"
    page = client.get(f"/join/{contest.pin}/")
    assert f'data-ws="/ws/contests/{contest.pin}/"' in page.content.decode()
    missing = client.get("/join/000000/")
    assert missing.status_code == 404 and "没有这个 PIN 码" in missing.content.decode()


def test_guests_may_open_the_page_when_allowed(org, client):
    quiz = make_quiz([make_question(make_bank())])
    contest = services.contest_create(host=org.secretary, quiz=quiz, allow_guests=True)
    page = client.get(f"/join/{contest.pin}/")
    assert page.status_code == 200 and 'data-guest="1"' in page.content.decode()


# --- on-stage contests (现场赛) -------------------------------------------------------------


def _stage_post(quiz, **fields):
    data = {
        "form": "stage",
        "stage-title": "机关党建知识竞赛决赛",
        "stage-quiz": quiz.pk,
        "stage-extra_teams": "",
        "stage-mode": "captain",
        "stage-bida": 1,
        "stage-qiangda": 2,
        "stage-risk": 0,
        "stage-base": 100,
        "stage-reserve": 1,
        "stage-points": 10,
        "stage-wrong": 10,
        "stage-early": 10,
        "stage-pass_on": "on",
        "stage-stakes": "10, 20, 30",
        "stage-answer_seconds": 20,
    }
    data.update({f"stage-{k}" if k != "form" else k: v for k, v in fields.items()})
    return data


@pytest.fixture
def stage_quiz():
    return make_quiz([make_question(make_bank()) for _ in range(10)], title="现场赛题目")


def test_a_unit_admin_opens_an_on_stage_contest_from_the_form(org, client, stage_quiz):
    client.force_login(org.unit_admin)
    page = client.get("/contests/").content.decode()
    assert 'name="form" value="stage"' in page
    assert "机关第一党支部" in page and "机关第二党支部" in page  # the unit's branches
    assert "市财政局" not in page  # not another unit's
    response = client.post(
        "/contests/",
        _stage_post(
            stage_quiz,
            branches=[org.branch_a1.pk, org.branch_a2.pk],
            extra_teams="  特邀队 \n\n",
            mode="members",
        ),
    )
    contest = Contest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contests/{contest.pk}/host/"
    assert contest.format == "stage" and contest.title == "机关党建知识竞赛决赛"
    teams = contest.stage["teams"]
    assert [t["name"] for t in teams] == ["机关第一党支部", "机关第二党支部", "特邀队"]
    assert {t["mode"] for t in teams} == {"members"}
    rounds = [(r["format"], len(r["question_ids"])) for r in contest.stage["rounds"]]
    assert rounds == [("bida", 3), ("qiangda", 2)]  # 必答: one per team; no risk round
    assert contest.stage["base"] == 100 and len(contest.stage["reserve_ids"]) == 1


def test_the_scoring_rules_come_from_the_form(org, client, stage_quiz):
    client.force_login(org.secretary)
    post = _stage_post(
        stage_quiz,
        extra_teams="甲队\n乙队",
        risk=1,
        points=20,
        wrong=5,
        early=0,
        stakes="30，10",
        answer_seconds=45,
        void_on_early="on",
    )
    del post["stage-pass_on"]  # unticked
    assert client.post("/contests/", post).status_code == 302
    rules = {r["format"]: r["rules"] for r in Contest.objects.get().stage["rounds"]}
    assert rules["bida"] == {"points": 20, "answer_ms": 45_000}
    assert rules["qiangda"] == {
        "points": 20,
        "wrong": -5,
        "early": 0,
        "void_on_early": True,
        "pass_on": False,
        "answer_ms": 45_000,
    }
    assert rules["risk"] == {"stakes": [10, 30], "answer_ms": 45_000}
    assert Contest.objects.get().stage["tiebreak_rules"] == rules["qiangda"]
    bad = client.post("/contests/", _stage_post(stage_quiz, extra_teams="甲\n乙", stakes="十"))
    assert "请填写 1 至 1000 的整数" in bad.content.decode() and Contest.objects.count() == 1


def test_a_secretary_adds_ad_hoc_teams_to_the_own_branch(org, client, stage_quiz):
    client.force_login(org.secretary)
    page = client.get("/contests/").content.decode()
    assert "机关第一党支部" in page and "机关第二党支部" not in page
    response = client.post(
        "/contests/",
        _stage_post(stage_quiz, branches=[org.branch_a1.pk], extra_teams="第二党支部\n第三党支部"),
    )
    assert response.status_code == 302
    names = [t["name"] for t in Contest.objects.get().stage["teams"]]
    assert names == ["机关第一党支部", "第二党支部", "第三党支部"]


def test_the_stage_form_shows_its_errors(org, client, stage_quiz):
    client.force_login(org.secretary)
    one_team = client.post("/contests/", _stage_post(stage_quiz, branches=[org.branch_a1.pk]))
    assert one_team.status_code == 200
    assert "请至少安排两支参赛队" in one_team.content.decode()
    no_rounds = client.post(
        "/contests/", _stage_post(stage_quiz, extra_teams="甲队\n乙队", bida=0, qiangda=0)
    )
    assert "请至少为一轮设置题目" in no_rounds.content.decode()
    too_many = client.post(
        "/contests/", _stage_post(stage_quiz, extra_teams="甲队\n乙队", qiangda=20)
    )
    page = too_many.content.decode()
    assert 'data-testid="stage-errors"' in page and "10" in page  # the quiz gives 10 questions
    duplicate = client.post(
        "/contests/",
        _stage_post(stage_quiz, branches=[org.branch_a1.pk], extra_teams="机关第一党支部"),
    )
    assert 'data-testid="stage-errors"' in duplicate.content.decode()
    assert not Contest.objects.exists()
    # the stage form's errors open its section; the classic form stays clean
    assert '<details class="card stage-form" id="on-stage" open' in page


def test_the_classic_form_does_not_offer_the_stage_format(org, client):
    client.force_login(org.secretary)
    page = client.get("/contests/").content.decode()
    assert 'value="stage"' not in page.split('name="form"')[0]


@pytest.fixture
def stage_contest(org, stage_quiz):
    return services.contest_create_stage(
        host=org.secretary,
        quiz=stage_quiz,
        teams=[
            {"name": "机关第一党支部", "mode": "captain"},
            {"name": "特邀队", "mode": "captain"},
        ],
        rounds=[{"format": "qiangda", "count": 2}],
        reserve=1,
    )


def test_the_stage_pages_render_for_the_host(org, client, stage_contest):
    client.force_login(org.secretary)
    console = client.get(f"/contests/{stage_contest.pk}/host/").content.decode()
    assert "contests/stage.js" in console and "live.js" not in console
    assert stage_contest.pin in console and "<svg" in console
    assert 'data-command="open_buzzer"' in console and 'data-result="partial"' in console
    assert "data-stage-texts" in console and "领先 {ms} 毫秒" in console
    screen = client.get(f"/contests/{stage_contest.pk}/screen/").content.decode()
    assert 'data-role="screen"' in screen and "contests/stage.js" in screen
    client.force_login(org.member_a1)
    phone = client.get(f"/join/{stage_contest.pin}/").content.decode()
    assert 'data-role="player"' in phone and 'data-testid="buzz"' in phone
    assert "contests/stage.js" in phone


def test_a_member_cannot_open_the_stage_console(org, client, stage_contest):
    client.force_login(org.member_a1)
    assert client.get(f"/contests/{stage_contest.pk}/host/").status_code == 403
    assert client.get(f"/contests/{stage_contest.pk}/screen/").status_code == 403
    client.force_login(org.secretary_b)
    assert client.get(f"/contests/{stage_contest.pk}/host/").status_code == 403


def test_the_stage_results_show_the_ranking_and_the_audit_log(org, client, stage_contest):
    at = 1_760_000_000_000
    rows = [
        (1, "机关第一党支部", "early_buzz", "early", -10, "system", None),
        (2, "特邀队", "answer", "right", 10, "judge", None),
        (3, "特邀队", "correction", "wrong", -10, "judge", 2),
    ]
    ContestDecision.objects.bulk_create(
        ContestDecision(
            contest=stage_contest, entry=entry, at=at + entry * 1000, round=1, seq=1,
            team=team, kind=kind, result=result, delta=delta, by=by, corrects=corrects,
        )
        for entry, team, kind, result, delta, by, corrects in rows
    )  # fmt: skip
    stage_contest.status = "finished"
    stage_contest.save()
    client.force_login(org.secretary)
    page = client.get(f"/contests/{stage_contest.pk}/results/").content.decode()
    ranking = page.split('data-testid="ranking"')[1].split("</table>")[0]
    # 100 − 10 (early) and 100 + 10 corrected to − 10: a tie, in the teams' order
    assert ranking.index("机关第一党支部") < ranking.index("特邀队")
    assert (
        ranking.count('<td class="num">90</td>') == 2
        and ranking.count('<td class="num">1</td>') == 2
    )
    audit = page.split('data-testid="audit"')[1].split("</table>")[0]
    for text in ("抢答过早", "裁判", "更正", "答对", "答错", "#2", "抢答题", "+10", "-10"):
        assert text in audit, text


def test_a_player_without_a_branch_team_may_choose_an_ad_hoc_team(org, client, stage_quiz):
    contest = services.contest_create_stage(
        host=org.unit_admin,
        quiz=stage_quiz,
        teams=[{"branch": org.branch_a1.pk}, {"name": "特邀队"}],
        rounds=[{"format": "qiangda", "count": 2}],
        reserve=0,
    )
    client.force_login(org.member_a2)  # a branch without a team
    page = client.get(f"/join/{contest.pin}/").content.decode()
    assert 'data-choose="1"' in page and 'name="team" value="特邀队"' in page
    client.force_login(org.member_a1)  # on the branch's team
    page = client.get(f"/join/{contest.pin}/").content.decode()
    assert 'data-choose=""' in page and 'name="team"' not in page
