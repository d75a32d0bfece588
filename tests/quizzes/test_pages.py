"""The practice pages: hub, starting practice, answer page, review, results, mistakes."""

import pytest

from quizzes import services
from quizzes.models import Mistake

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    bank = make_bank()
    for n in range(6):
        make_question(bank, "single", category="党章党规" if n % 2 else "廉洁纪律")
    return bank


def test_hub_and_home_cards(org, bank, client):
    make_quiz(list(bank.questions.all()[:2]), title="党章测试", time_limit_minutes=15)
    client.force_login(org.member_a1)
    hub = client.get("/practice/").content.decode()
    assert "每日答题" in hub and "党章测试" in hub and "廉洁纪律" in hub
    home = client.get("/").content.decode()
    assert "今日已答 0/5 题" in home


def test_starting_daily_practice_opens_the_answer_page(org, bank, client):
    client.force_login(org.member_a1)
    response = client.post("/practice/daily/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'data-attempt-url="/api/v1/attempts/' in html
    assert "quizzes/answer.js" in html


def test_starting_without_questions_explains(org, client):
    client.force_login(org.member_a1)
    response = client.post("/practice/mistakes/", follow=True)
    assert "这里暂时没有可练习的题目" in response.content.decode()


def test_closed_attempt_goes_to_review_with_explanations(org, bank, client):
    member = org.member_a1
    quiz = make_quiz(list(bank.questions.all()[:2]))
    attempt = services.attempt_start(member=member, quiz=quiz)
    services.attempt_submit(attempt_id=attempt.pk, member=member)
    client.force_login(member)
    response = client.get(f"/attempts/{attempt.pk}/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/attempts/{attempt.pk}/review/"
    assert "解析" in html and "回答错误" in html
    results = client.get("/me/results/").content.decode()
    assert quiz.title in results and "0/2" in results


def test_mistakes_page(org, bank, client):
    question = bank.questions.first()
    Mistake.objects.create(member=org.member_a1, question=question, wrong_count=2)
    client.force_login(org.member_a1)
    html = client.get("/me/mistakes/").content.decode()
    assert question.stem in html and "答错 2 次" in html and "练习错题" in html


def test_someone_elses_attempt_page_is_404(org, bank, client):
    attempt = services.daily_practice_start(member=org.member_a1)
    client.force_login(org.member_a2)
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/attempts/{attempt.pk}/review/").status_code == 404


def test_an_open_attempt_is_labelled_by_what_it_is(org, bank, client):
    """An exam in progress reads 考试中 (it said 学习中, the lectures' word)."""
    # given an exam, a practice test and today's practice, all still open
    questions = list(bank.questions.all()[:2])
    exam = make_quiz(questions, title="党章考试", purpose="exam", time_limit_minutes=15)
    test = make_quiz(questions, title="党章自测")
    member = org.member_a1
    attempts = {
        "考试中": services.attempt_start(member=member, quiz=exam),
        "答题中": services.attempt_start(member=member, quiz=test),
        "练习中": services.daily_practice_start(member=member),
    }
    client.force_login(member)
    for label, attempt in attempts.items():
        # when the member opens its review page, then it carries the right label
        html = client.get(f"/attempts/{attempt.pk}/review/").content.decode()
        assert f'data-testid="attempt-status">{label}<' in html
        assert "学习中" not in html
    results = client.get("/me/results/").content.decode()
    assert "考试中" in results and "学习中" not in results


def test_the_review_shows_what_was_chosen_and_what_was_left_blank(org, client):
    # given an exam of a 多选 and a 单选 question; the member answers only the first, A
    bank = make_bank()
    multiple, single = make_question(bank, "multiple"), make_question(bank, "single")
    exam = make_quiz([multiple, single], purpose="exam", time_limit_minutes=15)
    member = org.member_a1
    attempt = services.attempt_start(member=member, quiz=exam)
    services.answer_save(
        attempt_id=attempt.pk, member=member, question_id=multiple.pk, data={"choices": ["A"]}
    )
    services.attempt_submit(attempt_id=attempt.pk, member=member)
    # when they open the review
    client.force_login(member)
    html = client.get(f"/attempts/{attempt.pk}/review/").content.decode()
    # then the first says what they chose, the second that it was not answered
    first, second = html.split('class="card review-item')[1:3]
    assert "你的答案：A<" in first and 'data-testid="unanswered"' not in first
    assert 'data-testid="unanswered">未作答<' in second
