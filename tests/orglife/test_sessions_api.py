from datetime import timedelta

import pytest
from django.utils import timezone

from orglife.models import Attendance, CommitteeSeat, Session

pytestmark = pytest.mark.django_db


def _body(**extra):
    starts = timezone.now() + timedelta(days=2)
    return {
        "kind": "theme_day",
        "title": "十一月主题党日",
        "starts_at": starts.isoformat(),
        **extra,
    }


def test_secretary_schedules_for_the_own_branch_with_its_members_expected(org, api_as):
    response = api_as(org.secretary).post("/api/v1/sessions/", _body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "kind", "title", "starts_at", "expected"}
    assert body["kind"] == "theme_day"
    # secretary + member_a1 are the branch's people
    assert body["expected"] == 2
    session = Session.objects.get(pk=body["id"])
    assert session.branch == org.branch_a1 and session.unit == org.unit_a
    assert set(
        Attendance.objects.filter(session=session).values_list("member__username", flat=True)
    ) == {
        "secretary",
        "member_a1",
    }


def test_member_gets_403_and_other_branch_404(org, api_as):
    assert (
        api_as(org.member_a1).post("/api/v1/sessions/", _body(), format="json").status_code == 403
    )
    response = api_as(org.secretary).post(
        "/api/v1/sessions/", _body(branch=org.branch_b1.pk), format="json"
    )
    assert response.status_code == 404
    assert response.json()["detail"]
    response = api_as(org.unit_admin).post(
        "/api/v1/sessions/", _body(branch=org.branch_b1.pk), format="json"
    )
    assert response.status_code == 404
    assert not Session.objects.exists()


def test_committee_expects_the_committee_only(org, api_as):
    CommitteeSeat.objects.create(branch=org.branch_a1, member=org.member_a1, title="组织委员")
    response = api_as(org.secretary).post(
        "/api/v1/sessions/", _body(kind="committee"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["expected"] == 2


def test_city_hall_lecture_expects_everyone(org, api_as):
    response = api_as(org.city_admin).post(
        "/api/v1/sessions/", _body(kind="hall_lecture", title="机关大讲堂"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["expected"] == 5  # 2 secretaries + 3 members
    unit = api_as(org.unit_admin).post(
        "/api/v1/sessions/", _body(kind="hall_lecture", unit=org.unit_a.pk), format="json"
    )
    assert unit.status_code == 201 and unit.json()["expected"] == 3
    assert (
        api_as(org.unit_admin)
        .post("/api/v1/sessions/", _body(kind="hall_lecture", unit=org.unit_b.pk), format="json")
        .status_code
        == 404
    )


def test_list_is_scoped(org, api_as):
    api_as(org.secretary).post("/api/v1/sessions/", _body(), format="json")
    api_as(org.secretary_b).post("/api/v1/sessions/", _body(title="财政局主题党日"), format="json")
    titles = lambda user: {s["title"] for s in api_as(user).get("/api/v1/sessions/").json()}  # noqa: E731
    assert titles(org.secretary) == {"十一月主题党日"}
    assert titles(org.member_a1) == {"十一月主题党日"}
    assert titles(org.member_a2) == set()
    assert titles(org.unit_admin) == {"十一月主题党日"}
    assert titles(org.city_admin) == {"十一月主题党日", "财政局主题党日"}
    other = Session.objects.get(title="财政局主题党日")
    assert api_as(org.secretary).get(f"/api/v1/sessions/{other.pk}/").status_code == 404
    assert api_as(org.secretary).get("/api/v1/sessions/?from=2020-01-01&to=bad").status_code == 400
