"""
API tokens die with the password (whoever changes it), after their lifetime
(sliding, with an absolute cap), and a user who must change the password is
held at the gate on the API and on the socket.
"""

import json
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory

from backend.accounts.authentication import ExpiringTokenAuthentication
from backend.accounts.models import Role, TokenActivity, User

from ..factories import PASSWORD, make_branch, make_unit, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Strong-77"
ORIGIN = (b"origin", b"http://testserver")


def token_for(user) -> str:
    return Token.objects.create(user=user).key


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def time_passes(key: str, seconds: int) -> None:
    """Moves a token's issue time and last recorded use back, as if ``seconds`` passed."""
    token = Token.objects.get(pk=key)
    Token.objects.filter(pk=key).update(created=token.created - timedelta(seconds=seconds))
    for activity in TokenActivity.objects.filter(pk=key):
        activity.last_used_at -= timedelta(seconds=seconds)
        activity.save()


def assert_rotated(key: str) -> None:
    response = client_with(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "认证令牌无效。"


# --- Rotation with the password ------------------------------------------------------


def test_password_change_on_the_page_kills_earlier_tokens(org):
    key = token_for(org.member_a1)
    assert client_with(key).get("/api/v1/me/").status_code == 200
    page = Client()
    page.force_login(org.member_a1)

    response = page.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert_rotated(key)
    assert page.get("/api/v1/me/").status_code == 200, "the page's own session stays signed in"


def test_password_change_through_the_api_answers_a_fresh_token(org):
    key = token_for(org.member_a1)

    response = client_with(key).post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["detail"] == "密码已修改。"
    assert body["token"] and body["token"] != key
    assert_rotated(key)
    assert client_with(body["token"]).get("/api/v1/me/").status_code == 200
    org.member_a1.refresh_from_db()
    assert org.member_a1.check_password(NEW_PASSWORD)


def test_password_change_through_the_api_with_a_session_stays_signed_in(org):
    key = token_for(org.member_a1)
    client = APIClient()
    client.force_login(org.member_a1)

    response = client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200 and response.json()["token"] is None
    assert client.get("/api/v1/me/").status_code == 200
    assert_rotated(key)


def test_api_password_change_checks_the_old_password_and_the_validators(org):
    key = token_for(org.member_a1)
    client = client_with(key)

    wrong = client.post(
        "/api/v1/me/password/",
        {"old_password": "nope", "new_password": NEW_PASSWORD},
        format="json",
    )
    weak = client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "12345678"},
        format="json",
    )

    assert wrong.status_code == 400 and wrong.json()["old_password"]
    assert weak.status_code == 400 and weak.json()["new_password"]
    assert client.get("/api/v1/me/").status_code == 200, "a refused change rotates nothing"
    org.member_a1.refresh_from_db()
    assert org.member_a1.check_password(PASSWORD)


def test_admin_reset_in_the_admin_kills_the_owners_tokens(org):
    key = token_for(org.member_a1)
    admin = Client()
    admin.force_login(org.unit_admin)

    response = admin.post(
        f"/admin/accounts/user/{org.member_a1.pk}/password/",
        {"password1": "Reset-By-Admin-9", "password2": "Reset-By-Admin-9"},
    )

    assert response.status_code == 302
    assert_rotated(key)


def test_every_save_of_a_new_hash_rotates_and_no_other_save_does(org):
    user = org.member_a1
    key = token_for(user)

    # saves that leave the hash alone
    user.display_name = "新名字"
    user.save()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    User.objects.get(pk=user.pk).save()
    assert Token.objects.filter(pk=key).exists()

    # set_password on a fresh instance, saved whole
    again = User.objects.get(pk=user.pk)
    again.set_password(NEW_PASSWORD)
    again.save()
    assert not Token.objects.filter(user=user).exists()

    # a hash written directly, as seed_demo does (update_or_create)
    key = token_for(user)
    User.objects.update_or_create(
        username=user.username, defaults={"password": make_password("Seeded-Again-5")}
    )
    assert not Token.objects.filter(pk=key).exists()

    # a row loaded without its password, then given one
    key = token_for(user)
    deferred = User.objects.only("pk", "username").get(pk=user.pk)
    deferred.set_password(PASSWORD)
    deferred.save()
    assert not Token.objects.filter(pk=key).exists()


# --- Lifetime -----------------------------------------------------------------------


def test_a_token_idle_past_its_lifetime_is_401(org, settings):
    settings.API_TOKEN_IDLE_SECONDS = 3600
    key = token_for(org.member_a1)
    time_passes(key, 3599)
    assert client_with(key).get("/api/v1/me/").status_code == 200

    time_passes(key, 3601)
    response = client_with(key).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "登录已过期，请重新登录。", "code": "token_expired"}
    assert response["WWW-Authenticate"].startswith("Token")


def test_use_keeps_a_token_alive(org, settings):
    settings.API_TOKEN_IDLE_SECONDS = 3600
    key = token_for(org.member_a1)
    client = client_with(key)
    for _ in range(3):  # three hours of use, never an hour idle
        time_passes(key, 3000)
        assert client.get("/api/v1/me/").status_code == 200

    time_passes(key, 3601)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_token_past_its_maximum_age_is_401_however_used(org, settings):
    settings.API_TOKEN_IDLE_SECONDS = 3600
    settings.API_TOKEN_MAX_AGE_SECONDS = 86400
    key = token_for(org.member_a1)
    client = client_with(key)
    for _ in range(28):  # a day and more of hourly use
        time_passes(key, 3200)
        client.get("/api/v1/me/")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_signing_in_again_replaces_an_expired_token_and_slides_a_live_one(org, api, settings):
    settings.API_TOKEN_IDLE_SECONDS = 3600
    body = {"username": "member_a1", "password": PASSWORD}
    first = api.post("/api/v1/auth/token/", body, format="json").json()["token"]
    time_passes(first, 3000)
    assert api.post("/api/v1/auth/token/", body, format="json").json()["token"] == first
    time_passes(first, 3000)  # 6000 s after issue, 3000 s after the second sign-in
    assert client_with(first).get("/api/v1/me/").status_code == 200

    time_passes(first, 3601)
    second = api.post("/api/v1/auth/token/", body, format="json").json()["token"]

    assert second != first
    assert client_with(second).get("/api/v1/me/").status_code == 200


def test_token_auth_writes_a_use_down_at_most_every_few_minutes(
    org, settings, django_assert_num_queries
):
    settings.API_TOKEN_TOUCH_SECONDS = 300
    key = token_for(org.member_a1)
    request = APIRequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    auth = ExpiringTokenAuthentication()

    with django_assert_num_queries(1):  # token, user and last use in one read
        assert auth.authenticate(request)[0] == org.member_a1
    time_passes(key, 301)
    with django_assert_num_queries(2):  # ... and the use written down
        auth.authenticate(request)
    with django_assert_num_queries(1):
        auth.authenticate(request)
    assert TokenActivity.objects.get(pk=key).last_used_at > timezone.now() - timedelta(seconds=5)


def test_a_whole_api_request_spends_one_query_on_the_token(org):
    key = token_for(org.member_a1)
    client = client_with(key)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    on_tokens = [q["sql"] for q in queries if "authtoken_token" in q["sql"]]
    assert len(on_tokens) == 1


# --- The must-change gate on the API -------------------------------------------------


def _api_paths():
    from backend.urls import api_v1

    exempt = {"auth-token", "me", "me-password"}
    for pattern in api_v1:
        if pattern.name not in exempt:
            yield pattern.name, "/api/v1/" + re.sub(r"<\w+:\w+>", "1", str(pattern.pattern))


@pytest.mark.parametrize(("name", "url"), list(_api_paths()))
def test_a_user_who_must_change_the_password_is_403_on_every_other_endpoint(name, url, db):
    user = make_user(must_change_password=True)
    response = client_with(token_for(user)).get(url)
    assert response.status_code == 403, name
    assert response.json() == {"detail": "请先修改密码。", "code": "password_change_required"}


def test_a_user_who_must_change_the_password_can_do_so_through_the_api(api, db):
    user = make_user(username="imported", must_change_password=True)
    key = api.post(
        "/api/v1/auth/token/", {"username": "imported", "password": PASSWORD}, format="json"
    ).json()["token"]
    client = client_with(key)
    assert client.get("/api/v1/me/").json()["must_change_password"] is True
    assert client.get("/api/v1/quizzes/").json()["code"] == "password_change_required"

    response = client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    fresh = client_with(response.json()["token"])
    assert fresh.get("/api/v1/quizzes/").status_code == 200
    assert fresh.get("/api/v1/me/").json()["must_change_password"] is False
    user.refresh_from_db()
    assert not user.must_change_password


def test_the_gate_holds_for_a_session_on_the_api_too(db):
    user = make_user(must_change_password=True)
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/v1/quizzes/")
    assert response.status_code == 403 and response.json()["code"] == "password_change_required"


# --- The socket ------------------------------------------------------------------------


class WhoAmI(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        await self.send_json({"user": user.username if user.is_authenticated else None})


async def whoami(key: str):
    from backend.asgi import websocket_application

    app = websocket_application([path("ws/whoami/", WhoAmI.as_asgi())])
    socket = WebsocketCommunicator(
        app, "/ws/whoami/", headers=[ORIGIN, (b"authorization", f"Token {key}".encode())]
    )
    try:
        assert (await socket.connect())[0]
        return (await socket.receive_json_from())["user"]
    finally:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_on_the_socket_a_token_past_its_lifetime_or_rotated_is_anonymous(settings):
    settings.API_TOKEN_IDLE_SECONDS = 3600
    user = await database_sync_to_async(make_user)(username="member_ws")
    key = await database_sync_to_async(token_for)(user)
    assert await whoami(key) == "member_ws"

    await database_sync_to_async(time_passes)(key, 3601)
    assert await whoami(key) is None

    fresh = await database_sync_to_async(replace_token)(user)
    assert await whoami(fresh) == "member_ws"
    await database_sync_to_async(change_password)(user)
    assert await whoami(fresh) is None


def replace_token(user) -> str:
    Token.objects.filter(user=user).delete()
    return token_for(user)


def change_password(user) -> None:
    user.set_password(NEW_PASSWORD)
    user.save()


@database_sync_to_async
def _contest_and_a_player_who_must_change_the_password():
    from contests import services

    from ..factories import make_bank, make_question, make_quiz

    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    host = make_user(Role.SECRETARY, branch=branch, username="secretary")
    player = make_user(branch=branch, username="imported", must_change_password=True)
    quiz = make_quiz([make_question(make_bank(), "single")])
    contest = services.contest_create(host=host, quiz=quiz)
    return contest.pin, token_for(player)


@pytest.mark.django_db(transaction=True)
async def test_on_the_contest_socket_a_user_who_must_change_the_password_is_refused():
    from backend.asgi import application
    from contests.runtime import runtime

    runtime.reset()
    pin, key = await _contest_and_a_player_who_must_change_the_password()
    socket = WebsocketCommunicator(
        application,
        f"/ws/contests/{pin}/?role=player",
        headers=[ORIGIN, (b"authorization", f"Token {key}".encode())],
    )
    try:
        await socket.connect()
        message = json.loads(await socket.receive_from(timeout=5))
        assert message["type"] == "error" and message["code"] == "password_change_required"
        assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"
    finally:
        await socket.disconnect()
        runtime.reset()
