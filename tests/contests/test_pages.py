"""Contest pages: who may open which."""

import pytest

from contests import services

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(org):
    quiz = make_quiz([make_question(make_bank())])
    return services.contest_create(host=org.secretary, quiz=quiz)


def test_members_cannot_hold_contests(org, client):
    client.force_login(org.member_a1)
    assert client.get("/contests/").status_code == 403


def test_secretary_opens_a_room_from_the_form(org, client):
    quiz = make_quiz([make_question(make_bank())], title="表单竞赛")
    client.force_login(org.secretary)
    page = client.get("/contests/")
    assert "表单竞赛" in page.content.decode()
    response = client.post(
        "/contests/",
        {
            "quiz": quiz.pk,
            "format": "classic",
            "seconds_per_question": 20,
            "points_per_question": 1000,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/host/")


def test_only_the_host_runs_the_console_and_screen(org, client, contest):
    client.force_login(org.secretary_b)
    assert client.get(f"/contests/{contest.pk}/host/").status_code == 403
    assert client.get(f"/contests/{contest.pk}/screen/").status_code == 403
    client.force_login(org.secretary)
    console = client.get(f"/contests/{contest.pk}/host/").content.decode()
    assert contest.pin in console and "<svg" in console  # the QR code, made on the server
    assert client.get(f"/contests/{contest.pk}/screen/").status_code == 200


def test_joining_by_pin(org, client, contest):
    response = client.get(f"/join/{contest.pin}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(org.member_a1)
    assert client.get(f"/join/?pin={contest.pin}")["Location"] == f"/join/{contest.pin}/"
    page = client.get(f"/join/{contest.pin}/")
    assert f'data-ws="/ws/contests/{contest.pin}/"' in page.content.decode()
    missing = client.get("/join/000000/")
    assert missing.status_code == 404 and "没有这个 PIN 码" in missing.content.decode()


def test_guests_may_open_the_page_when_allowed(org, client):
    quiz = make_quiz([make_question(make_bank())])
    contest = services.contest_create(host=org.secretary, quiz=quiz, allow_guests=True)
    page = client.get(f"/join/{contest.pin}/")
    assert page.status_code == 200 and 'data-guest="1"' in page.content.decode()
