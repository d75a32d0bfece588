"""No answer key, explanation or verdict leaves the server before an answer is final:
every question-serving endpoint, as every role."""

import json

import pytest

from quizzes.models import Mistake

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db
KEY_FIELDS = {"answer", "correct_choices", "correct_text", "explanation", "correct", "source"}
ROLES = ["member_a1", "secretary", "unit_admin", "city_admin"]


@pytest.fixture
def secrets_bank():
    bank = make_bank()
    questions = [
        make_question(bank, "single", explanation="解析秘密甲"),
        make_question(bank, "multiple", explanation="解析秘密乙"),
        make_question(bank, "truefalse", explanation="解析秘密丙"),
        make_question(bank, "fill", answer=[["秘密答案丁"]], explanation="解析秘密丁"),
    ]
    return bank, questions


def assert_no_key(payload, where: str):
    text = json.dumps(payload, ensure_ascii=False)
    assert "秘密" not in text, f"{where}: {text[:300]}"

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in KEY_FIELDS:
                    assert value in (None, [], "", {}), f"{where}: {key}={value!r}"
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)


@pytest.mark.parametrize("role", ROLES)
def test_no_endpoint_serves_the_key_before_submission(org, api_as, client, secrets_bank, role):
    user = getattr(org, role)
    _bank, questions = secrets_bank
    quiz = make_quiz(questions, time_limit_minutes=30)
    for question in questions:
        Mistake.objects.create(member=user, question=question)
    api = api_as(user)

    listing = api.get("/api/v1/quizzes/")
    assert_no_key(listing.json(), "quiz list")

    started = api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert started.status_code == 201
    attempt = started.json()
    assert_no_key(attempt, "quiz start")
    assert_no_key(api.get(f"/api/v1/attempts/{attempt['id']}/").json(), "quiz detail")
    for question in attempt["questions"]:
        body = (
            {"blanks": ["猜"]}
            if question["kind"] == "fill"
            else {"choices": [question["options"][0]["key"]]}
        )
        saved = api.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/", body, format="json"
        )
        assert saved.status_code == 200
        assert_no_key(saved.json(), "quiz autosave")
    assert_no_key(api.get(f"/api/v1/attempts/{attempt['id']}/").json(), "quiz detail after saving")

    for url in ("/api/v1/practice/daily/", "/api/v1/practice/mistakes/"):
        practice = api.post(url).json()
        assert_no_key(practice, url)
        assert_no_key(api.get(f"/api/v1/attempts/{practice['id']}/").json(), f"{url} detail")
    special = api.post("/api/v1/practice/special/", {"category": "党章党规"}, format="json").json()
    assert_no_key(special, "special practice")

    client.force_login(user)
    for page in (f"/attempts/{attempt['id']}/", f"/attempts/{attempt['id']}/review/", "/practice/"):
        html = client.get(page).content.decode()
        assert "解析秘密" not in html and "秘密答案" not in html, page

    # once submitted, the key is there
    submitted = api.post(f"/api/v1/attempts/{attempt['id']}/submit/").json()
    assert "解析秘密甲" in json.dumps(submitted, ensure_ascii=False)
