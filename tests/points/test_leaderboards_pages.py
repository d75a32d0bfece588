"""The 积分 page's ranks, the leaderboard page and the home page's branch rank card."""

import pytest
from django.utils import timezone

from backend.points.services import points_correct

from ..factories import make_user
from ..text_words import english_words, visible_text


def give(member, points):
    points_correct(member=member, points=points, reason="测试", by=None, now=timezone.now())


@pytest.fixture
def city(org):
    give(org.member_a1, 5)
    give(org.secretary, 9)
    give(org.member_a2, 8)
    give(org.member_b1, 20)
    return org


def no_english(html):
    return english_words(visible_text(html), allow=["member_a1", "member_a2", "secretary"])


@pytest.mark.django_db
def test_points_page_shows_own_ranks(city, client):
    client.force_login(city.member_a1)
    html = client.get("/me/points/").content.decode()
    assert 'data-testid="my-ranks"' in html
    # branch: behind the secretary; unit: behind secretary and member_a2; city: 4th
    assert "rank-branch-month" in html
    page = visible_text(html)
    assert "我的排名" in page
    for scope, rank in (("branch", 2), ("unit", 3), ("city", 4)):
        cell = f'data-testid="rank-{scope}-all"><strong class="rk-grid__rank">{rank}</strong>'
        assert cell in html, scope
    assert no_english(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?scope=unit&period=quarter",
        "?scope=city&period=all",
        "?scope=city&period=year&of=units",
        "?scope=unit&period=month&of=branches",
        "?scope=nowhere&period=never&of=planets",
    ],
)
def test_ranking_page_tabs_and_me(city, client, query):
    client.force_login(city.member_a1)
    response = client.get("/me/points/ranking/" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="me-row"') == 1
    assert no_english(html) == []


@pytest.mark.django_db
def test_ranking_page_shows_me_below_the_top(city, client):
    for i in range(55):
        give(make_user(branch=city.branch_a1), 100 + i)
    client.force_login(city.member_a1)
    html = client.get("/me/points/ranking/?scope=branch").content.decode()
    assert 'class="rk-list rk-list--me"' in html
    assert html.count('data-testid="me-row"') == 1


@pytest.mark.django_db
def test_home_card_shows_branch_rank(city, client):
    client.force_login(city.member_a1)
    html = client.get("/").content.decode()
    assert 'data-testid="branch-rank"' in html
    text = visible_text(html)
    assert "本月支部排名" in text and "第 2 名" in text and "共 2 人" in text


@pytest.mark.django_db
def test_city_admin_without_branch_sees_the_city_only(city, client):
    client.force_login(city.city_admin)
    assert 'data-testid="branch-rank"' not in client.get("/").content.decode()
    assert 'data-testid="my-ranks"' not in client.get("/me/points/").content.decode()
    html = client.get("/me/points/ranking/?scope=branch").content.decode()
    assert 'data-testid="scope-branch"' not in html and "me-row" not in html
