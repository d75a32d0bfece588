"""A member signs in on a phone and sees the home page (Chromium, real Daphne)."""

import pytest

from backend.accounts.models import Role

from ..factories import PASSWORD, make_branch, make_unit, make_user
from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_member_signs_in_on_a_phone_and_sees_home(daphne_server, phone):
    # given a member of a branch
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    make_user(Role.MEMBER, branch=branch, username="member001", display_name="王建华")

    # when they open the site and sign in
    phone.goto(daphne_server + "/")
    assert "/accounts/login/" in phone.url
    screenshot(phone, "login-phone")
    phone.fill("input[name=username]", "member001")
    phone.fill("input[name=password]", "wrong-password")
    phone.click("button[type=submit]")
    assert phone.locator(".form__error").inner_text().startswith("用户名或密码错误")
    phone.fill("input[name=username]", "member001")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")

    # then the home page greets them with their branch, points and the tab bar
    phone.wait_for_url(daphne_server + "/")
    assert phone.locator("h1").inner_text() == "王建华，您好"
    assert "机关第一党支部" in phone.locator(".hello__org").inner_text()
    assert phone.locator("[data-testid=points-total]").inner_text() == "1"  # sign-in point
    tabbar = phone.locator("nav.tabbar")
    assert tabbar.is_visible()
    box = tabbar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)  # pinned to the bottom
    screenshot(phone, "home-phone")

    # the points tab shows the ledger entry
    phone.click("nav.tabbar >> text=积分")
    assert "每日登录" in phone.locator(".ledger").inner_text()
    screenshot(phone, "points-phone")
    assert phone.console_errors == []  # no CSP violations, no script errors
