"""Corrections through the admin: a new ledger entry, scoped, never an edit."""

import pytest

from backend.points.models import PointEvent, PointRule
from backend.points.selectors import points_total
from backend.points.services import points_award

pytestmark = pytest.mark.django_db


def test_unit_admin_corrects_own_member(org, client):
    entry = points_award(member=org.member_a1, kind="daily_login", source_key="x").event
    client.force_login(org.unit_admin)
    response = client.post(
        "/admin/points/pointevent/add/",
        {"member": org.member_a1.pk, "points": -1, "reason": "重复登录计分", "corrects": entry.pk},
    )
    assert response.status_code == 302
    correction = PointEvent.objects.get(rule__kind="correction")
    assert (correction.points, correction.created_by, correction.corrects) == (
        -1,
        org.unit_admin,
        entry,
    )
    assert points_total(member=org.member_a1) == 0


def test_unit_admin_cannot_correct_other_units_member(org, client):
    client.force_login(org.unit_admin)
    response = client.post(
        "/admin/points/pointevent/add/",
        {"member": org.member_b1.pk, "points": 50, "reason": "越权"},
    )
    assert response.status_code == 200
    assert "member" in response.context["adminform"].form.errors
    assert points_total(member=org.member_b1) == 0


def test_zero_or_reasonless_correction_is_refused(org, client):
    client.force_login(org.city_admin)
    for data in ({"points": 0, "reason": "x"}, {"points": 5, "reason": ""}):
        response = client.post(
            "/admin/points/pointevent/add/", {"member": org.member_a1.pk, **data}
        )
        assert response.status_code == 200
    assert not PointEvent.objects.exists()


def test_ledger_entries_cannot_be_edited_or_deleted_in_admin(org, client):
    entry = points_award(member=org.member_a1, kind="daily_login", source_key="x").event
    client.force_login(org.city_admin)
    page = client.get(f"/admin/points/pointevent/{entry.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert client.post(f"/admin/points/pointevent/{entry.pk}/delete/").status_code == 403


def test_secretary_sees_only_own_branch_ledger(org, client):
    points_award(member=org.member_a1, kind="daily_login", source_key="x")
    points_award(member=org.member_b1, kind="daily_login", source_key="x")
    client.force_login(org.secretary)
    response = client.get("/admin/points/pointevent/")
    assert [e.member for e in response.context["cl"].result_list] == [org.member_a1]
    assert client.get("/admin/points/pointevent/add/").status_code == 403


def test_only_city_admin_edits_point_rules(org, client):
    rule = PointRule.objects.get(kind="daily_practice")
    client.force_login(org.unit_admin)
    response = client.post(
        f"/admin/points/pointrule/{rule.pk}/change/",
        {"name": "每日答题", "points": 9, "daily_cap": 9, "is_active": "on"},
    )
    assert response.status_code == 403
    client.force_login(org.city_admin)
    response = client.post(
        f"/admin/points/pointrule/{rule.pk}/change/",
        {"name": "每日答题", "description": "", "points": 2, "daily_cap": 10, "is_active": "on"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.daily_cap) == (2, 10)
