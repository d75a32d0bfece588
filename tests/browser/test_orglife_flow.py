"""The whole of a 主题党日, as the issue tells it, on phones: the secretary schedules it
and opens the check-in screen; two members check in by opening the QR's URL; one
asked for leave beforehand and the secretary approved; after the session the
absent member finds the make-up task; the secretary writes and signs the record;
the unit admin sees the branch's light turn green. Nothing is set up behind the
pages except the people, the months before and the clock (the session is moved
into the past, as time would)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.accounts.models import Role
from orglife import compliance
from orglife.models import (
    Attendance,
    CheckinMethod,
    ComplianceRule,
    LeaveRequest,
    LeaveStatus,
    MakeupTask,
    Record,
    Session,
    SessionKind,
)
from orglife.services import SessionInput, session_create

from ..factories import PASSWORD, make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
NAMES = ["陈秀英", "王建华", "李娜", "张伟", "刘洋"]
TITLE = "主题党日：学习党的二十届四中全会精神"


def _phone(browser):
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def _sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _no_english(page):
    assert english_words(visible_text(page.content()), allow=NAMES) == []


def _months_of_this_quarter_before(now):
    """15:00 on the 10th of each month of the running quarter that has ended."""
    local = timezone.localtime(now)
    first = (local.month - 1) // 3 * 3 + 1
    return [
        local.replace(month=m, day=10, hour=15, minute=0, second=0, microsecond=0)
        for m in range(first, local.month)
    ]


def test_a_theme_day_from_scheduling_to_a_green_light(daphne_server, browser):
    base = daphne_server
    unit = make_unit("市委组织部")
    branch = make_branch(unit, "机关第一党支部")
    secretary = make_user(
        Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英"
    )
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin", display_name="组织部管理员")
    wang = make_user(branch=branch, username="member001", display_name="王建华")
    li = make_user(branch=branch, username="member002", display_name="李娜")
    zhang = make_user(branch=branch, username="member003", display_name="张伟")
    liu = make_user(branch=branch, username="member004", display_name="刘洋")
    # The rules: only 主题党日, monthly, so the light is this story's alone. The months
    # of the quarter already over had theirs, everyone there, records signed.
    ComplianceRule.objects.exclude(kind=SessionKind.THEME_DAY).update(is_active=False)
    ComplianceRule.objects.update_or_create(
        kind=SessionKind.THEME_DAY, defaults={"per": "month", "times": 1, "is_active": True}
    )
    for when in _months_of_this_quarter_before(timezone.now()):
        earlier = session_create(
            by=secretary,
            data=SessionInput(kind="theme_day", title="主题党日", starts_at=when, branch=branch),
        )
        earlier.attendance.update(checked_in_at=when, method=CheckinMethod.QR)
        Record.objects.create(session=earlier, signed_at=earlier.ends_at, signed_by=secretary)

    # the unit admin's page before: this month's 主题党日 still to hold, so not green
    admin = _phone(browser)
    _sign_in(admin, base, "unitadmin")
    admin.goto(base + "/orglife/compliance/")
    row = admin.locator(f"[data-testid=branch-{branch.pk}]")
    assert row.get_attribute("data-light") == "yellow"
    screenshot(admin, "orglife-flow-1-compliance-before")

    # 1. the secretary schedules the 主题党日 on her phone, starting in 20 minutes
    host = _phone(browser)
    _sign_in(host, base, "secretary")
    host.goto(base + "/orglife/new/")
    host.select_option("select[name=kind]", "theme_day")
    host.fill("input[name=title]", TITLE)
    starts = timezone.localtime() + timedelta(minutes=20)
    host.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    host.fill("input[name=place]", "三楼第二会议室")
    _no_english(host)
    screenshot(host, "orglife-flow-2-schedule")
    host.click("[data-testid=session-form] button[type=submit]")
    host.wait_for_url(f"{base}/orglife/sessions/*/")
    session = Session.objects.get(title=TITLE)
    assert session.branch == branch and session.host == secretary
    assert session.attendance.filter(expected=True).count() == 5
    screenshot(host, "orglife-flow-3-session")

    # 2. 张伟 cannot come: he asks for leave from 我的组织生活, the secretary approves
    leave_phone = _phone(browser)
    _sign_in(leave_phone, base, "member003")
    leave_phone.goto(base + "/me/orglife/")
    leave_phone.click(f"[data-testid=my-upcoming] [data-session='{session.pk}']")
    leave_phone.wait_for_url(f"{base}/orglife/sessions/{session.pk}/")
    leave_phone.fill("textarea[name=reason]", "在外地参加业务培训，无法到会")
    leave_phone.click("[data-testid=ask-leave]")
    leave_phone.wait_for_selector("[data-leave-status=pending]")
    screenshot(leave_phone, "orglife-flow-4-leave-asked")
    host.goto(base + "/orglife/leave/")
    expect(host.locator("body")).to_contain_text("在外地参加业务培训")
    host.click(".lv-decide button[value='1']")
    host.wait_for_selector("[data-testid=leave-decided]")
    assert LeaveRequest.objects.get(session=session, member=zhang).status == LeaveStatus.APPROVED
    leave_phone.reload()
    leave_phone.wait_for_selector("[data-leave-status=approved]")

    # 3. she opens the check-in screen from the session's page
    host.goto(f"{base}/orglife/sessions/{session.pk}/")
    host.click(f"a[href='/orglife/sessions/{session.pk}/checkin/']")
    host.wait_for_selector("[data-testid=checkin-qr] svg")
    assert host.locator("[data-count=expected]").first.inner_text() == "5"
    assert "张伟" not in host.inner_text("[data-testid=missing-list]")  # on leave
    _no_english(host)
    screenshot(host, "orglife-flow-5-checkin-screen")

    # 4. two members open the QR's URL on their phones
    for username in ("member001", "member002"):
        url = host.locator("[data-testid=checkin-qr]").get_attribute("href")
        assert url.startswith(base + "/checkin/?c=")
        member = _phone(browser)
        member.goto(url)
        member.fill("input[name=username]", username)  # sent to sign in first
        member.fill("input[name=password]", PASSWORD)
        member.click("button[type=submit]")
        member.wait_for_selector("[data-testid=checkin-result][data-outcome=ok]")
        _no_english(member)
        screenshot(member, f"orglife-flow-6-checked-in-{username}")
        assert member.console_errors == []
        member.context.close()
    expect(host.locator("[data-count=present]").first).to_have_text("2", timeout=15000)
    # 刘洋 has no smartphone, and the secretary checks herself in: by hand
    for person in (liu, secretary):
        host.click(f"[data-testid=missing-list] [data-manual='{person.pk}']")
        host.click(f"[data-manual='{person.pk}'][data-confirming]")
        expect(host.locator("[data-testid=present-list]")).to_contain_text(person.display_name)
    expect(host.locator("[data-count=present]").first).to_have_text("4")
    screenshot(host, "orglife-flow-7-checkin-after")
    present = Attendance.objects.filter(session=session, checked_in_at__isnull=False)
    assert {a.member for a in present} == {wang, li, liu, secretary}
    assert not present.filter(late=True).exists()

    # 5. the session is over (the clock moved on three hours)
    shift = timedelta(hours=3)
    Session.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
    )

    # the absent member, on leave, finds the make-up task on his phone
    leave_phone.goto(base + "/me/makeup/")
    task = leave_phone.locator(f"[data-makeup='{session.pk}']")
    expect(task).to_contain_text(TITLE)
    assert leave_phone.get_by_test_id("makeup-open").inner_text() == "1"
    _no_english(leave_phone)
    screenshot(leave_phone, "orglife-flow-8-makeup")
    assert MakeupTask.objects.filter(session=session).count() == 1  # only the absent one

    # the light is not green yet: the record is not signed
    admin.reload()
    assert row.get_attribute("data-light") == "yellow"

    # 6. the secretary writes and signs the record
    host.goto(f"{base}/orglife/sessions/{session.pk}/record/")
    counts = {k: host.get_by_test_id(f"count-{k}").inner_text() for k in ("present", "on-leave")}
    assert counts == {"present": "4", "on-leave": "1"}
    assert host.get_by_test_id("count-absent").inner_text() == "0"
    host.get_by_test_id("minutes").fill(
        "## 会议议程\n\n- 集体学习党的二十届四中全会精神\n- 交流研讨\n\n"
        "**张伟**同志请假，会后补学。"
    )
    host.get_by_test_id("decisions").fill("各党小组结合岗位撰写学习体会")
    host.get_by_test_id("save").click()
    host.wait_for_url(f"{base}/orglife/sessions/{session.pk}/record/")
    host.get_by_test_id("sign-open").click()
    host.get_by_test_id("sign-confirm").click()
    host.wait_for_selector("[data-testid=signature]")
    assert "陈秀英" in host.get_by_test_id("signature").inner_text()
    _no_english(host)
    screenshot(host, "orglife-flow-9-record-signed")

    # 7. the unit admin sees the branch's light turn green, and opens the record behind it
    admin.reload()
    assert row.get_attribute("data-light") == "green"
    _no_english(admin)
    screenshot(admin, "orglife-flow-10-compliance-green")
    report = compliance.compliance_report(
        branches=type(branch).objects.filter(pk=branch.pk),
        period=compliance.parse_period(""),
    )
    assert report.branches[0].light == "green"
    row.locator("a").first.click()
    admin.wait_for_url(f"{base}/orglife/compliance/branches/{branch.pk}/*")
    admin.click(f"a[href='/orglife/sessions/{session.pk}/record/']")
    expect(admin.get_by_test_id("minutes-html")).to_contain_text("集体学习党的二十届四中全会精神")
    screenshot(admin, "orglife-flow-11-admin-reads-record")

    # and 张伟 reads the signed record from the task: that part of his make-up is seen done
    leave_phone.goto(base + "/me/makeup/")
    task.locator("[data-item=record] .button").click()
    expect(leave_phone.get_by_test_id("minutes-html")).to_contain_text("会后补学")
    assert MakeupTask.objects.get(session=session, member=zhang).record_read_at is not None
    for page in (host, admin, leave_phone):
        assert page.console_errors == []
