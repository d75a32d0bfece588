"""POST /api/v1/contests/ and the results."""

import pytest

from contests.models import Contest

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    bank = make_bank()
    return make_quiz([make_question(bank) for _ in range(3)])


def test_secretary_opens_a_contest(org, api_as, quiz):
    response = api_as(org.secretary).post(
        "/api/v1/contests/", {"quiz": quiz.pk, "mode": "team"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    contest = Contest.objects.get(pk=body["id"])
    assert len(body["pin"]) == 6 and body["pin"].isdigit() and contest.format == "team"
    assert body["join_url"].endswith(f"/join/{body['pin']}/")
    assert body["ws_url"] == f"ws://testserver/ws/contests/{body['pin']}/"
    assert len(contest.question_ids) == 3


def test_members_cannot_open_contests(org, api_as, quiz):
    response = api_as(org.member_a1).post("/api/v1/contests/", {"quiz": quiz.pk}, format="json")
    assert response.status_code == 403 and response.json()["detail"]


def test_bad_input_is_400(org, api_as, quiz):
    client = api_as(org.secretary)
    assert client.post("/api/v1/contests/", {"quiz": 999999}, format="json").status_code == 400
    bad = client.post("/api/v1/contests/", {"quiz": quiz.pk, "mode": "chaos"}, format="json")
    assert bad.status_code == 400 and "mode" in bad.json()
    short = client.post(
        "/api/v1/contests/", {"quiz": quiz.pk, "seconds_per_question": 1}, format="json"
    )
    assert short.status_code == 400


def test_results_are_scoped(org, api_as, quiz):
    contest_id = (
        api_as(org.secretary)
        .post("/api/v1/contests/", {"quiz": quiz.pk}, format="json")
        .json()["id"]
    )
    assert api_as(org.secretary).get(f"/api/v1/contests/{contest_id}/results/").status_code == 200
    assert api_as(org.unit_admin).get(f"/api/v1/contests/{contest_id}/results/").status_code == 200
    assert api_as(org.secretary_b).get(f"/api/v1/contests/{contest_id}/results/").status_code == 404
    assert api_as(org.member_a1).get(f"/api/v1/contests/{contest_id}/results/").status_code == 404
