"""积分排行 in Chromium: member001 sees the branch rank on the home page, the own
ranks on the 积分 page, and the leaderboard with the own row marked (360×640);
the units' ranking on a 1920×1080 screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.points.services import points_correct

from ..factories import make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .test_study import sign_in

pytestmark = pytest.mark.browser

NAMES = ["王建华", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴婷"]


def _give(member, points, days_ago=0):
    points_correct(
        member=member,
        points=points,
        reason="学习积分",
        by=None,
        now=timezone.now() - timedelta(days=days_ago),
    )


def test_member_sees_own_rank(daphne_server, browser):
    # given two units of unequal size; member001 third in the branch this month,
    # having overtaken someone this week
    big, small = make_unit("市委组织部"), make_unit("市财政局")
    b1, b2, b3 = (
        make_branch(big, "机关第一党支部"),
        make_branch(big, "机关第二党支部"),
        make_branch(small, "机关党支部"),
    )
    me = make_user(branch=b1, username="member001", display_name="王建华")
    _give(me, 6, days_ago=10)
    _give(me, 12)
    people = [
        make_user(branch=b, display_name=NAMES[i % 10] + str(i))
        for i, b in enumerate([b1, b1, b1, b2, b2, b3, b3] * 2)
    ]
    for i, person in enumerate(people):
        _give(person, 3 + (i * 7) % 25, days_ago=i % 3 * 4)

    context = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip
    page = context.new_page()
    sign_in(page, daphne_server, "member001")
    # when: the home page
    card = page.locator("[data-testid=branch-rank]")
    assert "本月支部排名" in card.inner_text()
    screenshot(page, "leaderboards-home-phone")
    # then: the 积分 page shows the own ranks
    page.goto(daphne_server + "/me/points/")
    ranks = page.locator("[data-testid=my-ranks]")
    assert "我的排名" in ranks.inner_text()
    assert page.locator("[data-testid=rank-branch-month] strong").inner_text() == "2"
    screenshot(page, "leaderboards-points-phone")
    assert english_words(visible_text(page.content()), allow=["member001"]) == []
    # and the leaderboard marks the own row
    page.click("[data-testid=ranking-link]")
    page.wait_for_url("**/me/points/ranking/**")
    mine = page.locator("[data-testid=me-row]")
    assert "王建华" in mine.inner_text()
    screenshot(page, "leaderboards-branch-phone")
    page.click("[data-testid=scope-city]")
    page.wait_for_url("**scope=city**")
    assert page.locator("[data-testid=me-row]").count() == 1
    screenshot(page, "leaderboards-city-phone")
    assert english_words(visible_text(page.content()), allow=["member001"]) == []
    context.close()

    desk = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, daphne_server, "member001")
    page.goto(daphne_server + "/me/points/ranking/?scope=city&period=month&of=units")
    rows = page.locator("[data-testid=ranking] li")
    assert rows.count() == 2
    assert "人均分" in rows.first.inner_text()
    screenshot(page, "leaderboards-units-desktop")
    desk.close()
