"""Who may host which quiz (issue 10, item 4): the host's scope, the banks the host
may use, and never an exam open right now unless an admin over it allows it. The
API, `?host=1` and the /contests/ forms agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contests import services
from contests.models import Contest
from contests.scope import HostingRefused, hosting_refusal, quizzes_hostable_by

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


def paper(title, *, bank=None, **extra):
    bank = bank or make_bank()
    return make_quiz([make_question(bank) for _ in range(3)], title=title, **extra)


@pytest.fixture
def quizzes(org):
    """One quiz of each kind of reach, as the city and the units address them."""
    hour = timedelta(hours=1)
    now = timezone.now()
    q = type("Quizzes", (), {})()
    q.city = paper("全市竞赛题", purpose="contest")
    q.unit_a = paper("组织部竞赛题", purpose="contest", audience_unit=org.unit_a)
    q.branch_a1 = paper("一支部竞赛题", purpose="contest", audience_branch=org.branch_a1)
    q.branch_a2 = paper("二支部竞赛题", purpose="contest", audience_branch=org.branch_a2)
    # unit B's quiz, drawn from unit B's own bank: the leak of the issue
    q.unit_b = paper(
        "财政局竞赛题",
        bank=make_bank("财政局题库", unit=org.unit_b),
        purpose="contest",
        audience_unit=org.unit_b,
    )
    # city-wide, but from unit B's bank: a unit A host may not use that bank
    q.city_from_b = paper("全市题（财政局题库）", bank=make_bank("财政局自有", unit=org.unit_b))
    q.open_exam = paper("年度考试", purpose="exam", opens_at=now - hour, closes_at=now + hour)
    q.closed_exam = paper("去年考试", purpose="exam", closes_at=now - hour)
    q.later_exam = paper("下月考试", purpose="exam", opens_at=now + hour)
    q.draft = paper("草稿", purpose="contest", status="draft")
    return q


def titles(queryset):
    return {quiz.title for quiz in queryset}


def test_each_role_hosts_within_its_scope(org, quizzes):
    common = {"全市竞赛题", "去年考试", "下月考试"}
    assert titles(quizzes_hostable_by(org.secretary)) == common | {"组织部竞赛题", "一支部竞赛题"}
    assert titles(quizzes_hostable_by(org.secretary_b)) == common | {
        "财政局竞赛题",
        "全市题（财政局题库）",
    }
    assert titles(quizzes_hostable_by(org.unit_admin)) == common | {
        "组织部竞赛题",
        "一支部竞赛题",
        "二支部竞赛题",
    }
    assert titles(quizzes_hostable_by(org.city_admin)) == common | {
        "组织部竞赛题",
        "一支部竞赛题",
        "二支部竞赛题",
        "财政局竞赛题",
        "全市题（财政局题库）",
    }
    assert not quizzes_hostable_by(org.member_a1).exists()


def test_secretary_of_another_unit_cannot_host_its_quiz(org, api_as, quizzes):
    # given unit B's quiz, from unit B's bank
    # when unit A's secretary tries to host it
    response = api_as(org.secretary).post(
        "/api/v1/contests/", {"quiz": quizzes.unit_b.pk}, format="json"
    )
    # then 403 with a code, and no room
    assert response.status_code == 403
    assert response.json()["code"] == "quiz_out_of_scope" and response.json()["detail"]
    assert not Contest.objects.exists()
    # on stage too, and a sibling branch's quiz likewise
    stage = api_as(org.secretary).post(
        "/api/v1/contests/",
        {
            "quiz": quizzes.branch_a2.pk,
            "mode": "stage",
            "teams": [{"name": "甲队"}, {"name": "乙队"}],
            "rounds": [{"format": "qiangda", "count": 1}],
            "reserve": 0,
        },
        format="json",
    )
    assert stage.status_code == 403 and stage.json()["code"] == "quiz_out_of_scope"
    assert not Contest.objects.exists()


def test_a_city_wide_quiz_from_another_units_bank_is_out_of_scope(org, api_as, quizzes):
    response = api_as(org.unit_admin).post(
        "/api/v1/contests/", {"quiz": quizzes.city_from_b.pk}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "quiz_out_of_scope"


def test_an_open_exam_is_refused_until_an_admin_allows_it(org, api_as, quizzes):
    client = api_as(org.secretary)
    refused = client.post("/api/v1/contests/", {"quiz": quizzes.open_exam.pk}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": refused.json()["detail"],
        "code": "quiz_open_as_exam",
    }
    assert "考试" in refused.json()["detail"]  # Chinese by default
    assert not Contest.objects.exists()

    # an admin over the quiz allows it for contests
    quizzes.open_exam.contest_while_open = True
    quizzes.open_exam.save()
    allowed = client.post("/api/v1/contests/", {"quiz": quizzes.open_exam.pk}, format="json")
    assert allowed.status_code == 201
    assert Contest.objects.get().quiz == quizzes.open_exam


def test_the_services_refuse_too(org, quizzes):
    with pytest.raises(HostingRefused) as refused:
        services.contest_create(host=org.secretary, quiz=quizzes.unit_b)
    assert refused.value.code == "quiz_out_of_scope"
    with pytest.raises(HostingRefused) as refused:
        services.contest_create_stage(
            host=org.city_admin,
            quiz=quizzes.open_exam,
            teams=[{"name": "甲队"}, {"name": "乙队"}],
            rounds=[{"format": "qiangda", "count": 1}],
            reserve=0,
        )
    assert refused.value.code == "quiz_open_as_exam"
    assert not Contest.objects.exists()
    assert hosting_refusal(org.secretary, quizzes.unit_a) is None


def test_host_list_is_exactly_the_hostable_quizzes(org, api_as, quizzes):
    for user in (org.secretary, org.secretary_b, org.unit_admin, org.city_admin):
        body = api_as(user).get("/api/v1/quizzes/?host=1").json()
        listed = {row["title"] for row in body["results"]}
        assert listed == titles(quizzes_hostable_by(user))
        assert {"id", "title", "purpose", "attempts_used"} <= set(body["results"][0])
    # without it: the quizzes to take (contest papers are not taken as quizzes)
    taking = api_as(org.member_a1).get("/api/v1/quizzes/").json()["results"]
    assert {row["title"] for row in taking} == {"年度考试", "全市题（财政局题库）"}
    assert api_as(org.member_a1).get("/api/v1/quizzes/?host=1").json()["results"] == []


def test_the_contest_forms_list_the_same_quizzes(org, client, quizzes):
    client.force_login(org.secretary)
    page = client.get("/contests/")
    forms = page.context["form"], page.context["stage_form"]
    for form in forms:
        assert titles(form.fields["quiz"].queryset) == titles(quizzes_hostable_by(org.secretary))
    html = page.content.decode()
    assert "组织部竞赛题" in html and "财政局竞赛题" not in html and "年度考试" not in html


@pytest.mark.parametrize("quiz_name", ["unit_b", "open_exam"])
def test_a_foreign_quiz_posted_through_the_form_is_refused(org, client, quizzes, quiz_name):
    client.force_login(org.secretary)
    response = client.post(
        "/contests/",
        {
            "quiz": getattr(quizzes, quiz_name).pk,
            "format": "classic",
            "seconds_per_question": 20,
            "points_per_question": 1000,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["quiz"]
    staged = client.post(
        "/contests/",
        {
            "form": "stage",
            "stage-quiz": getattr(quizzes, quiz_name).pk,
            "stage-extra_teams": "甲队\n乙队",
            "stage-mode": "captain",
            "stage-bida": 0,
            "stage-qiangda": 1,
            "stage-risk": 0,
            "stage-base": 100,
            "stage-reserve": 0,
            "stage-points": 10,
            "stage-wrong": 10,
            "stage-early": 10,
            "stage-stakes": "10, 20",
            "stage-answer_seconds": 20,
        },
    )
    assert staged.status_code == 200 and staged.context["stage_form"].errors["quiz"]
    assert not Contest.objects.exists()
