"""GET /api/v1/questions/ (the quiz builder's picker) and GET /api/v1/lectures/{id}/passages/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import make_bank, make_lecture, make_question

pytestmark = pytest.mark.django_db

URL = "/api/v1/questions/"
ROW = {
    "id",
    "bank",
    "kind",
    "stem",
    "options",
    "difficulty",
    "category",
    "tags",
    "source",
    "lecture",
    "passage",
    "is_active",
}


@pytest.fixture
def banks(org):
    class Banks:
        city = make_bank("全市题库")
        own = make_bank("组织部题库", unit=org.unit_a)
        other = make_bank("财政局题库", unit=org.unit_b)

    for bank in (Banks.city, Banks.own, Banks.other):
        make_question(bank, "single", category="党章党规")
        make_question(bank, "fill", category="党员管理", difficulty=4, tags=["入党"])
    return Banks


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("who", ["member_a1", "secretary"])
def test_only_admins(org, api_as, banks, who):
    response = api_as(getattr(org, who)).get(URL)
    assert response.status_code == 403 and response.json()["detail"]
    lecture = make_lecture()
    assert (
        api_as(getattr(org, who)).get(f"/api/v1/lectures/{lecture.pk}/passages/").status_code == 403
    )


def test_anonymous_is_refused(api, banks):
    assert api.get(URL).status_code in (401, 403)


def test_a_unit_admin_sees_the_banks_usable_for_papers(org, api_as, banks):
    client = api_as(org.unit_admin)
    found = ids(client.get(URL))
    usable = {q.pk for b in (banks.city, banks.own) for q in b.questions.all()}
    assert found == usable
    # another unit's bank asked for by id stays out
    assert ids(client.get(URL, {"banks": f"{banks.other.pk}"})) == set()
    assert ids(client.get(URL, {"banks": f"{banks.own.pk},{banks.other.pk}"})) == {
        q.pk for q in banks.own.questions.all()
    }
    # the city admin sees all
    assert len(ids(api_as(org.city_admin).get(URL))) == 6


def test_the_row_shape_has_no_answer(org, api_as, banks):
    lecture = make_lecture(title="学习党章", body="第一段。\n\n第二段。")
    question = make_question(
        banks.own, "multiple", lecture=lecture, passage=2, source="《学习党章》第2段"
    )
    body = api_as(org.unit_admin).get(URL, {"banks": str(banks.own.pk), "kind": "multiple"}).json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == ROW
    assert row["id"] == question.pk and row["bank"] == banks.own.pk
    assert row["lecture"] == lecture.pk and row["passage"] == 2
    assert row["options"] == ["甲", "乙", "丙", "丁"] and "answer" not in row


def test_the_filters(org, api_as, banks):
    client = api_as(org.unit_admin)
    own = str(banks.own.pk)
    fill = banks.own.questions.get(kind="fill")
    single = banks.own.questions.get(kind="single")
    assert ids(client.get(URL, {"banks": own, "kind": "fill"})) == {fill.pk}
    assert ids(client.get(URL, {"banks": own, "category": "党章党规"})) == {single.pk}
    assert ids(client.get(URL, {"banks": own, "difficulty": "4"})) == {fill.pk}
    assert ids(client.get(URL, {"banks": own, "tag": "入党"})) == {fill.pk}
    assert ids(client.get(URL, {"banks": own, "q": "党员年满"})) == {fill.pk}
    single.is_active = False
    single.save()
    assert ids(client.get(URL, {"banks": own, "active": "false"})) == {single.pk}
    assert ids(client.get(URL, {"banks": own, "active": "true"})) == {fill.pk}
    assert ids(client.get(URL, {"banks": own, "cited": "true"})) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"banks": "1,x"},
        {"kind": "essay"},
        {"difficulty": "6"},
        {"active": "maybe"},
        {"page": "0"},
    ],
)
def test_bad_parameters_are_a_400_in_chinese(org, api_as, banks, params):
    response = api_as(org.unit_admin).get(URL, params)
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_the_list_costs_the_same_queries_for_few_or_many(org, api_as, banks):
    client = api_as(org.city_admin)
    lecture = make_lecture()
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"page_size": 100})
    for n in range(40):
        make_question(banks.own, lecture=lecture if n % 2 else None, tags=[f"标签{n}"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == 46 and len(response.json()["results"]) == 46
    assert len(many) == len(few) <= 4


def test_a_lectures_paragraphs(org, api_as):
    lecture = make_lecture(
        title="学习党章",
        body="## 一、党章\n\n党章是党的根本大法，**全党**必须遵守。\n\n- 甲\n- 乙\n\n第二段。",
    )
    response = api_as(org.unit_admin).get(f"/api/v1/lectures/{lecture.pk}/passages/")
    assert response.status_code == 200
    assert response.json() == [
        {"n": 1, "text": "党章是党的根本大法，全党必须遵守。"},
        {"n": 2, "text": "第二段。"},
    ]
    assert api_as(org.unit_admin).get("/api/v1/lectures/999999/passages/").status_code == 404
