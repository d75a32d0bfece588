"""Check-in in a meeting room: the secretary's screen on a phone and on a projector,
members checking in by the QR's URL (signing in first) and by the six digits, a
manual check-in asked once, the code changing on the server's schedule."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.accounts.models import Role
from orglife import checkin
from orglife.models import Attendance, LeaveRequest, LeaveStatus
from orglife.services import SessionInput, session_create

from ..factories import PASSWORD, make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
PROJECTOR = {"width": 1920, "height": 1080}
NAMES = ["陈秀英", "王建华", "李娜", "张伟", "刘洋"]


def _context(browser, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    return page


def _phone(browser):
    return _context(browser, SMALL_PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def _sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _no_english(page):
    assert english_words(visible_text(page.content()), allow=[*NAMES, "member001"]) == []


def test_checkin_screen_phones_and_projector(daphne_server, browser):
    base = daphne_server
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    secretary = make_user(
        Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英"
    )
    wang = make_user(branch=branch, username="member001", display_name="王建华")
    li = make_user(branch=branch, username="member002", display_name="李娜")
    zhang = make_user(branch=branch, username="member003", display_name="张伟")
    liu = make_user(branch=branch, username="member004", display_name="刘洋")
    session = session_create(
        by=secretary,
        data=SessionInput(
            kind="theme_day",
            title="十一月主题党日：学习党的二十届四中全会精神",
            starts_at=timezone.now() + timedelta(minutes=10),
            branch=branch,
            place="三楼第二会议室",
        ),
    )
    LeaveRequest.objects.create(
        session=session, member=zhang, reason="出差", status=LeaveStatus.APPROVED
    )
    screen_path = f"/orglife/sessions/{session.pk}/checkin/"

    # given: the secretary's screen on a phone and on the projector
    host = _phone(browser)
    _sign_in(host, base, "secretary")
    host.goto(base + screen_path)
    host.wait_for_selector("[data-testid=checkin-qr] svg")
    assert host.locator("[data-count=present]").first.inner_text() == "0"
    assert host.locator("[data-count=expected]").first.inner_text() == "5"
    missing = host.locator("[data-testid=missing-list]")
    for name in ("陈秀英", "王建华", "李娜", "刘洋"):
        assert name in missing.inner_text()
    assert "张伟" not in missing.inner_text()  # on leave
    _no_english(host)
    for button in host.locator("button, a.ck-head__back").all():
        assert button.bounding_box()["height"] >= 44
    screenshot(host, "orglife-checkin-screen-phone")

    projector = _context(browser, PROJECTOR)
    _sign_in(projector, base, "secretary")
    projector.goto(base + screen_path)
    projector.wait_for_selector("[data-testid=checkin-qr] svg")
    qr_box = projector.locator("[data-testid=checkin-qr]").bounding_box()
    assert qr_box["height"] >= 0.6 * PROJECTOR["height"]
    assert projector.locator(".topbar").is_hidden()
    short_box = projector.locator("[data-testid=short-code]").bounding_box()
    assert short_box["height"] >= 60 and short_box["y"] + short_box["height"] <= 1080
    _no_english(projector)
    screenshot(projector, "orglife-checkin-screen-projector")

    # when: 王建华 opens the QR's URL on his phone, not signed in yet
    url = projector.locator("[data-testid=checkin-qr]").get_attribute("href")
    assert url.startswith(base + "/checkin/?c=")
    wang_phone = _phone(browser)
    wang_phone.goto(url)
    assert "/accounts/login/" in wang_phone.url
    wang_phone.fill("input[name=username]", "member001")
    wang_phone.fill("input[name=password]", PASSWORD)
    wang_phone.click("button[type=submit]")
    # then: back on the landing page, the check-in is sent at once
    wang_phone.wait_for_selector("[data-testid=checkin-result]")
    assert wang_phone.locator("[data-testid=checkin-result]").get_attribute("data-outcome") == "ok"
    assert "签到成功" in wang_phone.inner_text("[data-testid=checkin-result]")
    _no_english(wang_phone)
    screenshot(wang_phone, "orglife-checkin-member-ok")
    # a reload sends it again: harmless
    wang_phone.goto(url)
    wang_phone.wait_for_selector("[data-testid=checkin-result][data-outcome=already]")
    assert "已签到过" in wang_phone.inner_text("[data-testid=checkin-result]")

    # 李娜 types the six digits
    li_phone = _phone(browser)
    _sign_in(li_phone, base, "member002")
    li_phone.goto(base + "/checkin/")
    _no_english(li_phone)
    screenshot(li_phone, "orglife-checkin-member-typed")
    short = projector.inner_text("[data-testid=short-code]").replace(" ", "")
    li_phone.fill("input[name=code]", short)
    li_phone.click("button[type=submit]")
    li_phone.wait_for_selector("[data-testid=checkin-result][data-outcome=ok]")

    # the projector's count follows (it asks every few seconds)
    expect(projector.locator("[data-count=present]").first).to_have_text("2", timeout=15000)
    # (the count and the lists are drawn one after the other: wait for the lists too)
    expect(projector.locator("[data-testid=present-list]")).to_contain_text("王建华")
    expect(projector.locator("[data-testid=missing-list]")).not_to_contain_text("王建华")

    # 刘洋 has no phone: the secretary checks him in by hand, asked once to confirm
    button = host.locator(f"[data-testid=missing-list] [data-manual='{liu.pk}']")
    button.click()
    host.wait_for_selector(f"[data-manual='{liu.pk}'][data-confirming]")
    assert "刘洋" in host.inner_text(f"[data-manual='{liu.pk}']")
    assert not Attendance.objects.get(session=session, member=liu).checked_in_at
    host.click(f"[data-manual='{liu.pk}'][data-confirming]")
    expect(host.locator("[data-testid=present-list]")).to_contain_text("刘洋")
    row = Attendance.objects.get(session=session, member=liu)
    assert row.method == "manual" and row.checked_in_by == secretary
    assert "手动签到" in host.inner_text("[data-testid=present-list]")
    assert host.locator("[data-count=present]").first.inner_text() == "3"
    _no_english(host)
    screenshot(host, "orglife-checkin-screen-phone-after")

    # the code changes on the server's schedule (every 15 s)
    expect(projector.locator("[data-testid=short-code]")).not_to_have_text(
        f"{short[:3]} {short[3:]}", timeout=20000
    )
    new_url = projector.locator("[data-testid=checkin-qr]").get_attribute("href")
    assert new_url != url
    expect(projector.locator("[data-testid=present-list]")).to_contain_text("刘洋", timeout=8000)
    screenshot(projector, "orglife-checkin-screen-projector-after")

    # a photo of an old code is refused
    old = checkin.checkin_code_for(session=session, now=timezone.now() - timedelta(seconds=45))
    li_phone.goto(base + f"/checkin/?c={old.code}")
    li_phone.wait_for_selector("[data-testid=checkin-result][data-outcome=expired]")
    assert "二维码已过期，请扫描大屏上的新二维码" in li_phone.inner_text("body")
    _no_english(li_phone)
    screenshot(li_phone, "orglife-checkin-member-expired")

    assert Attendance.objects.filter(session=session, checked_in_at__isnull=False).count() == 3

    # a session three hours away: the screen says when check-in opens
    later = session_create(
        by=secretary,
        data=SessionInput(
            kind="party_class",
            title="党课：新时代党的建设总要求",
            starts_at=timezone.now() + timedelta(hours=3),
            branch=branch,
        ),
    )
    host.goto(base + f"/orglife/sessions/{later.pk}/checkin/")
    host.wait_for_selector("[data-testid=checkin-qr] svg")
    expect(host.locator("[data-testid=checkin-window]")).to_contain_text("签到将于")
    _no_english(host)
    screenshot(host, "orglife-checkin-screen-phone-not-open")
    for page in (host, projector, wang_phone):
        assert page.console_errors == []
    # the refused check-in's page comes with its status (409), which the console notes
    assert all("409" in error for error in li_phone.console_errors)
    assert wang.pk and li.pk
