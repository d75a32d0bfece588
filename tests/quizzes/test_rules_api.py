"""The paper API of the rule editor: check as the admin types, facets, publish
refused (409 ``unfillable``) for a paper the banks cannot fill; scoped to the
banks and quizzes of the caller."""

import pytest
from django.urls import reverse

from quizzes.models import QuizStatus

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db

CHECK = reverse("api:paper-check")
FACETS = reverse("api:paper-facets")


@pytest.fixture
def banks(org):
    city = make_bank("全市题库")
    own = make_bank("组织部题库", unit=org.unit_a)
    other = make_bank("财政局题库", unit=org.unit_b)
    for n in range(5):
        make_question(city, "single", category="党章党规", difficulty=1 + n % 5)
    for _ in range(3):
        make_question(own, "truefalse", category="党史")
    make_question(other, "fill", category="财经纪律")
    return city, own, other


def test_the_check_counts_each_rule_and_refuses_a_rule_the_bank_cannot_fill(org, banks, api_as):
    # given: the unit admin builds a paper from the city bank and the own unit's
    city, own, _other = banks
    client = api_as(org.unit_admin)
    rules = [
        {"kind": "single", "count": 4, "points": 2},
        {"kind": "truefalse", "count": 3, "category": "党史"},
    ]
    # when the rules fit
    body = client.post(CHECK, {"banks": [city.pk, own.pk], "rules": rules}, format="json").json()
    assert body == {
        "rules": [
            {"available": 5, "problem": "", "errors": {}, "code": ""},
            {"available": 3, "problem": "", "errors": {}, "code": ""},
        ],
        "feasible": True,
        "problem": "",
        "total_questions": 7,
        "total_points": 11,
    }
    # when one more question is asked of a rule than the bank has, and a kind is wrong
    rules[1]["count"] = 4
    rules.append({"kind": "essay", "count": 1, "category": "党章党规"})
    response = client.post(CHECK, {"banks": [city.pk, own.pk], "rules": rules}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert not body["feasible"]
    assert body["rules"][0]["problem"] == ""
    assert body["rules"][1] == {
        "available": 3,
        "problem": "题库中符合条件的题只有 3 道，不够抽 4 道。",
        "errors": {},
        "code": "too_few",
    }
    assert body["rules"][2]["available"] == 0 and body["rules"][2]["code"] == "invalid"
    assert "题型须为" in body["rules"][2]["errors"]["kind"]
    assert body["problem"] == "第2条规则：题库中符合条件的题只有 3 道，不够抽 4 道。"
    # when a category exists in none of the banks
    body = client.post(
        CHECK,
        {"banks": [city.pk], "rules": [{"kind": "single", "count": 1, "category": "财经纪律"}]},
        format="json",
    ).json()
    assert body["rules"][0]["problem"] == "题库中没有分类“财经纪律”。"
    assert body["rules"][0]["code"] == "unknown_category"


def test_the_check_only_uses_banks_the_caller_may_use(org, banks, api_as):
    city, _own, other = banks
    rules = [{"kind": "fill", "count": 1}]
    response = api_as(org.unit_admin).post(
        CHECK, {"banks": [city.pk, other.pk], "rules": rules}, format="json"
    )
    assert response.status_code == 400
    assert "banks" in response.json()
    assert "财经纪律" not in response.content.decode()
    response = api_as(org.city_admin).post(
        CHECK, {"banks": [other.pk], "rules": rules}, format="json"
    )
    assert response.json()["feasible"] is True
    for user in (org.secretary, org.member_a1):
        response = api_as(user).post(CHECK, {"banks": [city.pk], "rules": rules}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{}, {"banks": "1", "rules": []}, {"banks": [1]}, {"banks": ["x"], "rules": []}],
)
def test_a_malformed_check_is_a_400(org, banks, api_as, body):
    response = api_as(org.city_admin).post(CHECK, body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_rules_that_are_not_a_list_are_a_problem_not_an_error(org, banks, api_as):
    city = banks[0]
    body = (
        api_as(org.city_admin)
        .post(CHECK, {"banks": [city.pk], "rules": {"kind": "single"}}, format="json")
        .json()
    )
    assert body["feasible"] is False and body["problem"] == "抽题规则须为规则列表。"


def test_facets_list_what_the_banks_offer(org, banks, api_as, django_assert_max_num_queries):
    city, own, other = banks
    client = api_as(org.unit_admin)
    with django_assert_max_num_queries(6):
        response = client.get(FACETS, {"banks": f"{city.pk},{own.pk}"})
    body = response.json()
    assert body["categories"] == [
        {"name": "党章党规", "count": 5},
        {"name": "党史", "count": 3},
    ]
    assert body["kinds"]["single"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    assert body["kinds"]["truefalse"]["2"] == 3
    assert client.get(FACETS, {"banks": f"{other.pk}"}).status_code == 400
    assert client.get(FACETS, {"banks": "1;2"}).status_code == 400
    assert api_as(org.member_a1).get(FACETS, {"banks": f"{city.pk}"}).status_code == 403


def test_publishing_a_paper_the_banks_cannot_fill_is_a_409(org, banks, api_as):
    # given: a draft drawn paper for the own unit that asks for 4 of 3 questions
    _city, own, _other = banks
    quiz = make_quiz(
        banks=[own],
        rules=[{"kind": "truefalse", "count": 4}],
        status="draft",
        audience_unit=org.unit_a,
    )
    client = api_as(org.unit_admin)
    publish = reverse("api:quiz-publish", args=[quiz.pk])
    # when
    response = client.post(publish)
    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "题库不足，不能发布：第1条规则：题库中符合条件的题只有 3 道，不够抽 4 道。",
        "code": "unfillable",
    }
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.DRAFT
    # when the bank has enough
    make_question(own, "truefalse")
    response = client.post(publish)
    assert response.status_code == 200
    assert response.json() == {
        "id": quiz.pk,
        "title": quiz.title,
        "status": "published",
        "purpose": "practice",
    }
    response = client.post(reverse("api:quiz-unpublish", args=[quiz.pk]))
    assert response.json()["status"] == "draft"


def test_publishing_is_for_the_quiz_managers_only(org, banks, api_as):
    quiz = make_quiz(
        banks=[banks[2]],
        rules=[{"kind": "fill", "count": 1}],
        status="draft",
        audience_unit=org.unit_b,
    )
    publish = reverse("api:quiz-publish", args=[quiz.pk])
    assert api_as(org.unit_admin).post(publish).status_code == 404
    assert api_as(org.secretary).post(publish).status_code == 403
    assert api_as(org.member_b1).post(publish).status_code == 403
    assert api_as(org.city_admin).post(publish).status_code == 200
