"""Item analysis: facility, discrimination, flags, distribution."""

import io

import pytest
from openpyxl import load_workbook

from quizzes import services, statistics

from ..factories import make_bank, make_question, make_quiz, make_user


def test_facility_and_discrimination():
    assert statistics.facility([True, False, True, True]) == 0.75
    assert statistics.facility([]) is None
    # strong members get it right, weak ones wrong: positive discrimination
    rows = [(score, score >= 50) for score in range(0, 100, 10)]
    assert statistics.discrimination(rows) == 1.0
    # the reverse: negative
    assert statistics.discrimination([(s, s < 50) for s in range(0, 100, 10)]) == -1.0
    assert statistics.discrimination(rows[:3]) is None


def test_flags_and_distribution():
    assert statistics.flags_for(0.95, 0.3) == ["too_easy"]
    assert statistics.flags_for(0.1, -0.2) == ["too_hard", "negative_discrimination"]
    bands = dict(statistics.distribution([0, 5, 55, 100, 99.9]))
    assert bands["0–9"] == 2 and bands["50–59"] == 1 and bands["90–100"] == 2


@pytest.mark.django_db
def test_quiz_statistics_from_attempts(org, api_as, client):
    bank = make_bank()
    easy, hard = make_question(bank), make_question(bank)
    quiz = make_quiz([easy, hard])
    for n in range(6):
        member = make_user()
        attempt = services.attempt_start(member=member, quiz=quiz)
        services.answer_save(
            attempt_id=attempt.pk, member=member, question_id=easy.pk, data={"choices": ["B"]}
        )
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=hard.pk,
            data={"choices": ["B" if n == 0 else "A"]},
        )
        services.attempt_submit(attempt_id=attempt.pk, member=member)
    report = statistics.quiz_statistics(quiz=quiz)
    by_id = {s.question_id: s for s in report.questions}
    assert report.attempts == 6
    assert by_id[easy.pk].facility == 1.0 and "too_easy" in by_id[easy.pk].flags
    assert by_id[hard.pk].facility == pytest.approx(1 / 6) and "too_hard" in by_id[hard.pk].flags
    body = api_as(org.city_admin).get(f"/api/v1/quizzes/{quiz.pk}/statistics/").json()
    assert body["attempts"] == 6
    sheet = api_as(org.city_admin).get(f"/api/v1/quizzes/{quiz.pk}/statistics/?format=xlsx")
    workbook = load_workbook(io.BytesIO(sheet.content))
    assert workbook.sheetnames == ["试题分析", "成绩分布"]
    assert api_as(org.member_a1).get(f"/api/v1/quizzes/{quiz.pk}/statistics/").status_code == 404
    client.force_login(org.city_admin)
    page = client.get(f"/admin/quizzes/quiz/{quiz.pk}/statistics/")
    assert page.status_code == 200 and "question-stats" in page.content.decode()
