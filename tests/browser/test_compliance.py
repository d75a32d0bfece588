"""组织生活亮灯 in Chromium: the unit admin's table on a projector-sized screen and a
phone, a branch's page behind its light, and the secretary's 本月应开展 card."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from orglife.compliance import period_of
from orglife.models import Record
from orglife.services import SessionInput, session_create

from ..factories import make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .test_study import sign_in

pytestmark = pytest.mark.browser


def _phone(browser):
    return browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip


def _hold(branch, kind, starts, by, present):
    session = session_create(
        by=by,
        data=SessionInput(
            kind=kind, title="学习贯彻党的二十届四中全会精神", starts_at=starts, branch=branch
        ),
    )
    for row in list(session.attendance.order_by("id"))[:present]:
        row.checked_in_at = starts
        row.save()
    Record.objects.create(session=session, signed_at=session.ends_at, signed_by=by)


def test_unit_admin_sees_the_lights_and_the_secretary_what_is_due(daphne_server, browser):
    # given a unit with a green, a yellow and a red branch in the last quarter
    unit = make_unit("市委组织部")
    names = ["机关第一党支部", "机关第二党支部", "机关第三党支部"]
    branches = [make_branch(unit, name) for name in names]
    secretaries = [
        make_user(Role.SECRETARY, branch=b, username=f"sec{i}", display_name=f"书记{i}")
        for i, b in enumerate(branches)
    ]
    for b in branches:
        for i in range(4):
            make_user(branch=b, display_name=f"{b.name[2:4]}党员{i}")
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin", display_name="张明")
    quarter = period_of(timezone.localdate(), "quarter")
    last = period_of(quarter.start - timedelta(days=1), "quarter")
    months = [p.starts_at() + timedelta(days=4, hours=10) for p in last.parts("month")]
    for i, (branch, secretary) in enumerate(zip(branches, secretaries, strict=True)):
        present = 5 if i != 1 else 3  # the second branch: 60 % attendance
        for n, start in enumerate(months):
            if i == 2 and n:
                break  # the third branch held one month of three
            for kind in ("committee", "group", "theme_day", "study_day"):
                if kind != "group":
                    _hold(branch, kind, start, secretary, present)
        if i != 2:
            _hold(branch, "party_meeting", months[1], secretary, present)
            _hold(branch, "party_class", months[2], secretary, present)

    # when the unit admin opens the lights on a 1920×1080 screen
    desk = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, daphne_server, "unitadmin")
    page.click("[data-testid=compliance-link]")
    page.select_option("select[name=period]", last.label)
    page.click("[data-testid=period-picker] button[type=submit]")
    page.wait_for_url(f"**period={last.label}**")
    # then each branch shows its light as a word, and nothing in English
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    words = [page.locator(f"[data-testid=branch-{b.pk}] .cl-light").inner_text() for b in branches]
    assert words == ["达标", "待改进", "未达标"]
    assert english_words(visible_text(page.content())) == []
    screenshot(page, "compliance-desktop")
    desk.close()

    # and on a 360×640 phone the table scrolls and the branch page lists the sessions
    phone_ctx = _phone(browser)
    phone = phone_ctx.new_page()
    sign_in(phone, daphne_server, "unitadmin")
    phone.goto(f"{daphne_server}/orglife/compliance/?period={last.label}")
    screenshot(phone, "compliance-phone")
    phone.click(f"[data-testid=branch-{branches[2].pk}] a")
    assert phone.locator("[data-testid=branch-light]").get_attribute("data-light") == "red"
    assert phone.locator("[data-testid=sessions] .ol-row").count() == 3
    assert english_words(visible_text(phone.content())) == []
    screenshot(phone, "compliance-branch-phone")
    phone_ctx.close()

    # the secretary's home says what is due this month, with a link to schedule it
    phone_ctx = _phone(browser)
    phone = phone_ctx.new_page()
    sign_in(phone, daphne_server, "sec0")
    card = phone.locator("[data-testid=orglife-due]")
    assert "本月应开展" in card.inner_text()
    assert card.locator("a[href*='/orglife/new/?kind=committee']").count() == 1
    card.scroll_into_view_if_needed()
    screenshot(phone, "compliance-home-due-phone")
    phone_ctx.close()
