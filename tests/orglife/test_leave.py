"""Leave (请假): asked by an expected member before the start, decided by the secretary."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orglife import leave as leave_services
from orglife import makeup
from orglife.models import LeaveRequest, LeaveStatus, MakeupTask
from orglife.services import SessionInput, session_create

from ..factories import make_user

pytestmark = pytest.mark.django_db


def _session(org, *, starts_in=timedelta(days=1), by=None, **extra):
    """A 主题党日 of branch a1 (the secretary and member_a1 are expected)."""
    starts = timezone.now() + starts_in
    return session_create(
        by=by or org.secretary,
        data=SessionInput(
            kind="theme_day",
            title="十一月主题党日",
            starts_at=starts,
            branch=org.branch_a1,
            **extra,
        ),
    )


def _ask(client, session, reason="出差在外"):
    return client.post(f"/api/v1/sessions/{session.pk}/leave/", {"reason": reason}, format="json")


def test_expected_member_asks_before_the_start_and_asking_again_returns_it(org, api_as):
    session = _session(org)
    client = api_as(org.member_a1)

    first = _ask(client, session)
    assert first.status_code == 201, first.json()
    assert first.json() == {"id": first.json()["id"], "status": "pending"}

    # asking twice: the existing request, unchanged
    again = _ask(client, session, reason="另一个理由")
    assert again.status_code == 200
    assert again.json() == first.json()
    leave = LeaveRequest.objects.get()
    assert leave.reason == "出差在外" and leave.member == org.member_a1


def test_leave_after_the_start_is_refused(org, api_as):
    session = _session(org, starts_in=-timedelta(minutes=5))
    response = _ask(api_as(org.member_a1), session)
    assert response.status_code == 409
    assert response.json()["code"] == "started"
    assert response.json()["detail"] == "会议已经开始，请假须在开始前提出。"
    assert not LeaveRequest.objects.exists()


def test_leave_by_someone_not_expected_is_refused_and_other_branches_get_404(org, api_as):
    session = _session(org)
    # the unit admin sees the unit's sessions but is not expected at a branch's
    response = _ask(api_as(org.unit_admin), session)
    assert response.status_code == 403
    assert response.json()["code"] == "not_expected"
    # a member of another branch cannot see the session at all
    assert _ask(api_as(org.member_a2), session).status_code == 404
    assert _ask(api_as(org.member_b1), session).status_code == 404
    assert not LeaveRequest.objects.exists()


def test_empty_reason_and_cancelled_session_are_refused(org, api_as):
    session = _session(org)
    client = api_as(org.member_a1)
    assert _ask(client, session, reason="   ").status_code == 400
    session.status = "cancelled"
    session.save()
    response = _ask(client, session)
    assert response.status_code == 409 and response.json()["code"] == "cancelled"
    assert not LeaveRequest.objects.exists()


def test_secretary_approves_and_declines_others_get_404_the_member_403(org, api_as):
    session = _session(org)
    colleague = make_user(branch=org.branch_a1)
    session_members = session.attendance.values_list("member_id", flat=True)
    assert colleague.pk not in session_members  # joined after scheduling: not expected
    leave_id = _ask(api_as(org.member_a1), session).json()["id"]
    url = f"/api/v1/leave/{leave_id}/"

    # another branch's secretary, and a member of the branch: 404
    assert api_as(org.secretary_b).put(url, {"approved": True}, format="json").status_code == 404
    assert api_as(colleague).put(url, {"approved": True}, format="json").status_code == 404
    # the member who asked may not decide it
    own = api_as(org.member_a1).put(url, {"approved": True}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "not_allowed"
    assert LeaveRequest.objects.get().status == LeaveStatus.PENDING

    secretary = api_as(org.secretary)
    approved = secretary.put(url, {"approved": True}, format="json")
    assert approved.status_code == 200
    assert approved.json() == {"id": leave_id, "status": "approved"}
    leave = LeaveRequest.objects.get()
    assert leave.decided_by == org.secretary and leave.decided_at is not None

    declined = secretary.put(url, {"approved": False}, format="json")
    assert declined.json() == {"id": leave_id, "status": "declined"}
    # the unit admin over the branch may decide too
    assert api_as(org.unit_admin).put(url, {"approved": True}, format="json").status_code == 200
    assert secretary.put(url, {}, format="json").status_code == 400


def test_pending_list_holds_the_requests_of_the_sessions_one_manages(org, api_as):
    session = _session(org)
    leave_id = _ask(api_as(org.member_a1), session).json()["id"]

    mine = api_as(org.secretary).get("/api/v1/leave/?status=pending")
    assert mine.status_code == 200
    [row] = mine.json()
    assert row["id"] == leave_id and row["reason"] == "出差在外"
    assert row["member"]["name"] == org.member_a1.name
    assert row["session"]["id"] == session.pk

    assert api_as(org.secretary_b).get("/api/v1/leave/?status=pending").json() == []
    assert api_as(org.member_a1).get("/api/v1/leave/").json() == []
    assert api_as(org.secretary).get("/api/v1/leave/?status=approved").json() == []
    assert api_as(org.secretary).get("/api/v1/leave/?status=nonsense").status_code == 400


def test_member_withdraws_a_pending_request_but_not_a_decided_one(org, api_as):
    session = _session(org)
    client = api_as(org.member_a1)
    _ask(client, session)
    url = f"/api/v1/sessions/{session.pk}/leave/"
    assert client.delete(url).status_code == 204
    assert not LeaveRequest.objects.exists()
    assert client.delete(url).status_code == 404

    leave_id = _ask(client, session).json()["id"]
    api_as(org.secretary).put(f"/api/v1/leave/{leave_id}/", {"approved": False}, format="json")
    refused = client.delete(url)
    assert refused.status_code == 409 and refused.json()["code"] == "decided"
    assert LeaveRequest.objects.filter(status=LeaveStatus.DECLINED).exists()


def test_a_decision_after_the_session_follows_into_the_make_up_task(org):
    starts = timezone.now() - timedelta(hours=3)
    session = _session(org, starts_in=-timedelta(hours=3))
    asked = leave_services.leave_request(
        member=org.member_a1,
        session=session,
        reason="病假",
        now=starts - timedelta(days=1),
    )
    makeup.makeup_create_due()
    task = MakeupTask.objects.get(member=org.member_a1)
    assert task.on_leave is False  # not approved when the session ended

    leave_services.leave_decide(by=org.secretary, leave=asked.leave, approved=True)
    task.refresh_from_db()
    assert task.on_leave is True


# --- pages --------------------------------------------------------------------------------


def test_leave_page_asks_with_a_chinese_refusal_on_bad_input(org, client):
    session = _session(org)
    client.force_login(org.member_a1)
    url = f"/orglife/sessions/{session.pk}/leave/"

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="reason"' in page.text and "请假" in page.text

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "请说明不能参加的原因。" in empty.text
    assert not LeaveRequest.objects.exists()

    sent = client.post(url, {"reason": "外出培训"}, follow=True)
    assert sent.status_code == 200
    assert "等待书记审批" in sent.text
    assert LeaveRequest.objects.get().reason == "外出培训"

    client.force_login(org.member_b1)
    assert client.get(url).status_code == 404


def test_approval_page_decides_with_post_forms(org, client):
    session = _session(org)
    asked = leave_services.leave_request(member=org.member_a1, session=session, reason="出差")
    client.force_login(org.secretary)

    page = client.get("/orglife/leave/")
    assert page.status_code == 200
    assert "出差" in page.text and "批准" in page.text and "不批准" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text

    decided = client.post(
        f"/orglife/leave/{asked.leave.pk}/decide/", {"approved": "1"}, follow=True
    )
    assert decided.status_code == 200
    assert LeaveRequest.objects.get().status == LeaveStatus.APPROVED
    assert "已批准" in decided.text

    client.force_login(org.secretary_b)
    assert client.get("/orglife/leave/").status_code == 200
    assert "出差" not in client.get("/orglife/leave/").text
    assert (
        client.post(f"/orglife/leave/{asked.leave.pk}/decide/", {"approved": "0"}).status_code
        == 404
    )
    assert LeaveRequest.objects.get().status == LeaveStatus.APPROVED
