"""The org tree decides what each role sees, by API and in the admin."""

import pytest
from django.urls import reverse

from backend.accounts import scope

pytestmark = pytest.mark.django_db


def usernames(response):
    return {row["username"] for row in response.json()["results"]}


def test_secretary_lists_only_own_branch(org, api_as):
    # given a secretary of branch A1
    client = api_as(org.secretary)
    # when listing members
    response = client.get("/api/v1/members/")
    # then exactly the branch's people come back
    assert response.status_code == 200
    assert usernames(response) == {"secretary", "member_a1"}


def test_secretary_cannot_fetch_member_of_other_branch(org, api_as):
    client = api_as(org.secretary)
    assert client.get(f"/api/v1/members/{org.member_a1.pk}/").status_code == 200
    for other in (org.member_a2, org.member_b1, org.unit_admin, org.city_admin):
        response = client.get(f"/api/v1/members/{other.pk}/")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_unit_admin_sees_only_own_unit(org, api_as):
    client = api_as(org.unit_admin)
    assert usernames(client.get("/api/v1/members/")) == {
        "unitadmin",
        "secretary",
        "member_a1",
        "member_a2",
    }
    assert client.get(f"/api/v1/members/{org.member_b1.pk}/").status_code == 404
    branches = client.get("/api/v1/branches/").json()["results"]
    assert {b["id"] for b in branches} == {org.branch_a1.pk, org.branch_a2.pk}
    units = client.get("/api/v1/units/").json()["results"]
    assert [u["id"] for u in units] == [org.unit_a.pk]


def test_member_sees_only_self(org, api_as):
    client = api_as(org.member_a1)
    assert usernames(client.get("/api/v1/members/")) == {"member_a1"}
    assert client.get(f"/api/v1/members/{org.secretary.pk}/").status_code == 404


def test_city_admin_sees_everyone(org, api_as):
    response = api_as(org.city_admin).get("/api/v1/members/?q=member")
    assert usernames(response) == {"member_a1", "member_a2", "member_b1"}


def test_branch_filter_cannot_widen_scope(org, api_as):
    response = api_as(org.secretary).get(f"/api/v1/members/?branch={org.branch_b1.pk}")
    assert response.json()["results"] == []
    bad = api_as(org.secretary).get("/api/v1/members/?branch=abc")
    assert bad.status_code == 400
    assert "detail" in bad.json()


def test_deactivated_user_sees_nothing(org):
    org.unit_admin.is_active = False
    assert not scope.members_visible_to(org.unit_admin).exists()
    assert not scope.can_use_admin(org.unit_admin)


def test_member_list_query_count_is_bounded(org, api_as, django_assert_max_num_queries):
    from tests.factories import make_user

    for _ in range(30):
        make_user(branch=org.branch_a1)
    client = api_as(org.city_admin)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/members/?page_size=50")
    assert response.status_code == 200


# --- the admin -------------------------------------------------------------------------


def test_member_cannot_reach_admin(org, client):
    client.force_login(org.member_a1)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_anonymous_admin_goes_to_the_one_login_page(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_secretary_admin_lists_only_own_branch(org, client):
    client.force_login(org.secretary)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    shown = {user.username for user in response.context["cl"].result_list}
    assert shown == {"secretary", "member_a1"}
    # another branch's member does not exist for the secretary
    other = client.get(f"/admin/accounts/user/{org.member_b1.pk}/change/")
    assert other.status_code == 302  # "no such object" redirect to the admin index
    own = client.get(f"/admin/accounts/user/{org.member_a1.pk}/change/")
    assert own.status_code == 200
    # viewing is allowed, editing is not
    assert own.context["has_change_permission"] is False


def test_secretary_cannot_add_or_edit_accounts(org, client):
    client.force_login(org.secretary)
    assert client.get("/admin/accounts/user/add/").status_code == 403
    response = client.post(
        f"/admin/accounts/user/{org.member_a1.pk}/change/",
        {"username": "renamed", "display_name": "x", "role": "member"},
    )
    assert response.status_code == 403
    org.member_a1.refresh_from_db()
    assert org.member_a1.username == "member_a1"


def test_unit_admin_admin_shows_only_own_unit(org, client):
    client.force_login(org.unit_admin)
    users = client.get("/admin/accounts/user/")
    assert {u.username for u in users.context["cl"].result_list} == {
        "unitadmin",
        "secretary",
        "member_a1",
        "member_a2",
    }
    units = client.get("/admin/accounts/unit/")
    assert [u.pk for u in units.context["cl"].result_list] == [org.unit_a.pk]
    branches = client.get("/admin/accounts/branch/")
    assert {b.pk for b in branches.context["cl"].result_list} == {
        org.branch_a1.pk,
        org.branch_a2.pk,
    }
    assert client.get(f"/admin/accounts/user/{org.member_b1.pk}/change/").status_code == 302


def test_unit_admin_cannot_move_member_into_other_unit(org, client):
    client.force_login(org.unit_admin)
    url = f"/admin/accounts/user/{org.member_a1.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert set(form.fields["branch"].queryset) == {org.branch_a1, org.branch_a2}
    assert {value for value, _label in form.fields["role"].choices} == {"member", "secretary"}
    response = client.post(
        url,
        {
            "username": "member_a1",
            "display_name": "改名",
            "role": "city_admin",
            "unit": org.unit_b.pk,
            "branch": org.branch_b1.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form comes back with errors
    org.member_a1.refresh_from_db()
    assert (org.member_a1.branch_id, org.member_a1.role) == (org.branch_a1.pk, "member")


def test_unit_admin_edits_own_member(org, client):
    client.force_login(org.unit_admin)
    response = client.post(
        f"/admin/accounts/user/{org.member_a1.pk}/change/",
        {
            "username": "member_a1",
            "display_name": "新名字",
            "role": "secretary",
            "unit": org.unit_a.pk,
            "branch": org.branch_a2.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    org.member_a1.refresh_from_db()
    assert (org.member_a1.display_name, org.member_a1.branch_id) == ("新名字", org.branch_a2.pk)


def test_city_admin_admin_index_lists_apps(org, client):
    client.force_login(org.city_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    labels = {app["app_label"] for app in response.context["app_list"]}
    assert {"accounts", "points"} <= labels
