"""Every role against every authoring page and endpoint (issue 15): members and
secretaries are refused (403), a unit admin of another unit finds nothing of this
unit's (404), an import draft is its uploader's alone, the unit's admin and the city
admin get in, and nobody signed out does. The URL list is read from the authoring
URL modules, so a new page or endpoint is checked without touching this test."""

import pytest
from django.test import Client
from django.urls import URLPattern
from rest_framework.test import APIClient

from backend.accounts.models import Role
from quizzes import api_urls, urls_authoring
from quizzes.models import QuestionImport

from ..factories import make_bank, make_lecture, make_question, make_quiz, make_user

pytestmark = pytest.mark.django_db

#: Writes, sent as POST; everything else is read with GET.
POSTED = {
    "question_active",
    "question_delete",
    "quiz_unpublish",
    "bank-import",
    "paper-check",
    "quiz-publish",
    "quiz-unpublish",
    "lecture-practice",
}
#: Open to every signed-in member (学完测一测), not an authoring endpoint.
MEMBERS_TOO = {"lecture-practice"}
#: Lists and forms with no object of the unit in the URL: another unit's admin gets
#: the own view of them.
UNSCOPED = {
    "banks",
    "quizzes",
    "quiz_new",
    "bank-list",
    "bank-template",
    "question-list",
    "lecture-passages",
    "paper-check",
    "paper-facets",
}


def _routes():
    pages = [(p, "page") for p in urls_authoring.urlpatterns]
    apis = [(p, "api") for p in api_urls.urlpatterns]
    for pattern, kind in pages + apis:
        assert isinstance(pattern, URLPattern)
        yield pytest.param(pattern, kind, id=pattern.name)


@pytest.fixture
def world(org):
    """The first unit's bank, question, quiz and an import draft of its admin; a second
    unit's admin; a lecture."""
    org.unit_admin_b = make_user(Role.UNIT_ADMIN, unit=org.unit_b, username="unitadmin2")
    org.bank = make_bank("组织部题库", unit=org.unit_a)
    org.question = make_question(org.bank, "single")
    org.quiz = make_quiz([org.question], audience_unit=org.unit_a, status="published")
    org.lecture = make_lecture()
    org.draft = QuestionImport.objects.create(
        bank=org.bank, created_by=org.unit_admin, filename="x.xlsx", data=b"x"
    )
    return org


def _url(pattern, kind, world) -> str:
    """The route with the objects of the first unit filled in."""
    ids = {
        "bank": world.bank.pk,
        "bank_import": world.bank.pk,
        "bank_questions": world.bank.pk,
        "question_new": world.bank.pk,
        "import_preview": world.draft.pk,
        "question_edit": world.question.pk,
        "question_active": world.question.pk,
        "question_delete": world.question.pk,
        "quiz_edit": world.quiz.pk,
        "quiz_unpublish": world.quiz.pk,
        "bank-import": world.bank.pk,
        "bank-export": world.bank.pk,
        "quiz-publish": world.quiz.pk,
        "quiz-unpublish": world.quiz.pk,
        "lecture-passages": world.lecture.pk,
        "lecture-practice": world.lecture.pk,
    }
    route = str(pattern.pattern)
    if "<int:pk>" in route:
        route = route.replace("<int:pk>", str(ids[pattern.name]))
    assert "<" not in route, route
    prefix = "/authoring/" if kind == "page" else "/api/v1/"
    return prefix + route


def _call(user, pattern, kind, world):
    url = _url(pattern, kind, world)
    client = Client() if kind == "page" else APIClient()
    if user is not None:
        client.force_login(user)
    if pattern.name in POSTED and kind == "api" and pattern.name != "bank-import":
        return client.post(url, {}, format="json")
    if pattern.name in POSTED:
        return client.post(url, {})
    return client.get(url)


@pytest.mark.parametrize(("pattern", "kind"), list(_routes()))
def test_signed_out_nobody_gets_in(world, pattern, kind):
    response = _call(None, pattern, kind, world)
    if kind == "page":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code in (401, 403)


@pytest.mark.parametrize(("pattern", "kind"), list(_routes()))
@pytest.mark.parametrize("who", ["member_a1", "secretary"])
def test_members_and_secretaries_are_refused(world, pattern, kind, who):
    response = _call(getattr(world, who), pattern, kind, world)
    if pattern.name in MEMBERS_TOO:
        assert response.status_code != 403
    else:
        assert response.status_code == 403, response.content[:200]


@pytest.mark.parametrize(("pattern", "kind"), list(_routes()))
def test_another_units_admin_finds_nothing_of_this_unit(world, pattern, kind):
    response = _call(world.unit_admin_b, pattern, kind, world)
    if pattern.name in UNSCOPED or pattern.name in MEMBERS_TOO:
        assert response.status_code not in (403, 404, 500), response.content[:200]
    else:
        assert response.status_code == 404, response.content[:200]


@pytest.mark.parametrize(("pattern", "kind"), list(_routes()))
@pytest.mark.parametrize("who", ["unit_admin", "city_admin"])
def test_the_units_admin_and_the_city_admin_get_in(world, pattern, kind, who):
    response = _call(getattr(world, who), pattern, kind, world)
    if pattern.name == "import_preview" and who == "city_admin":
        assert response.status_code == 404  # a draft is its uploader's alone
    else:
        # 400: an empty write refused for its content, which is past the door
        assert response.status_code in (200, 201, 302, 400, 409), (
            pattern.name,
            response.status_code,
            response.content[:200],
        )
