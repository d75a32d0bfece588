"""POST /api/v1/auth/token/ and GET /api/v1/me/, exactly as PROTOCOL.md says."""

import pytest
from rest_framework.authtoken.models import Token

from backend.points.services import points_award

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials(org, api):
    response = api.post(
        "/api/v1/auth/token/", {"username": "member_a1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=org.member_a1).key}


def test_token_is_stable_across_logins(org, api):
    body = {"username": "member_a1", "password": PASSWORD}
    first = api.post("/api/v1/auth/token/", body, format="json").json()["token"]
    second = api.post("/api/v1/auth/token/", body, format="json").json()["token"]
    assert first == second


def test_wrong_password_is_400_with_detail(org, api):
    response = api.post(
        "/api/v1/auth/token/", {"username": "member_a1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "用户名或密码错误。"
    assert not Token.objects.exists()


def test_inactive_account_cannot_get_token(org, api):
    org.member_a1.is_active = False
    org.member_a1.save()
    response = api.post(
        "/api/v1/auth/token/", {"username": "member_a1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_missing_fields_are_field_errors_with_detail(api, db):
    response = api.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["password"] == ["该字段是必填项。"]
    assert body["detail"].startswith("password")


def test_malformed_json_is_400_json(api, db):
    response = api.post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "JSON" in response.json()["detail"]


def test_wrong_content_type_is_415_json(api, db):
    response = api.post("/api/v1/auth/token/", data="username=a", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_burst_of_wrong_passwords_locks_the_username(org, api, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 5
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "member_a1", "password": "x"}, format="json")
    # even the right password is refused while locked
    response = api.post(
        "/api/v1/auth/token/", {"username": "member_a1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # another username from the same address is not locked yet
    ok = api.post(
        "/api/v1/auth/token/", {"username": "member_a2", "password": PASSWORD}, format="json"
    )
    assert ok.status_code == 200


def test_burst_from_one_address_locks_the_address(org, api, settings):
    settings.LOGIN_FAILURES_PER_IP = 6
    for n in range(6):
        api.post("/api/v1/auth/token/", {"username": f"guess{n}", "password": "x"}, format="json")
    response = api.post(
        "/api/v1/auth/token/", {"username": "member_a2", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429


def test_me_shape(org, api):
    points_award(member=org.member_a1, kind="daily_practice", source_key="q:1", points=3)
    token = Token.objects.create(user=org.member_a1)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": org.member_a1.pk,
        "username": "member_a1",
        "display_name": org.member_a1.display_name,
        "role": "member",
        "branch": {"id": org.branch_a1.pk, "name": "机关第一党支部"},
        "unit": {"id": org.unit_a.pk, "name": "市委组织部"},
        "points": 3,
        "points_today": 3,
        "must_change_password": False,
    }


def test_me_for_city_admin_has_null_org(org, api_as):
    body = api_as(org.city_admin).get("/api/v1/me/").json()
    assert body["branch"] is None and body["unit"] is None and body["role"] == "city_admin"


def test_me_requires_authentication(api, db):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


def test_bad_token_is_401(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/me/").status_code == 401


def test_session_cookie_authenticates_api_reads(org):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org.member_a1)
    assert client.get("/api/v1/me/").json()["username"] == "member_a1"


def test_my_points_history(org, api_as):
    points_award(member=org.member_a1, kind="daily_login", source_key="login:2026-11-01")
    response = api_as(org.member_a1).get("/api/v1/me/points/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["kind"] == "daily_login" and row["points"] == 1 and row["kind_name"] == "每日登录"
