"""GET /api/v1/leaderboards/: the contract, scope, Chinese refusals, bounded queries."""

import pytest
from django.utils import timezone

from backend.points.services import points_correct

from ..factories import make_user

URL = "/api/v1/leaderboards/"


def give(member, points):
    points_correct(member=member, points=points, reason="测试", by=None, now=timezone.now())


@pytest.fixture
def ranked(org):
    give(org.member_a1, 5)
    give(org.secretary, 5)
    give(org.member_a2, 8)
    give(org.member_b1, 20)
    return org


@pytest.mark.django_db
def test_branch_scope_lists_own_branch_only_with_me(ranked, api_as):
    body = api_as(ranked.member_a1).get(URL, {"scope": "branch", "period": "month"}).json()
    assert body["period"] == timezone.localdate().strftime("%Y-%m")
    assert {r["name"] for r in body["results"]} == {ranked.member_a1.name, ranked.secretary.name}
    assert [r["rank"] for r in body["results"]] == [1, 1]
    assert set(body["results"][0]) == {"rank", "name", "branch", "unit", "points"}
    assert body["me"] == {"rank": 1, "points": 5}


@pytest.mark.django_db
def test_unit_and_city_scope(ranked, api_as):
    client = api_as(ranked.member_a1)
    unit = client.get(URL, {"scope": "unit", "period": "all"}).json()
    assert [r["points"] for r in unit["results"]] == [8, 5, 5]
    assert unit["me"] == {"rank": 2, "points": 5}
    city = client.get(URL, {"scope": "city", "period": "year"}).json()
    assert city["results"][0]["name"] == ranked.member_b1.name
    assert city["me"]["rank"] == 3
    assert city["period"] == str(timezone.localdate().year)


@pytest.mark.django_db
def test_groups_are_ranked_by_average_with_members_and_active_rate(ranked, api_as):
    client = api_as(ranked.member_a1)
    units = client.get(URL, {"scope": "city", "period": "quarter", "of": "units"}).json()
    # unit B: secretary_b 0 + member_b1 20 -> 10.0 a member; unit A: 18 over 3 -> 6.0
    assert [(r["name"], r["rank"], r["points"], r["members"]) for r in units["results"]] == [
        ("市财政局", 1, 10.0, 2),
        ("市委组织部", 2, 6.0, 3),
    ]
    assert units["results"][0]["active_rate"] == 0.5
    assert units["me"] == {"rank": 2, "points": 6.0}
    branches = client.get(URL, {"scope": "unit", "of": "branches"}).json()
    assert [(r["name"], r["unit"], r["points"]) for r in branches["results"]] == [
        ("机关第二党支部", "市委组织部", 8.0),
        ("机关第一党支部", "市委组织部", 5.0),
    ]
    assert branches["me"] == {"rank": 2, "points": 5.0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, code",
    [
        ({"scope": "world"}, "invalid_scope"),
        ({"period": "decade"}, "invalid_period"),
        ({"of": "people"}, "invalid_of"),
        ({"scope": "branch", "of": "branches"}, "invalid_of"),
        ({"scope": "unit", "of": "units"}, "invalid_of"),
        ({"limit": "0"}, "invalid_limit"),
        ({"limit": "201"}, "invalid_limit"),
        ({"limit": "x"}, "invalid_limit"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(org, api_as, params, code):
    response = api_as(org.member_a1).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body


@pytest.mark.django_db
def test_city_admin_has_no_branch_scope_but_sees_the_city(org, api_as):
    client = api_as(org.city_admin)
    assert client.get(URL, {"scope": "branch"}).json()["code"] == "no_branch"
    body = client.get(URL).json()
    assert "me" not in body and len(body["results"]) == 5


@pytest.mark.django_db
def test_anonymous_is_refused(api):
    assert api.get(URL).status_code in (401, 403)


@pytest.mark.django_db
def test_limit_and_query_count(org, api_as, django_assert_max_num_queries):
    branch = org.branch_a1
    for i in range(30):
        give(make_user(branch=branch), i + 1)
    client = api_as(org.member_a1)
    with django_assert_max_num_queries(4):
        body = client.get(URL, {"scope": "branch", "limit": 10}).json()
    assert len(body["results"]) == 10 and body["results"][0]["points"] == 30
    assert body["me"]["rank"] == 31  # after 30; the secretary (0 too) ties
