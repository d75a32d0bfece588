"""Every API refusal is a Chinese ``{detail}``, and a refusal that carries a ``code``
keeps it in the body (issue 10, items 7 and 8)."""

import re
from datetime import timedelta

import pytest
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.test import APIClient

from backend.common.api import exception_handler
from quizzes import services

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
TECHNICAL = re.compile(r"(?<![A-Za-z])(JSON|HTTP|Accept)(?![A-Za-z])")  # names, not prose
# The English defaults that used to leak through (Django's and DRF's).
ENGLISH = (
    "matches the given query",
    "Not found",
    "not allowed",
    "Authentication",
    "credentials",
    "permission",
    "Unsupported media type",
    "throttled",
    "parse error",
    "CSRF",
)


def assert_chinese(body: dict, where: str) -> None:
    detail = body.get("detail")
    assert isinstance(detail, str) and CJK.search(detail), f"{where}: {body}"
    for english in ENGLISH:
        assert english.lower() not in detail.lower(), f"{where}: {body}"
    # Apart from a quoted method or media type and a few names, no Latin letters.
    rest = TECHNICAL.sub("", QUOTED.sub("", detail))
    assert not re.search("[A-Za-z]", rest), f"{where}: {body}"


# --- coded refusals keep their code -------------------------------------------------


@pytest.fixture
def member(org):
    return org.member_a1


@pytest.fixture
def quiz():
    bank = make_bank()
    return make_quiz([make_question(bank, "single") for _ in range(3)], time_limit_minutes=10)


def test_answer_after_the_deadline_is_409_late(member, quiz, api_as):
    attempt = services.attempt_start(
        member=member, quiz=quiz, now=timezone.now() - timedelta(minutes=11)
    )
    question = attempt.items.first().question_id
    response = api_as(member).put(
        f"/api/v1/attempts/{attempt.pk}/answers/{question}/", {"choices": ["A"]}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "late"
    assert_chinese(body, "late")


def test_answer_after_submit_is_409_closed(member, quiz, api_as):
    client = api_as(member)
    attempt = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    question = attempt["questions"][0]["id"]
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit/").status_code == 200
    answer = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question}/", {"choices": ["A"]}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "closed")
    again = client.post(f"/api/v1/attempts/{attempt['id']}/submit/")
    assert (again.status_code, again.json()["code"]) == (409, "closed")


def test_coded_refusals_of_several_endpoints_keep_their_code(org, member, quiz, api_as, api):
    client = api_as(member)
    # quizzes: no attempts left, an invalid answer, a question outside the attempt
    once = make_quiz([make_question(make_bank(), "single")], max_attempts=1)
    attempt = client.post(f"/api/v1/quizzes/{once.pk}/attempts/").json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit/")
    second = client.post(f"/api/v1/quizzes/{once.pk}/attempts/")
    assert (second.status_code, second.json()["code"]) == (409, "no_attempts_left")

    running = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    question = running["questions"][0]["id"]
    invalid = client.put(
        f"/api/v1/attempts/{running['id']}/answers/{question}/", {"choices": ["Z"]}, format="json"
    )
    assert (invalid.status_code, invalid.json()["code"]) == (400, "invalid")
    stranger = client.put(
        f"/api/v1/attempts/{running['id']}/answers/999999/", {"choices": ["A"]}, format="json"
    )
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")

    # accounts: the sign-in lockout
    for _ in range(10):
        locked = api.post(
            "/api/v1/auth/token/", {"username": member.username, "password": "x"}, format="json"
        )
    assert (locked.status_code, locked.json()["code"]) == (429, "locked")
    assert locked["Retry-After"]

    # DRF's own refusals carry theirs too
    assert api.get("/api/v1/me/").json()["code"] == "not_authenticated"
    assert client.delete("/api/v1/me/").json()["code"] == "method_not_allowed"
    for body in (second.json(), invalid.json(), stranger.json(), locked.json()):
        assert CJK.search(body["detail"])


# --- starting a closed quiz ---------------------------------------------------------


def test_starting_a_closed_or_unopened_quiz_is_403_not_open(org, member, api_as):
    question = make_question(make_bank())
    now = timezone.now()
    closed = make_quiz([question], closes_at=now - timedelta(minutes=1))
    later = make_quiz([question], opens_at=now + timedelta(days=1))
    client = api_as(member)
    for quiz in (closed, later):
        response = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
        assert response.status_code == 403, response.content
        body = response.json()
        assert body["code"] == "not_open"
        assert_chinese(body, f"quiz {quiz.pk}")


def test_a_quiz_outside_the_audience_or_a_draft_stays_404_in_chinese(org, member, api_as):
    question = make_question(make_bank())
    other_unit = make_quiz([question], audience_unit=org.unit_b)
    draft = make_quiz([question])
    draft.status = "draft"
    draft.save(update_fields=["status"])
    client = api_as(member)
    for pk in (other_unit.pk, draft.pk, 999999):
        response = client.post(f"/api/v1/quizzes/{pk}/attempts/")
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "not_found"
        assert_chinese(body, f"quiz {pk}")


# --- every default error under /api/ is Chinese ---------------------------------------


def api_paths() -> list[str]:
    from backend.urls import api_v1

    paths = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):  # an app's own list (orglife.api_urls)
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            route = re.sub(r"<int:\w+>", "999999", prefix + str(pattern.pattern))
            paths.append(f"/api/v1/{route}")

    walk(api_v1)
    return paths


def test_the_api_url_patterns_answer_chinese_errors(org):
    paths = api_paths()
    assert len(paths) > 20
    member = APIClient()
    member.force_authenticate(org.member_a1)
    anonymous = APIClient()
    seen = set()
    for path in paths:
        for method in ("get", "post", "put", "patch", "delete"):
            for who, client in (("member", member), ("anonymous", anonymous)):
                response = getattr(client, method)(path, {}, format="json")
                where = f"{who} {method.upper()} {path} → {response.status_code}"
                assert response.status_code < 500, where
                if response.status_code < 400:
                    continue
                assert response["Content-Type"].startswith("application/json"), where
                body = response.json()
                seen.add(response.status_code)
                if response.status_code == 400:
                    assert CJK.search(body["detail"]), f"{where}: {body}"
                    continue
                assert_chinese(body, where)
                assert body.get("code"), f"{where}: {body}"
    assert {401, 403, 404, 405} <= seen


def test_malformed_bodies_wrong_media_types_and_unknown_paths_are_chinese(org):
    client = APIClient()
    client.force_authenticate(org.member_a1)
    cases = [
        client.post("/api/v1/practice/special/", "{not json", content_type="application/json"),
        client.post("/api/v1/practice/special/", "<xml/>", content_type="text/xml"),
        client.get("/api/v1/no-such-thing/"),
        client.get("/api/v1/lectures/abc/"),
        client.post("/api/v1/auth/token/", "{", content_type="application/json"),
    ]
    for response in cases:
        where = f"{response.request['PATH_INFO']} → {response.status_code}"
        assert response.status_code in (400, 404, 415), where
        body = response.json()
        assert_chinese(body, where)
        assert body.get("code"), where


def test_a_session_call_without_the_csrf_token_is_chinese(org):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(org.member_a1)
    response = client.post("/api/v1/practice/daily/", {}, format="json")
    assert response.status_code == 403
    assert_chinese(response.json(), "csrf")


@pytest.mark.parametrize(
    "exc",
    [
        Http404("No Quiz matches the given query."),
        exceptions.NotFound(),
        exceptions.PermissionDenied(),
        exceptions.NotAuthenticated(),
        exceptions.AuthenticationFailed(),
        exceptions.MethodNotAllowed("PATCH"),
        exceptions.UnsupportedMediaType("text/xml"),
        exceptions.Throttled(wait=30),
        exceptions.ParseError("JSON parse error - Expecting value: line 1 column 2 (char 1)"),
        exceptions.NotAcceptable(),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_the_handler_turns_default_errors_chinese(exc):
    from django.utils import translation

    request = RequestFactory().get("/api/v1/x/")
    with translation.override("zh-hans"):
        response = exception_handler(exc, {"request": request})
        assert response.status_code >= 400
        assert_chinese(dict(response.data), type(exc).__name__)
        assert response.data["code"]
    if isinstance(exc, exceptions.Throttled):
        assert response["Retry-After"] == "30"


def test_english_users_still_get_english(org):
    client = Client()
    client.force_login(org.member_a1)
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/quizzes/999999/attempts/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "not allowed" in response.json()["detail"]  # not replaced by the Chinese fallback
