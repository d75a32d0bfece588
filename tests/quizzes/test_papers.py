"""Papers: checking rules against banks, the problems of many quizzes in a fixed
number of queries, the editor's facets, and publishing that refuses a paper the
banks cannot fill."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from quizzes import papers, services
from quizzes.models import Question, QuizStatus

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def bank():
    bank = make_bank()
    for n in range(6):
        make_question(bank, "single", category="党章党规", difficulty=1 + n % 3, tags=["二十大"])
    for _ in range(3):
        make_question(bank, "single", category="党史", difficulty=4)
    for _ in range(4):
        make_question(bank, "truefalse", category="党史")
    make_question(bank, "fill", category="党史", is_active=False)
    return bank


def test_a_fillable_paper_is_feasible_with_totals(bank, django_assert_num_queries):
    rules = [
        {"kind": "single", "count": 4, "points": 2},
        {"kind": "single", "count": 5, "category": "党章党规"},
        {"kind": "truefalse", "count": 2, "points": 3},
    ]
    with django_assert_num_queries(1):
        check = papers.rules_check(banks=[bank], rules=rules)
    assert check.feasible and check.problem == ""
    assert [r.available for r in check.rules] == [9, 6, 4]
    assert (check.total_questions, check.total_points) == (11, 19)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "essay", "count": 1}, "题型须为"),
        ({"kind": "single", "count": 1, "category": "党风廉政"}, "题库中没有分类“党风廉政”"),
        ({"kind": "single", "count": 1, "tag": "十九大"}, "题库中没有标签“十九大”"),
        ({"kind": "single", "count": 10}, "题库中符合条件的题只有 9 道，不够抽 10 道"),
        ({"kind": "fill", "count": 1}, "没有符合这条规则的题目"),
        ({"kind": "single", "count": 1, "min_difficulty": 5}, "没有符合这条规则的题目"),
    ],
)
def test_a_rule_the_banks_cannot_fill_says_why(bank, rule, message):
    check = papers.rules_check(banks=[bank], rules=[{"kind": "truefalse", "count": 1}, rule])
    assert not check.feasible
    assert check.rules[0].problem == ""
    assert message in check.rules[1].problem
    assert check.problem.startswith("第2条规则：")


def test_rules_that_compete_for_the_same_questions_are_named(bank):
    rules = [
        {"kind": "single", "count": 5, "category": "党章党规"},
        {"kind": "truefalse", "count": 1},
        {"kind": "single", "count": 2, "max_difficulty": 2},
    ]
    check = papers.rules_check(banks=[bank], rules=rules)
    # each alone fits (6 and 4 candidates), together they need 7 of the same 6
    assert [r.available for r in check.rules] == [6, 4, 4]
    assert not check.feasible
    assert "第1、3条规则从同一批题目中抽题：共需 7 道，题库只有 6 道" in check.problem
    assert check.rules[1].problem == "" and check.rules[0].problem == check.rules[2].problem


def test_no_banks_or_no_rules_is_a_problem(bank):
    assert (
        "请至少选择一个题库"
        in papers.rules_check(banks=[], rules=[{"kind": "single", "count": 1}]).problem
    )
    assert "请至少添加一条抽题规则" in papers.rules_check(banks=[bank], rules=[]).problem


def test_the_draw_never_fails_where_the_check_says_feasible(bank):
    # given: overlapping rules where drawing "any single" first can starve rule 2
    quiz = make_quiz(
        banks=[bank],
        rules=[
            {"kind": "single", "count": 3},
            {"kind": "single", "count": 6, "category": "党章党规"},
        ],
    )
    assert papers.rules_check(banks=[bank], rules=quiz.rules).feasible
    for seed in range(30):
        drawn = services.draw_questions(quiz, random.Random(seed))
        assert len(drawn) == 9 and len({d.question.pk for d in drawn}) == 9
        assert all(d.question.category == "党章党规" for d in drawn[3:])
    ids = [d.question.pk for d in services.draw_questions(quiz, random.Random(5))]
    assert ids == [d.question.pk for d in services.draw_questions(quiz, random.Random(5))]


def test_the_draw_takes_two_queries(bank, django_assert_num_queries):
    quiz = make_quiz(banks=[bank], rules=[{"kind": "single", "count": 3}])
    with django_assert_num_queries(2):
        services.draw_questions(quiz, random.Random(1))


def test_fill_problems_flags_papers_in_a_fixed_number_of_queries(bank):
    # given: papers that can be filled, and papers that no longer can
    fine = make_quiz(banks=[bank], rules=[{"kind": "truefalse", "count": 4}])
    tight = make_quiz(banks=[bank], rules=[{"kind": "truefalse", "count": 4}])
    broken = make_quiz(banks=[bank], rules=[{"kind": "quiz", "count": 4}])
    questions = list(bank.questions.filter(kind="single")[:2])
    fixed = make_quiz(questions)
    fixed_gone = make_quiz(questions[:1] + list(bank.questions.filter(kind="truefalse")[:1]))
    empty = make_quiz(banks=[bank])
    quizzes = [fine, tight, broken, fixed, fixed_gone, empty]
    assert all(not p for p in papers.fill_problems([fine, tight, fixed]).values())
    # when: a true-or-false question is deactivated
    Question.objects.filter(pk=fixed_gone.items.last().question_id).update(is_active=False)
    with CaptureQueriesContext(connection) as few:
        problems = papers.fill_problems(quizzes)
    # then
    assert "只有 3 道，不够抽 4 道" in problems[tight.pk] == problems[fine.pk]
    assert "题型" in problems[broken.pk]
    assert problems[fixed.pk] == ""
    assert problems[fixed_gone.pk] == "试卷中有 1 道题已停用。"
    assert problems[empty.pk] == "试卷中还没有题目。"
    more = [
        make_quiz(banks=[make_bank()], rules=[{"kind": "single", "count": 1}]) for _ in range(4)
    ]
    more += [make_quiz(questions) for _ in range(3)]
    with CaptureQueriesContext(connection) as many:
        assert len(papers.fill_problems(quizzes + more)) == len(quizzes) + 7
    assert len(few) == len(many) == 3


def test_facets_count_categories_tags_and_kinds(bank, django_assert_num_queries):
    with django_assert_num_queries(1):
        facets = papers.facets(banks=[bank])
    assert facets["categories"] == [{"name": "党史", "count": 7}, {"name": "党章党规", "count": 6}]
    assert facets["tags"] == [{"name": "二十大", "count": 6}]
    assert facets["kinds"]["single"] == {1: 2, 2: 2, 3: 2, 4: 3, 5: 0}
    assert facets["kinds"]["fill"] == dict.fromkeys(range(1, 6), 0)


def test_publishing_refuses_a_paper_the_banks_cannot_fill(org, bank):
    quiz = make_quiz(banks=[bank], rules=[{"kind": "truefalse", "count": 5}], status="draft")
    with pytest.raises(papers.PaperError) as refused:
        papers.quiz_publish(quiz=quiz, user=org.city_admin)
    assert refused.value.code == "unfillable"
    assert str(refused.value).startswith("题库不足，不能发布：第1条规则：")
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.DRAFT
    # when the bank grows, it publishes, and withdraws
    make_question(bank, "truefalse")
    assert papers.quiz_publish(quiz=quiz, user=org.city_admin).status == QuizStatus.PUBLISHED
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.PUBLISHED
    papers.quiz_unpublish(quiz=quiz, user=org.city_admin)
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.DRAFT


def test_only_a_manager_of_the_quiz_publishes_it(org, bank):
    other_units = make_quiz(
        banks=[bank], rules=[{"kind": "truefalse", "count": 1}], status="draft",
        audience_unit=org.unit_b,
    )  # fmt: skip
    for user in (org.unit_admin, org.secretary):
        with pytest.raises(papers.PaperError) as refused:
            papers.quiz_publish(quiz=other_units, user=user)
        assert refused.value.code == "not_found"
