"""Check-in by a rotating QR code: codes, the API, the attendance lists and the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from backend.points.models import PointEvent
from orglife import checkin, services
from orglife.models import Attendance, LeaveRequest, LeaveStatus, SessionKind, SessionStatus
from orglife.views_checkin import SHOWN_KEY
from tests.factories import make_branch, make_user
from tests.text_words import english_words, visible_text

pytestmark = pytest.mark.django_db


def _session(org, *, starts_in=timedelta(minutes=30), kind=SessionKind.THEME_DAY, by=None, **kw):
    by = by or org.secretary
    branch = None if kind == SessionKind.HALL_LECTURE else kw.pop("branch", org.branch_a1)
    return services.session_create(
        by=by,
        data=services.SessionInput(
            kind=kind,
            title="十一月主题党日",
            starts_at=timezone.now() + starts_in,
            branch=branch,
            place="三楼会议室",
            **kw,
        ),
    )


def _code(session, *, ago=0):
    return checkin.checkin_code_for(session=session, now=timezone.now() - timedelta(seconds=ago))


def _post(api_as, user, code):
    return api_as(user).post("/api/v1/checkin/", {"code": code}, format="json")


def _chinese_only(text: str) -> bool:
    return bool(text) and not english_words(text)


# --- the code -----------------------------------------------------------------------------


def test_checkin_code_for_the_host_and_managers_404_for_others(org, api_as):
    session = _session(org)
    response = api_as(org.secretary).get(f"/api/v1/sessions/{session.pk}/checkin-code/")
    assert response.status_code == 200
    body = response.json()
    assert {"code", "url", "expires_at", "server_now", "short_code"} <= set(body)
    assert body["url"] == f"http://testserver/checkin/?c={body['code']}"
    assert len(body["short_code"]) == 6 and body["short_code"].isdigit()
    assert body["expected"] == 2 and body["present"] == 0
    assert "qr_svg" not in body
    assert (
        "<svg"
        in api_as(org.secretary)
        .get(f"/api/v1/sessions/{session.pk}/checkin-code/?qr=svg")
        .json()["qr_svg"]
    )
    assert (
        api_as(org.unit_admin).get(f"/api/v1/sessions/{session.pk}/checkin-code/").status_code
        == 200
    )
    for outsider in (org.secretary_b, org.member_a1, org.member_a2):
        response = api_as(outsider).get(f"/api/v1/sessions/{session.pk}/checkin-code/")
        assert response.status_code == 404
        assert response.json()["detail"] == "没有这项活动。"


def test_a_code_is_good_for_30_seconds_from_its_step_and_no_longer(org, settings):
    session = _session(org)
    start = checkin.step_start(checkin.step_at(timezone.now()) - 4)
    code = checkin.checkin_code_for(session=session, now=start)
    assert code.changes_at - start == timedelta(seconds=settings.ORGLIFE_CODE_STEP_SECONDS)
    assert code.expires_at - start == timedelta(seconds=settings.ORGLIFE_CODE_VALID_SECONDS)
    for seconds, ok in ((0, True), (14, True), (29, True), (30, False), (31, False), (-1, False)):
        found = checkin.session_id_of_long_code(code.code, now=start + timedelta(seconds=seconds))
        assert (found == session.pk) is ok, seconds
    # the six digits follow the same steps
    member = org.member_a1
    at = start + timedelta(seconds=29)
    assert checkin.session_id_of_short_code(code.short_code, member=member, now=at) == session.pk
    at = start + timedelta(seconds=30)
    assert checkin.session_id_of_short_code(code.short_code, member=member, now=at) is None


def test_an_old_code_is_refused_409_expired_and_a_fresh_one_taken(org, api_as):
    session = _session(org)
    old = _code(session, ago=31)
    response = _post(api_as, org.member_a1, old.code)
    assert response.status_code == 409
    assert response.json()["code"] == "expired"
    assert response.json()["detail"] == "二维码已过期，请扫描大屏上的新二维码"
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()
    response = _post(api_as, org.member_a1, _code(session, ago=14).code)
    assert response.status_code == 200


def test_a_forged_code_is_refused(org, api_as):
    session = _session(org)
    code = _code(session).code
    session_id, step, signature = code.split("-")
    forged = [
        f"{session_id}-{step}-{'0' * len(signature)}",
        f"{session_id}-{int(step) + 1}-{signature}",  # another step, the same signature
        f"{int(session_id) + 1}-{step}-{signature}",  # another session
        "garbage",
        "",
    ]
    for bad in forged:
        response = _post(api_as, org.member_a1, bad)
        assert response.status_code in (400, 409), bad
        if response.status_code == 409:
            assert response.json()["code"] == "expired"
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()


# --- checking in --------------------------------------------------------------------------


def test_two_checkins_count_once_and_award_points_once(org, api_as):
    session = _session(org)
    first = _post(api_as, org.member_a1, _code(session).code)
    assert first.status_code == 200
    body = first.json()
    assert body["session"] == session.pk and body["late"] is False and body["already"] is False
    second = _post(api_as, org.member_a1, _code(session).code)
    assert second.status_code == 200
    assert second.json()["checked_in_at"] == body["checked_in_at"]
    assert second.json()["already"] is True
    # by hand afterwards changes nothing either
    api_as(org.secretary).post(
        f"/api/v1/sessions/{session.pk}/attendance/", {"member": org.member_a1.pk}, format="json"
    )
    row = Attendance.objects.get(session=session, member=org.member_a1)
    assert row.method == "qr" and row.checked_in_by is None
    attendance = api_as(org.secretary).get(f"/api/v1/sessions/{session.pk}/attendance/").json()
    assert [p["id"] for p in attendance["present"]] == [org.member_a1.pk]
    assert attendance["counts"]["present"] == 1
    events = PointEvent.objects.filter(member=org.member_a1, rule__kind="orglife_attend")
    assert events.count() == 1
    assert events.get().source_key == f"session:{session.pk}"
    assert events.get().points > 0


def test_a_member_of_another_branch_is_refused_403_not_expected(org, api_as):
    session = _session(org)
    response = _post(api_as, org.member_a2, _code(session).code)
    assert response.status_code == 403
    assert response.json()["code"] == "not_expected"
    assert response.json()["detail"] == "你不在本次活动的应到名单中"
    assert not Attendance.objects.filter(session=session, member=org.member_a2).exists()
    # their six digits find nothing: the session is not among theirs
    response = _post(api_as, org.member_a2, _code(session).short_code)
    assert response.status_code == 409


def test_a_hall_lecture_records_a_guest(org, api_as):
    lecture = _session(org, kind=SessionKind.HALL_LECTURE, by=org.unit_admin, unit=org.unit_a)
    response = _post(api_as, org.member_b1, _code(lecture).code)
    assert response.status_code == 200
    assert response.json()["guest"] is True
    row = Attendance.objects.get(session=lecture, member=org.member_b1)
    assert row.expected is False and row.checked_in_at is not None
    assert row.branch == org.branch_b1
    # an expected member by the six digits
    response = _post(api_as, org.member_a1, _code(lecture).short_code)
    assert response.status_code == 200 and response.json()["guest"] is False
    assert Attendance.objects.get(session=lecture, member=org.member_a1).method == "code"
    attendance = api_as(org.unit_admin).get(f"/api/v1/sessions/{lecture.pk}/attendance/").json()
    guests = [p for p in attendance["present"] if p["guest"]]
    assert [p["id"] for p in guests] == [org.member_b1.pk]
    assert guests[0]["branch"] == org.branch_b1.name
    assert attendance["counts"]["guests"] == 1 and attendance["counts"]["present"] == 1


def test_late_is_after_the_start(org, api_as):
    started = _session(org, starts_in=-timedelta(minutes=10))
    response = _post(api_as, org.member_a1, _code(started).code)
    assert response.status_code == 200 and response.json()["late"] is True
    not_yet = _session(org, starts_in=timedelta(minutes=5))
    response = _post(api_as, org.member_a1, _code(not_yet).code)
    assert response.status_code == 200 and response.json()["late"] is False
    attendance = api_as(org.secretary).get(f"/api/v1/sessions/{started.pk}/attendance/").json()
    assert [p["id"] for p in attendance["late"]] == [org.member_a1.pk]
    assert [p["id"] for p in attendance["present"]] == [org.member_a1.pk]


def test_check_in_only_while_open_and_never_for_a_cancelled_session(org, api_as):
    early = _session(org, starts_in=timedelta(hours=3))
    response = _post(api_as, org.member_a1, _code(early).code)
    assert response.status_code == 409 and response.json()["code"] == "not_open"
    over = _session(org, starts_in=-timedelta(hours=3))
    response = _post(api_as, org.member_a1, _code(over).code)
    assert response.status_code == 409 and response.json()["code"] == "closed"
    cancelled = _session(org)
    cancelled.status = SessionStatus.CANCELLED
    cancelled.save()
    response = _post(api_as, org.member_a1, _code(cancelled).code)
    assert response.status_code == 409 and response.json()["code"] == "cancelled"
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()


def test_manual_checkin_is_marked_on_every_list(org, api_as):
    session = _session(org, starts_in=-timedelta(minutes=5))
    response = api_as(org.secretary).post(
        f"/api/v1/sessions/{session.pk}/attendance/", {"member": org.member_a1.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["manual"] is True
    row = Attendance.objects.get(session=session, member=org.member_a1)
    assert row.method == "manual" and row.checked_in_by == org.secretary and row.late
    attendance = api_as(org.secretary).get(f"/api/v1/sessions/{session.pk}/attendance/").json()
    for name in ("present", "late"):
        (item,) = attendance[name]
        assert item["id"] == org.member_a1.pk and item["manual"] is True
        assert item["method"] == "manual"
    assert PointEvent.objects.filter(member=org.member_a1, rule__kind="orglife_attend").count() == 1
    # someone not expected, outside the secretary's reach: 404, nothing written
    response = api_as(org.secretary).post(
        f"/api/v1/sessions/{session.pk}/attendance/", {"member": org.member_b1.pk}, format="json"
    )
    assert response.status_code == 404
    # a member of the own unit's other branch: not expected at a branch's session
    response = api_as(org.unit_admin).post(
        f"/api/v1/sessions/{session.pk}/attendance/", {"member": org.member_a2.pk}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "not_expected"
    # members do not check others in
    response = api_as(org.member_a1).post(
        f"/api/v1/sessions/{session.pk}/attendance/", {"member": org.secretary.pk}, format="json"
    )
    assert response.status_code == 404


def test_attendance_404_outside_scope(org, api_as):
    session = _session(org)
    for outsider in (org.secretary_b, org.member_a1):
        response = api_as(outsider).get(f"/api/v1/sessions/{session.pk}/attendance/")
        assert response.status_code == 404
    assert (
        api_as(org.city_admin).get(f"/api/v1/sessions/{session.pk}/attendance/").status_code == 200
    )


def test_attendance_lists_on_leave_and_absent(org, api_as):
    on_leave = make_user(branch=org.branch_a1, username="leave_taker")
    declined = make_user(branch=org.branch_a1, username="declined")
    session = _session(org, starts_in=-timedelta(minutes=5))
    LeaveRequest.objects.create(
        session=session, member=on_leave, reason="出差", status=LeaveStatus.APPROVED
    )
    LeaveRequest.objects.create(
        session=session, member=declined, reason="有事", status=LeaveStatus.DECLINED
    )
    _post(api_as, org.member_a1, _code(session).code)
    body = api_as(org.secretary).get(f"/api/v1/sessions/{session.pk}/attendance/").json()
    assert body["expected"] == 4
    assert [p["id"] for p in body["present"]] == [org.member_a1.pk]
    assert [p["id"] for p in body["on_leave"]] == [on_leave.pk]
    assert {p["id"] for p in body["absent"]} == {org.secretary.pk, declined.pk}
    assert body["absent"][0]["branch"] == org.branch_a1.name
    assert body["counts"] == {
        "expected": 4,
        "present": 1,
        "guests": 0,
        "late": 1,
        "on_leave": 1,
        "absent": 2,
    }


def test_wrong_codes_are_rate_limited(org, api_as, settings):
    session = _session(org)
    for n in range(checkin.CHECKIN_MISSES_PER_MEMBER):
        response = _post(api_as, org.member_a1, f"{(n * 7919) % 10**6:06d}")
        assert response.status_code == 409, n
    response = _post(api_as, org.member_a1, _code(session).code)  # even a good one now
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "分钟后再试" in response.json()["detail"]
    assert _chinese_only(response.json()["detail"])
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()
    # the lock is the member's own
    assert _post(api_as, org.secretary, _code(session).code).status_code == 200


def _members(branch, n):
    for i in range(n):
        make_user(branch=branch, username=f"m{branch.pk}_{i}")


def test_attendance_query_count_does_not_grow(org, api_as, django_assert_num_queries):
    small_branch, big_branch = make_branch(org.unit_a), make_branch(org.unit_a)
    _members(small_branch, 5)
    _members(big_branch, 50)
    admin = org.unit_admin
    for branch in (small_branch, big_branch):
        session = _session(org, by=admin, branch=branch, starts_in=-timedelta(minutes=1))
        people = list(session.attendance.select_related("member")[:3])
        for row in people[:2]:
            checkin.checkin_by_code(member=row.member, code=_code(session).code)
        LeaveRequest.objects.create(
            session=session, member=people[2].member, reason="病假", status=LeaveStatus.APPROVED
        )
        client = api_as(admin)
        # the session in scope, the rows with their people and branches, the approved leave
        with django_assert_num_queries(3):
            body = client.get(f"/api/v1/sessions/{session.pk}/attendance/").json()
        assert len(body["present"]) == 2 and len(body["on_leave"]) == 1
        assert len(body["absent"]) == body["expected"] - 3
    assert body["expected"] == 50


def test_code_endpoint_query_count_is_fixed(org, api_as, django_assert_num_queries):
    session = _session(org)
    client = api_as(org.secretary)
    with django_assert_num_queries(2):  # the session in scope, the counts
        assert client.get(f"/api/v1/sessions/{session.pk}/checkin-code/").status_code == 200


# --- the pages ----------------------------------------------------------------------------


def test_landing_page_asks_to_sign_in_first_and_a_get_changes_nothing(org, client):
    session = _session(org)
    code = _code(session).code
    response = client.get(f"/checkin/?c={code}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/checkin/")
    client.force_login(org.member_a1)
    response = client.get(f"/checkin/?c={code}")
    assert response.status_code == 200
    assert b"data-autosubmit" in response.content
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()
    response = client.post("/checkin/", {"c": code})
    assert response.status_code == 200
    assert response.context["outcome"] == "ok"
    assert "签到成功" in response.content.decode()
    response = client.post("/checkin/", {"c": code})
    assert response.context["outcome"] == "already"
    assert "已签到过" in response.content.decode()


def test_landing_page_keeps_the_code_across_the_sign_in(org, client):
    """The code was live when the phone opened it; signing in took longer than 30 s."""
    session = _session(org)
    code = _code(session, ago=40).code
    shown = timezone.now() - timedelta(seconds=35)
    client.force_login(org.member_a1)
    response = client.post("/checkin/", {"c": code})
    assert response.status_code == 409
    assert "二维码已过期，请扫描大屏上的新二维码" in response.content.decode()
    store = client.session
    store[SHOWN_KEY] = {code: shown.isoformat()}
    store.save()
    response = client.post("/checkin/", {"c": code})
    assert response.status_code == 200
    assert response.context["outcome"] == "ok"
    row = Attendance.objects.get(session=session, member=org.member_a1)
    assert row.checked_in_at == shown
    # the anonymous GET of a live code is what writes that note
    client.logout()
    fresh = _code(session).code
    client.get(f"/checkin/?c={fresh}")
    assert fresh in client.session[SHOWN_KEY]


def test_landing_page_results_in_chinese(org, client):
    started = _session(org, starts_in=-timedelta(minutes=10))
    client.force_login(org.member_a2)
    response = client.post("/checkin/", {"c": _code(started).code})
    assert response.status_code == 403
    assert "你不在本次活动的应到名单中" in response.content.decode()
    client.force_login(org.member_a1)
    response = client.post("/checkin/", {"c": _code(started).code})
    assert response.context["outcome"] == "late"
    assert "迟到" in response.content.decode()


def test_typed_short_code_page(org, client):
    session = _session(org)
    client.force_login(org.member_a1)
    response = client.get("/checkin/")
    assert response.status_code == 200 and b'name="code"' in response.content
    response = client.post("/checkin/", {"code": "000000"})
    assert response.status_code == 409
    assert response.context["error"]
    short = _code(session).short_code
    response = client.post("/checkin/", {"code": f"{short[:3]} {short[3:]}"})
    assert response.status_code == 200 and response.context["outcome"] == "ok"
    assert Attendance.objects.get(session=session, member=org.member_a1).method == "code"


def test_host_screen_and_manual_form(org, client):
    session = _session(org)
    client.force_login(org.secretary_b)
    assert client.get(f"/orglife/sessions/{session.pk}/checkin/").status_code == 404
    client.force_login(org.member_a1)
    assert client.get(f"/orglife/sessions/{session.pk}/checkin/").status_code == 404
    client.force_login(org.secretary)
    response = client.get(f"/orglife/sessions/{session.pk}/checkin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and response.context["code"].short_code[:3] in page
    assert org.member_a1.name in page
    response = client.post(
        f"/orglife/sessions/{session.pk}/checkin/manual/", {"member": org.member_a1.pk}
    )
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, member=org.member_a1)
    assert row.method == "manual" and row.checked_in_by == org.secretary
    page = client.get(f"/orglife/sessions/{session.pk}/checkin/").content.decode()
    assert 'badge--guest">手动签到</span>' in page
    assert english_words(visible_text(page), allow=[org.secretary.name, org.member_a1.name]) == []


def test_role_of_the_host_member(org, api_as):
    """A member named host runs the check-in of the session they host."""
    host = make_user(Role.MEMBER, branch=org.branch_a1, username="host_member")
    session = services.session_create(
        by=org.secretary,
        data=services.SessionInput(
            kind=SessionKind.PARTY_CLASS,
            title="党课",
            starts_at=timezone.now() + timedelta(minutes=10),
            branch=org.branch_a1,
            host=host,
        ),
    )
    assert api_as(host).get(f"/api/v1/sessions/{session.pk}/checkin-code/").status_code == 200
    assert api_as(host).get(f"/api/v1/sessions/{session.pk}/attendance/").status_code == 200


def test_host_screen_says_when_check_in_opens_or_has_closed(org, client, api_as):
    client.force_login(org.secretary)
    early = _session(org, starts_in=timedelta(hours=3))
    response = client.get(f"/orglife/sessions/{early.pk}/checkin/")
    opens = timezone.localtime(early.checkin_opens_at())
    assert response.context["window"] == f"签到将于 {opens:%H:%M} 开始"
    body = api_as(org.secretary).get(f"/api/v1/sessions/{early.pk}/checkin-code/").json()
    assert body["opens_time"] == f"{opens:%H:%M}"
    over = _session(org, starts_in=-timedelta(hours=3))
    assert client.get(f"/orglife/sessions/{over.pk}/checkin/").context["window"] == "签到已结束。"
    now = _session(org)
    assert client.get(f"/orglife/sessions/{now.pk}/checkin/").context["window"] == ""
