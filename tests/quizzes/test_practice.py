"""Daily practice, special practice, the mistakes notebook, and points."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.points.models import PointEvent
from quizzes import services
from quizzes.models import AttemptQuestion, Mistake

from ..factories import make_bank, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    bank = make_bank()
    for n in range(8):
        make_question(bank, "single", category="党章党规" if n % 2 else "廉洁纪律")
    return bank


def shown(item, original: str) -> str:
    """The letter under which the bank's option ``original`` is shown in this attempt."""
    return chr(ord("A") + item.option_order.index(original))


def answer(attempt, member, item, original):
    return services.answer_save(
        attempt_id=attempt.pk,
        member=member,
        question_id=item.question_id,
        data={"choices": [shown(item, original)]},
    )


def test_daily_practice_is_five_questions_the_same_all_day(org, bank):
    member = org.member_a1
    attempt = services.daily_practice_start(member=member)
    assert attempt.items.count() == 5
    assert services.daily_practice_start(member=member).pk == attempt.pk
    tomorrow = timezone.now() + timedelta(days=1)
    assert services.daily_practice_start(member=member, now=tomorrow).pk != attempt.pk


def test_daily_prefers_mistakes_and_unseen(org, bank):
    member = org.member_a1
    questions = list(bank.questions.order_by("pk"))
    Mistake.objects.create(member=member, question=questions[0])
    Mistake.objects.create(member=member, question=questions[1])
    first = services.daily_practice_start(member=member)
    chosen = set(first.items.values_list("question_id", flat=True))
    assert {questions[0].pk, questions[1].pk} <= chosen
    Mistake.objects.all().delete()
    second = services.daily_practice_start(member=member, now=timezone.now() + timedelta(days=1))
    again = set(second.items.values_list("question_id", flat=True))
    assert len(again - chosen) == 3  # the three never seen come before repeats


def test_practice_feedback_is_immediate_and_final(org, bank):
    member = org.member_a1
    attempt = services.daily_practice_start(member=member)
    item = attempt.items.order_by("position").first()
    saved = answer(attempt, member, item, "A")
    assert saved.correct is False
    assert Mistake.objects.filter(member=member, question_id=item.question_id).exists()
    assert answer(attempt, member, item, "A").pk == saved.pk  # a retry is fine
    with pytest.raises(services.QuizError) as changed:
        answer(attempt, member, item, "B")
    assert changed.value.code == "answered"


def test_daily_points_per_right_answer_capped_at_five(org, bank):
    member = org.member_a1
    attempt = services.daily_practice_start(member=member)
    for item in attempt.items.order_by("position"):
        answer(attempt, member, item, "B")
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.score == 5
    assert (
        sum(
            PointEvent.objects.filter(member=member, rule__kind="daily_practice").values_list(
                "points", flat=True
            )
        )
        == 5
    )


def test_mistake_resolves_after_two_right_answers_in_a_row(org, bank):
    member = org.member_a1
    question = bank.questions.first()
    mistake = Mistake.objects.create(member=member, question=question)
    for expected_streak in (1, 2):
        attempt = services.mistakes_practice_start(member=member)
        item = attempt.items.get(question=question)
        answer(attempt, member, item, "B")
        mistake.refresh_from_db()
        assert mistake.right_streak == expected_streak
    assert mistake.resolved_at is not None
    with pytest.raises(services.QuizError) as empty:
        services.mistakes_practice_start(member=member)
    assert empty.value.code == "no_questions"


def test_a_wrong_answer_reopens_and_resets(org, bank):
    member = org.member_a1
    question = bank.questions.first()
    mistake = Mistake.objects.create(member=member, question=question, right_streak=1)
    attempt = services.mistakes_practice_start(member=member)
    answer(attempt, member, attempt.items.get(question=question), "C")
    mistake.refresh_from_db()
    assert (mistake.right_streak, mistake.wrong_count) == (0, 2)


def test_special_practice_by_category(org, bank):
    attempt = services.special_practice_start(member=org.member_a1, category="廉洁纪律")
    assert set(attempt.items.values_list("question__category", flat=True)) == {"廉洁纪律"}
    assert attempt.items.count() == 4
    with pytest.raises(services.QuizError):
        services.special_practice_start(member=org.member_a1, category="不存在的分类")


def test_units_banks_are_for_the_unit_only(org):
    own = make_bank(unit=org.unit_a)
    other = make_bank(unit=org.unit_b)
    make_question(own, category="本单位")
    make_question(other, category="外单位")
    attempt = services.daily_practice_start(member=org.member_a1)
    assert set(attempt.items.values_list("question__category", flat=True)) == {"本单位"}


def test_practice_api_and_mistakes_list(org, bank, api_as):
    client = api_as(org.member_a1)
    attempt = client.post("/api/v1/practice/daily/").json()
    question = attempt["questions"][0]
    item = AttemptQuestion.objects.get(attempt_id=attempt["id"], question_id=question["id"])
    saved = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
        {"choices": [shown(item, "A")]},
        format="json",
    ).json()
    assert saved["result"]["correct"] is False
    assert saved["result"]["correct_choices"] == [shown(item, "B")]
    mistakes = client.get("/api/v1/me/mistakes/").json()["results"]
    assert [m["question"]["id"] for m in mistakes] == [question["id"]]
    categories = client.get("/api/v1/practice/categories/").json()
    assert {c["name"] for c in categories} == {"党章党规", "廉洁纪律"}
    special = client.post("/api/v1/practice/special/", {"category": "党章党规"}, format="json")
    assert special.status_code == 201


def test_practice_closes_at_midnight_and_abandoned_sessions_are_closed(org, bank):
    member = org.member_a1
    evening = timezone.make_aware(timezone.datetime(2026, 3, 1, 23, 0))
    attempt = services.daily_practice_start(member=member, now=evening)
    assert timezone.localtime(attempt.deadline).strftime("%H:%M") == "23:59"
    item = attempt.items.order_by("position").first()
    with pytest.raises(services.QuizError) as late:
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=item.question_id,
            data={"choices": ["A"]},
            now=evening + timedelta(hours=2),
        )
    assert late.value.code == "late"
    special = services.special_practice_start(member=member, category="党章党规", now=evening)
    assert services.attempts_close_overdue(now=evening + timedelta(days=2)) == 2
    special.refresh_from_db()
    assert special.status == "expired"
    assert not Mistake.objects.filter(member=member).exists()  # unanswered is not a mistake
