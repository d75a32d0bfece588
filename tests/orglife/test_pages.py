"""The session pages (list, scheduling form, a session's page) and 我的组织生活."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orglife.makeup import makeup_create_due
from orglife.models import (
    Attendance,
    LeaveRequest,
    LeaveStatus,
    MakeupTask,
    PartyGroup,
    Record,
    Session,
)
from orglife.services import SessionInput, session_create

pytestmark = pytest.mark.django_db


def schedule(org, *, by=None, days=2, **extra):
    data = {"kind": "theme_day", "title": "主题党日", "branch": org.branch_a1}
    data.update(extra)
    return session_create(
        by=by or org.secretary,
        data=SessionInput(starts_at=timezone.now() + timedelta(days=days), **data),
    )


def local_input(days=3):
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def as_user(client, user):
    client.force_login(user)
    return client


def test_list_for_secretary_and_admins_members_are_sent_to_their_own(org, client):
    upcoming = schedule(org, title="十二月主题党日")
    past = schedule(org, days=-3, title="上周学习日", kind="study_day")
    other = schedule(org, by=org.secretary_b, branch=org.branch_b1, title="财政局主题党日")
    html = as_user(client, org.secretary).get("/orglife/").content.decode()
    assert "十二月主题党日" in html and "主题党日" in html
    assert "上周学习日" in html and "待记录" in html
    assert "财政局主题党日" not in html
    assert "新建组织生活" in html
    # the city admin sees both branches and filters by branch and kind
    client.force_login(org.city_admin)
    html = client.get("/orglife/").content.decode()
    assert "财政局主题党日" in html and "十二月主题党日" in html
    html = client.get(f"/orglife/?branch={org.branch_b1.pk}").content.decode()
    assert "财政局主题党日" in html and "十二月主题党日" not in html
    html = client.get("/orglife/?kind=study_day&period=quarter").content.decode()
    assert "上周学习日" in html and "十二月主题党日" not in html
    # a member is sent to 我的组织生活
    client.force_login(org.member_a1)
    response = client.get("/orglife/")
    assert response.status_code == 302 and response["Location"] == "/me/orglife/"
    assert upcoming.pk and past.pk and other.pk


def test_session_page_is_scoped(org, client):
    mine = schedule(org)
    other = schedule(org, by=org.secretary_b, branch=org.branch_b1)
    assert as_user(client, org.secretary).get(f"/orglife/sessions/{mine.pk}/").status_code == 200
    assert client.get(f"/orglife/sessions/{other.pk}/").status_code == 404
    assert client.get(f"/orglife/sessions/{other.pk}/calendar.ics").status_code == 404
    client.force_login(org.member_a1)
    html = client.get(f"/orglife/sessions/{mine.pk}/").content.decode()
    assert "应参加" in html and "添加到日历" in html
    assert "签到大屏" not in html  # members do not run it
    assert client.get(f"/orglife/sessions/{other.pk}/").status_code == 404
    client.force_login(org.member_a2)  # another branch of the same unit
    assert client.get(f"/orglife/sessions/{mine.pk}/").status_code == 404
    client.force_login(org.unit_admin)
    html = client.get(f"/orglife/sessions/{mine.pk}/").content.decode()
    assert "签到大屏" in html and f"/orglife/sessions/{mine.pk}/record/" in html
    assert client.get(f"/orglife/sessions/{other.pk}/").status_code == 404


def test_member_status_on_the_page(org, client):
    session = schedule(org)
    LeaveRequest.objects.create(session=session, member=org.member_a1, reason="出差")
    html = as_user(client, org.member_a1).get(f"/orglife/sessions/{session.pk}/").content.decode()
    assert "请假待批" in html
    held = schedule(org, days=-1)
    Attendance.objects.filter(session=held, member=org.member_a1).update(
        checked_in_at=held.starts_at + timedelta(minutes=10), late=True
    )
    assert "迟到" in client.get(f"/orglife/sessions/{held.pk}/").content.decode()


def test_member_and_other_roles_cannot_schedule(org, client):
    assert as_user(client, org.member_a1).get("/orglife/new/").status_code == 403
    response = client.post("/orglife/new/", {"kind": "theme_day", "title": "x"})
    assert response.status_code == 403
    assert not Session.objects.exists()


def test_secretary_schedules_with_the_branch_expected(org, client):
    as_user(client, org.secretary)
    page = client.get("/orglife/new/?kind=committee").content.decode()
    assert 'type="datetime-local"' in page and "支委会" in page
    response = client.post(
        "/orglife/new/",
        {
            "kind": "theme_day",
            "title": "十二月主题党日",
            "topic": "重温入党誓词",
            "starts_at": local_input(),
            "length": "90",
            "place": "三楼会议室",
            "host": org.member_a1.pk,
        },
    )
    session = Session.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/orglife/sessions/{session.pk}/"
    )
    assert session.branch == org.branch_a1 and session.host == org.member_a1
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert set(session.attendance.values_list("member__username", flat=True)) == {
        "secretary",
        "member_a1",
    }


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(org, client):
    as_user(client, org.secretary)
    base = {"kind": "theme_day", "title": "主题党日", "starts_at": local_input(), "length": "120"}
    cases = [
        ({**base, "title": ""}, "该字段是必填项"),
        ({**base, "starts_at": "明天"}, "日期"),
        ({**base, "host": org.member_b1.pk}, "请从列表中选择"),
        ({**base, "kind": "group"}, "党小组"),
        ({**base, "kind": "hall_lecture"}, "请从列表中选择"),
    ]
    for data, words in cases:
        response = client.post("/orglife/new/", {"host": org.secretary.pk, **data})
        assert response.status_code == 200, data
        assert words in response.content.decode(), (data, words)
    # the secretary cannot put another branch's session on the calendar
    response = client.post(
        "/orglife/new/", {**base, "host": org.secretary.pk, "branch": org.branch_b1.pk}
    )
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    assert not Session.objects.exists()
    client.force_login(org.unit_admin)
    response = client.post(
        "/orglife/new/", {**base, "host": org.unit_admin.pk, "branch": org.branch_b1.pk}
    )
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    assert not Session.objects.exists()
    assert not Attendance.objects.exists()


def test_group_meeting_and_hall_lectures(org, client):
    group = PartyGroup.objects.create(branch=org.branch_a1, name="第一党小组")
    group.members.add(org.member_a1)
    as_user(client, org.secretary)
    base = {"title": "学习会", "starts_at": local_input(), "length": "60", "host": org.secretary.pk}
    response = client.post("/orglife/new/", {**base, "kind": "group", "group": group.pk})
    assert response.status_code == 302
    assert list(Session.objects.get().attendance.values_list("member", flat=True)) == [
        org.member_a1.pk
    ]
    client.force_login(org.unit_admin)
    response = client.post(
        "/orglife/new/",
        {**base, "kind": "hall_lecture", "unit": org.unit_a.pk, "host": org.unit_admin.pk},
    )
    assert response.status_code == 302
    lecture = Session.objects.get(kind="hall_lecture")
    assert lecture.unit == org.unit_a and lecture.attendance.count() == 3
    client.force_login(org.city_admin)
    response = client.post(
        "/orglife/new/", {**base, "kind": "hall_lecture", "host": org.city_admin.pk}
    )
    assert response.status_code == 302
    assert Session.objects.filter(kind="hall_lecture", unit=None).get().attendance.count() == 5


def test_cancel_asks_once_and_only_before_the_start(org, client):
    session = schedule(org)
    as_user(client, org.secretary)
    page = client.get(f"/orglife/sessions/{session.pk}/?cancel=1").content.decode()
    assert "确定取消" in page or "取消这次" in page
    client.force_login(org.member_a1)
    assert client.post(f"/orglife/sessions/{session.pk}/cancel/").status_code == 403
    client.force_login(org.secretary)
    client.post(f"/orglife/sessions/{session.pk}/cancel/")
    session.refresh_from_db()
    assert session.is_cancelled
    held = schedule(org, days=-1)
    response = client.post(f"/orglife/sessions/{held.pk}/cancel/", follow=True)
    assert "已经开始" in response.content.decode()
    held.refresh_from_db()
    assert not held.is_cancelled


def test_my_orglife_lists_upcoming_and_past_with_status(org, client):
    upcoming = schedule(org, title="下周主题党日")
    LeaveRequest.objects.create(session=upcoming, member=org.member_a1, reason="出差")
    past = schedule(org, days=-5, title="上周学习日", kind="study_day")
    schedule(org, by=org.secretary_b, branch=org.branch_b1, title="财政局主题党日")
    html = as_user(client, org.member_a1).get("/me/orglife/").content.decode()
    assert "下周主题党日" in html and "请假待批" in html
    assert "上周学习日" in html and "缺席" in html
    assert "财政局主题党日" not in html
    assert "/me/makeup/" in html and "webcal://" in html and "/orglife/calendar/" in html
    # the past session's make-up task is there without waiting for orglife_tick
    assert MakeupTask.objects.filter(session=past, member=org.member_a1).exists()


def test_a_member_finds_the_signed_record_on_the_session_page(org, client):
    past = schedule(org, days=-2)
    as_user(client, org.member_a1)
    html = client.get(f"/orglife/sessions/{past.pk}/").content.decode()
    assert 'data-testid="read-record"' not in html
    record = Record.objects.create(session=past, minutes="会议记录")
    assert (
        'data-testid="read-record"'
        not in client.get(f"/orglife/sessions/{past.pk}/").content.decode()
    )
    record.signed_at = timezone.now()
    record.save()
    html = client.get(f"/orglife/sessions/{past.pk}/").content.decode()
    assert 'data-testid="read-record"' in html and "查看会议记录" in html
    assert client.get(f"/orglife/sessions/{past.pk}/record/").status_code == 200


def test_api_me_orglife_shape(org, api_as):
    upcoming = schedule(org)
    past = schedule(org, days=-2)
    LeaveRequest.objects.create(
        session=past, member=org.member_a1, reason="病假", status=LeaveStatus.APPROVED
    )
    body = api_as(org.member_a1).get("/api/v1/me/orglife/").json()
    assert set(body) == {"upcoming", "past", "calendar_url", "webcal_url"}
    assert [s["id"] for s in body["upcoming"]] == [upcoming.pk]
    assert [s["id"] for s in body["past"]] == [past.pk]
    row = body["past"][0]
    # the session has ended: its make-up task exists when the list is read (leave or not)
    assert row["status"] == "on_leave" and row["leave"] == "approved" and row["makeup"] == "open"
    assert set(row) >= {"id", "kind", "kind_name", "title", "starts_at", "place", "status"}
    assert body["calendar_url"].startswith("http") and body["calendar_url"].endswith(".ics")
    assert api_as(org.member_b1).get("/api/v1/me/orglife/").json()["upcoming"] == []


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_sessions(org, client):
    def add(n):
        for i in range(n):
            session = schedule(org, days=(i % 7) - 3, title=f"第{i}次")
            LeaveRequest.objects.get_or_create(session=session, member=org.member_a1, reason="事")
        makeup_create_due()  # as orglife_tick does: the pages create none while counted

    add(2)
    as_user(client, org.secretary)
    small_index = _count(client, "/orglife/?period=quarter")
    client.force_login(org.member_a1)
    small_mine = _count(client, "/me/orglife/")
    add(18)
    client.force_login(org.secretary)
    assert _count(client, "/orglife/?period=quarter") == small_index
    client.force_login(org.member_a1)
    assert _count(client, "/me/orglife/") == small_mine


def test_the_pages_show_no_english_to_a_chinese_user(org, client):
    from ..text_words import english_words, visible_text

    upcoming = schedule(org, title="主题党日")
    held = schedule(org, days=-2, kind="study_day", title="学习日")
    LeaveRequest.objects.create(session=upcoming, member=org.member_a1, reason="出差")
    pages = {
        org.secretary: [
            "/orglife/",
            "/orglife/?period=2026-Q4",
            "/orglife/new/",
            f"/orglife/sessions/{upcoming.pk}/?cancel=1",
            f"/orglife/sessions/{held.pk}/",
        ],
        org.city_admin: ["/orglife/", "/orglife/new/?kind=hall_lecture"],
        org.member_a1: ["/me/orglife/", f"/orglife/sessions/{upcoming.pk}/"],
    }
    for user, paths in pages.items():
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert english_words(visible_text(response.content.decode())) == [], path
    client.force_login(org.secretary)
    response = client.post("/orglife/new/", {"kind": "group", "title": ""})
    assert english_words(visible_text(response.content.decode())) == []
