"""Quiz attempts: server deadline, autosave, submit once, overdue closing, draws."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backend.points.selectors import points_total
from quizzes import services
from quizzes.models import Attempt, AttemptQuestion, Mistake

from ..factories import make_bank, make_question, make_quiz, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org):
    return org.member_a1


@pytest.fixture
def timed_quiz():
    bank = make_bank()
    questions = [make_question(bank, "single") for _ in range(3)]
    return make_quiz(questions, time_limit_minutes=10, pass_percent=60, pass_points=5)


def test_answer_just_before_the_deadline_is_accepted_just_after_refused(member, timed_quiz):
    start = timezone.now()
    attempt = services.attempt_start(member=member, quiz=timed_quiz, now=start)
    assert attempt.deadline == start + timedelta(minutes=10)
    first, second = attempt.items.order_by("position")[:2]
    services.answer_save(
        attempt_id=attempt.pk,
        member=member,
        question_id=first.question_id,
        data={"choices": ["B"]},
        now=attempt.deadline - timedelta(seconds=1),
    )
    with pytest.raises(services.QuizError) as late:
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=second.question_id,
            data={"choices": ["B"]},
            now=attempt.deadline + timedelta(seconds=1),
        )
    assert late.value.code == "late"
    second.refresh_from_db()
    assert second.response is None and second.saved_at is None


def test_overdue_attempt_is_closed_and_graded_at_its_deadline(member, timed_quiz):
    start = timezone.now() - timedelta(minutes=30)
    attempt = services.attempt_start(member=member, quiz=timed_quiz, now=start)
    items = list(attempt.items.order_by("position"))
    for item, choice in zip(items[:2], ["B", "A"], strict=True):
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=item.question_id,
            data={"choices": [choice]},
            now=start + timedelta(minutes=1),
        )
    assert services.attempts_close_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.status == "expired" and attempt.finished_at == attempt.deadline
    assert (attempt.score, attempt.max_score) == (1, 3)
    assert [i.correct for i in attempt.items.order_by("position")] == [True, False, False]
    assert Mistake.objects.filter(member=member).count() == 1  # the wrong answer; not the blank
    assert services.attempts_close_overdue() == 0


def test_submit_grades_and_passes_once(member, timed_quiz):
    attempt = services.attempt_start(member=member, quiz=timed_quiz)
    for item in attempt.items.all():
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=item.question_id,
            data={"choices": ["B"]},
        )
    done = services.attempt_submit(attempt_id=attempt.pk, member=member)
    assert (done.status, done.score, done.passed) == ("submitted", 3, True)
    with pytest.raises(services.QuizError) as again:
        services.attempt_submit(attempt_id=attempt.pk, member=member)
    assert again.value.code == "closed"
    assert points_total(member=member) == 5
    with pytest.raises(services.QuizError):
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=item.question_id,
            data={"choices": ["A"]},
        )


def test_autosave_is_idempotent(member, timed_quiz, api_as):
    client = api_as(member)
    attempt = client.post(f"/api/v1/quizzes/{timed_quiz.pk}/attempts/").json()
    question = attempt["questions"][0]["id"]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{question}/"
    first = client.put(url, {"choices": ["A"]}, format="json").json()
    second = client.put(url, {"choices": ["A"]}, format="json").json()
    assert first["saved_at"] == second["saved_at"] and "result" not in first
    third = client.put(url, {"choices": ["C"]}, format="json").json()
    assert third["saved_at"] >= first["saved_at"]
    state = client.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert state["answers"][str(question)] == {"choices": ["C"]}


def test_starting_again_resumes_the_open_attempt(member, timed_quiz):
    first = services.attempt_start(member=member, quiz=timed_quiz)
    assert services.attempt_start(member=member, quiz=timed_quiz).pk == first.pk


def test_attempt_limits_window_and_audience(org, member):
    bank = make_bank()
    question = make_question(bank)
    limited = make_quiz([question], max_attempts=1)
    attempt = services.attempt_start(member=member, quiz=limited)
    services.attempt_submit(attempt_id=attempt.pk, member=member)
    with pytest.raises(services.QuizError) as used:
        services.attempt_start(member=member, quiz=limited)
    assert used.value.code == "no_attempts_left"
    closed = make_quiz([question], closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.QuizError):
        services.attempt_start(member=member, quiz=closed)
    other_unit = make_quiz([question], audience_unit=org.unit_b)
    with pytest.raises(services.QuizError):
        services.attempt_start(member=member, quiz=other_unit)
    own_branch = make_quiz([question], audience_branch=org.branch_a1)
    assert services.attempt_start(member=member, quiz=own_branch).pk


def test_deadline_is_cut_by_the_closing_time(member):
    now = timezone.now()
    quiz = make_quiz(
        [make_question(make_bank())], time_limit_minutes=60, closes_at=now + timedelta(minutes=5)
    )
    assert services.attempt_start(member=member, quiz=quiz, now=now).deadline == quiz.closes_at


def test_rules_draw_is_replayable_and_follows_the_rules():
    bank = make_bank()
    for n in range(12):
        make_question(bank, "single", category="党章党规", difficulty=1 + n % 5)
    for _ in range(6):
        make_question(bank, "truefalse", category="廉洁纪律")
    quiz = make_quiz(
        banks=[bank],
        rules=[
            {
                "kind": "single",
                "count": 4,
                "category": "党章党规",
                "max_difficulty": 3,
                "points": 2,
            },
            {"kind": "truefalse", "count": 3, "category": "廉洁纪律"},
        ],
    )
    first = services.draw_questions(quiz, random.Random(42))
    again = services.draw_questions(quiz, random.Random(42))
    assert [d.question.pk for d in first] == [d.question.pk for d in again]
    singles = [d for d in first if d.question.kind == "single"]
    assert len(singles) == 4 and all(d.question.difficulty <= 3 and d.points == 2 for d in singles)
    assert len(first) == 7 and len({d.question.pk for d in first}) == 7
    quiz.rules = [{"kind": "fill", "count": 1}]
    with pytest.raises(services.QuizError):
        services.draw_questions(quiz, random.Random(1))


def test_shuffled_options_are_graded_by_meaning(member):
    bank = make_bank()
    question = make_question(bank, "single", options=["甲", "乙", "丙", "丁"], answer=["B"])
    quiz = make_quiz([question], shuffle_options=True)
    attempt = services.attempt_start(member=member, quiz=quiz)
    item = attempt.items.get()
    shown_key = chr(ord("A") + item.option_order.index("B"))  # where "乙" is shown
    services.answer_save(
        attempt_id=attempt.pk, member=member, question_id=question.pk, data={"choices": [shown_key]}
    )
    assert services.attempt_submit(attempt_id=attempt.pk, member=member).score == 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"choices": ["Z"]}, "does not exist"),
        ({"choices": ["A", "B"]}, "one"),
        ({"choices": "A"}, "list"),
        ({"text": "x"}, "list"),
    ],
)
def test_invalid_answers_are_400(member, timed_quiz, api_as, data, fragment):
    client = api_as(member)
    attempt = client.post(f"/api/v1/quizzes/{timed_quiz.pk}/attempts/").json()
    question = attempt["questions"][0]["id"]
    response = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question}/",
        data,
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and response.json()["detail"]
    assert AttemptQuestion.objects.filter(response__isnull=False).count() == 0


def test_someone_elses_attempt_is_404(org, timed_quiz, api_as):
    attempt = services.attempt_start(member=org.member_a1, quiz=timed_quiz)
    client = api_as(org.member_a2)
    assert client.get(f"/api/v1/attempts/{attempt.pk}/").status_code == 404
    assert client.post(f"/api/v1/attempts/{attempt.pk}/submit/").status_code in (404, 409)
    attempt.refresh_from_db()
    assert attempt.status == "open"


def test_api_submit_twice_is_409(member, timed_quiz, api_as):
    client = api_as(member)
    attempt = client.post(f"/api/v1/quizzes/{timed_quiz.pk}/attempts/").json()
    first = client.post(f"/api/v1/attempts/{attempt['id']}/submit/")
    second = client.post(f"/api/v1/attempts/{attempt['id']}/submit/")
    assert first.status_code == 200 and second.status_code == 409
    body = first.json()
    assert (body["score"], body["max_score"]) == (0, 3)
    assert {"question", "correct", "correct_choices", "explanation"} <= set(body["results"][0])


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_one_wins():
    member = make_user()
    quiz = make_quiz([make_question(make_bank()) for _ in range(3)], pass_points=5)
    attempt = services.attempt_start(member=member, quiz=quiz)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            services.attempt_submit(attempt_id=attempt.pk, member=member)
            outcomes.append("ok")
        except services.QuizError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["closed", "ok"]
    assert Attempt.objects.get(pk=attempt.pk).status == "submitted"


@pytest.mark.parametrize("size", [10, 50])
def test_taking_and_submitting_costs_a_fixed_number_of_queries(
    member, api_as, django_assert_max_num_queries, size
):
    bank = make_bank()
    quiz = make_quiz(
        [
            make_question(bank, ["single", "multiple", "truefalse", "fill"][n % 4])
            for n in range(size)
        ]
    )
    client = api_as(member)
    # measured: 12 queries to start, 5 to save an answer, 12 to submit, whatever the size
    with django_assert_max_num_queries(12):
        attempt = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    assert len(attempt["questions"]) == size
    question = attempt["questions"][0]
    with django_assert_max_num_queries(6):
        client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
            {"choices": ["A"]},
            format="json",
        )
    with django_assert_max_num_queries(12):
        assert client.post(f"/api/v1/attempts/{attempt['id']}/submit/").status_code == 200
