"""Leave and make-up on phones: a member asks for leave, the secretary approves it,
an absent member's 我的补学 lists what to study and ticks what the system saw."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from courses.services import reading_item_check
from orglife import makeup
from orglife.models import LeaveRequest, LeaveStatus
from orglife.services import SessionInput, session_create

from ..factories import PASSWORD, make_branch, make_lecture, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _no_english(page):
    assert english_words(visible_text(page.content()), allow=["member001"]) == []


def _tap_targets_are_big(page, selector):
    for box in page.locator(selector).all():
        assert box.bounding_box()["height"] >= 44, selector


def test_leave_is_asked_and_approved_and_make_up_is_listed(daphne_server, browser):
    # given a branch, its secretary and two members; a 主题党日 tomorrow and one held
    # yesterday with this month's lecture and its reading, which 李娜 missed
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    secretary = make_user(
        Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英"
    )
    make_user(branch=branch, username="member001", display_name="王建华")
    absent = make_user(branch=branch, username="member002", display_name="李娜")
    lecture = make_lecture(title="学习党章 遵守党章", reading=[("《中国共产党章程》", True)])
    tomorrow = session_create(
        by=secretary,
        data=SessionInput(
            kind="theme_day",
            title="十二月主题党日",
            starts_at=timezone.now() + timedelta(days=1),
            branch=branch,
            place="三楼会议室",
        ),
    )
    held = session_create(
        by=secretary,
        data=SessionInput(
            kind="study_day",
            title="十一月学习日",
            starts_at=timezone.now() - timedelta(days=1),
            branch=branch,
            lecture=lecture,
            reading_items=tuple(lecture.reading_list.items.all()),
        ),
    )
    earlier = session_create(
        by=secretary,
        data=SessionInput(
            kind="party_class",
            title="党课：党的二十大精神",
            starts_at=timezone.now() - timedelta(days=20),
            branch=branch,
        ),
    )

    # when member001 asks for leave on a small phone, from the session's page
    context = browser.new_context(
        viewport=SMALL_PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, daphne_server, "member001")
    page.goto(f"{daphne_server}/orglife/sessions/{tomorrow.pk}/leave/")
    page.click("[data-testid=ask-leave]")  # empty: the browser asks for a reason
    assert not LeaveRequest.objects.exists()
    page.fill("textarea[name=reason]", "在外地参加业务培训，无法到会")
    _tap_targets_are_big(page, "[data-testid=ask-leave]")
    screenshot(page, "orglife-leave-ask-phone")
    page.click("[data-testid=ask-leave]")
    page.wait_for_selector("[data-leave-status=pending]")
    _no_english(page)
    screenshot(page, "orglife-leave-asked-phone")

    # then the secretary approves it on the phone
    secretary_context = browser.new_context(
        viewport=SMALL_PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    secretary_page = secretary_context.new_page()
    sign_in(secretary_page, daphne_server, "secretary")
    secretary_page.goto(f"{daphne_server}/orglife/leave/")
    _tap_targets_are_big(secretary_page, ".lv-decide button")
    _no_english(secretary_page)
    screenshot(secretary_page, "orglife-leave-approvals-phone")
    secretary_page.click(".lv-decide button[value='1']")
    secretary_page.wait_for_selector("[data-testid=leave-decided]")
    assert LeaveRequest.objects.get().status == LeaveStatus.APPROVED
    screenshot(secretary_page, "orglife-leave-approved-phone")
    secretary_page.set_viewport_size({"width": 1920, "height": 1080})
    screenshot(secretary_page, "orglife-leave-approvals-1920")

    page.goto(f"{daphne_server}/orglife/sessions/{tomorrow.pk}/")
    page.wait_for_selector("[data-leave-status=approved]")
    screenshot(page, "orglife-session-leave-box-phone")

    # and 李娜, absent twice, sees her make-up study: the reading she checked is ticked
    makeup.makeup_create_due()
    reading_item_check(member=absent, item=lecture.reading_list.items.get())
    makeup.makeup_record_read(member=absent, session=earlier)  # the party class: done
    absent_context = browser.new_context(
        viewport=SMALL_PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    absent_page = absent_context.new_page()
    sign_in(absent_page, daphne_server, "member002")
    absent_page.goto(f"{daphne_server}/me/makeup/")
    assert absent_page.locator("[data-testid=makeup-open]").inner_text() == "1"
    tasks = absent_page.locator("[data-makeup]")
    assert tasks.nth(0).get_attribute("data-makeup") == str(held.pk)  # open first
    assert absent_page.locator(f"[data-makeup='{held.pk}'] .mk-item.is-done").count() == 1
    _tap_targets_are_big(absent_page, ".mk-item .button")
    _no_english(absent_page)
    screenshot(absent_page, "orglife-makeup-phone")
    absent_page.locator(f"[data-makeup='{held.pk}'] [data-item=lecture] .button").click()
    absent_page.wait_for_url(f"{daphne_server}/lectures/{lecture.pk}/")
    absent_page.go_back()
    absent_page.set_viewport_size({"width": 1920, "height": 1080})
    screenshot(absent_page, "orglife-makeup-1920")
    assert errors == []
    for ctx in (context, secretary_context, absent_context):
        ctx.close()
