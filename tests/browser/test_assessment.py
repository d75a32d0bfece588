"""季度考核 in Chromium: the city admin publishes last quarter on a phone (with the
confirmation), publishes a correction as version 2 and sees what changed on a
1920×1080 screen; the secretary sees the own branch and the unit's rank only."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from backend.points.services import points_correct
from orglife.compliance import period_of
from supervision.models import Assessment, Explanation

from ..factories import make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .test_study import sign_in

pytestmark = pytest.mark.browser


def _award(member, points, day):
    noon = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    points_correct(member=member, points=points, reason="季度活动", by=None, now=noon)


def test_city_admin_publishes_and_republishes_and_the_secretary_sees_the_own(
    daphne_server, browser
):
    # given three units whose members earned different points last quarter
    quarter = period_of(timezone.localdate(), "quarter")
    last = period_of(quarter.start - timedelta(days=1), "quarter")
    day = last.start + timedelta(days=20)
    units = [make_unit(name) for name in ("市委组织部", "市财政局", "市教育局")]
    branches = [make_branch(u, "机关第一党支部") for u in units]
    members = []
    for branch, points in zip(branches, (80, 50, 20), strict=True):
        for i in range(3):
            member = make_user(branch=branch, display_name=f"党员{branch.unit.name}{i}")
            _award(member, points, day)
            members.append(member)
    make_user(Role.CITY_ADMIN, username="cityadmin", display_name="周建国")
    make_user(Role.SECRETARY, branch=branches[1], username="secretary", display_name="陈秀英")

    # when the city admin opens 季度考核 from the home page on a phone and publishes
    phone = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip
    page = phone.new_page()
    sign_in(page, daphne_server, "cityadmin")
    page.click("[data-testid=assessments-link]")
    if last.start.year != timezone.localdate().year:
        page.select_option("select[name=year]", str(last.start.year))
        page.click(".as-picker button[type=submit]")
    page.click(f"[data-testid=publish-{last.label}]")
    assert page.locator("[data-testid=publish-confirm]").is_visible()
    screenshot(page, "assessment-confirm-phone")
    page.click("[data-testid=publish-yes]")
    page.wait_for_url(f"**/supervision/assessments/{last.label}/")
    # then the ranking is frozen as version 1, the units in order, the bottom one asked
    assert "第1版" in page.locator("[data-testid=status]").inner_text()
    rows = page.locator("[data-testid=units] tbody tr")
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == [
        "市委组织部",
        "市财政局",
        "市教育局",
    ]
    assert not english_words(visible_text(page.content()))
    screenshot(page, "assessment-published-phone")
    assert Assessment.objects.get().version == 1
    assert Explanation.objects.filter(unit=units[2]).exists()

    # when a late correction lifts 市教育局 and the quarter is published again on a desktop
    for member in members[6:]:
        _award(member, 70, day + timedelta(days=1))
    desk = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, daphne_server, "cityadmin")
    page.goto(f"{daphne_server}/supervision/assessments/{last.label}/")
    page.click("[data-testid=publish]")
    page.click("[data-testid=publish-yes]")
    page.wait_for_url(f"**/supervision/assessments/{last.label}/")
    # then version 2 is shown, version 1 kept, and the change of 市教育局 listed
    assert "第2版" in page.locator("[data-testid=status]").inner_text()
    assert page.locator("[data-testid=versions] li").count() == 2
    diff = page.locator(f"[data-testid=diff-{units[2].pk}]").inner_text()
    assert "3 → 1" in diff and "↑2" in diff
    screenshot(page, "assessment-version2-desktop")
    page.click("text=第1版")
    assert "第1版" in page.locator("[data-testid=status]").inner_text()
    desk.close()

    # when the secretary of 市财政局 opens the quarter
    page = phone.new_page()
    page.context.clear_cookies()
    sign_in(page, daphne_server, "secretary")
    page.goto(f"{daphne_server}/supervision/assessments/{last.label}/")
    # then only the own branch and the unit's rank are there
    assert "市财政局：全市第3名" in page.locator("[data-testid=unit-rank]").inner_text()
    assert page.locator("[data-testid=branches] tbody tr").count() == 1
    assert "市委组织部" not in page.content()
    assert page.locator("[data-testid=publish]").count() == 0
    screenshot(page, "assessment-secretary-phone")
    phone.close()
