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


def test_unit_admin_uses_the_admin_under_the_csp(daphne_server, browser):
    # given a unit admin and members in two units
    own = make_branch(make_unit("市委组织部"), "机关第一党支部")
    other = make_branch(make_unit("市财政局"), "预算处党支部")
    make_user(Role.UNIT_ADMIN, unit=own.unit, username="unitadmin", display_name="吴志强")
    make_user(branch=own, username="member001", display_name="本单位党员")
    make_user(branch=other, username="member002", display_name="外单位党员")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # when they sign in from the admin link and open the people list
    page.goto(daphne_server + "/admin/accounts/user/")
    page.fill("input[name=username]", "unitadmin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(daphne_server + "/admin/accounts/user/")

    # then only their unit shows, and the admin's scripts run under the CSP
    table = page.locator("#result_list").inner_text()
    assert "本单位党员" in table and "外单位党员" not in table
    page.click("text=从 Excel 导入")
    assert page.locator("h1").inner_text() == "从 Excel 导入党员"
    screenshot(page, "admin-import")
    assert errors == []
    context.close()
