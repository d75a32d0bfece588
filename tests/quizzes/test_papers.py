"""Papers: checking rules against banks, the problems of many quizzes in a fixed
number of queries, the editor's facets, and publishing that refuses a paper the
banks cannot fill."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from quizzes import papers, services
from quizzes.models import Question, Quiz, QuizStatus

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
    ("rule", "code", "message"),
    [
        ({"kind": "essay", "count": 1}, "invalid", "题型须为"),
        (
            {"kind": "single", "count": 1, "category": "党风廉政"},
            "unknown_category",
            "题库中没有分类“党风廉政”",
        ),
        ({"kind": "single", "count": 1, "tag": "十九大"}, "unknown_tag", "题库中没有标签“十九大”"),
        ({"kind": "single", "count": 10}, "too_few", "题库中符合条件的题只有 9 道，不够抽 10 道"),
        ({"kind": "fill", "count": 1}, "none", "没有符合这条规则的题目"),
        ({"kind": "single", "count": 1, "min_difficulty": 5}, "none", "没有符合这条规则的题目"),
    ],
)
def test_a_rule_the_banks_cannot_fill_says_why(bank, rule, code, message):
    check = papers.rules_check(banks=[bank], rules=[{"kind": "truefalse", "count": 1}, rule])
    assert not check.feasible
    assert check.rules[0].problem == ""
    assert message in check.rules[1].problem
    assert check.rules[1].code == code
    assert check.rules[1].fixable_by_questions == (code in ("too_few", "none"))
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
    assert [r.code for r in check.rules] == ["shared", "", "shared"]


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


# --- the Django admin ---


def admin_form(bank, **fields):
    return {
        "title": "党章知识测试",
        "description": "",
        "purpose": "practice",
        "status": "draft",
        "banks": [bank.pk],
        "rules": "[]",
        "shuffle_options": "on",
        "pass_percent": "60",
        "pass_points": "5",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_the_admin_refuses_rules_that_do_not_parse_or_name_a_missing_category(org, bank, client):
    client.force_login(org.city_admin)
    for rules, message in (
        ('[{"kind": "essay", "count": 2}]', "第1条规则：题型须为"),
        ('[{"kind": "single", "count": 2, "category": "党风"}]', "第1条规则：题库中没有分类“党风”"),
        ('{"kind": "single"}', "抽题规则须为规则列表"),
    ):
        response = client.post("/admin/quizzes/quiz/add/", admin_form(bank, rules=rules))
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Quiz.objects.exists()


def test_the_admin_keeps_an_unfillable_draft_but_refuses_to_publish_it(org, bank, client):
    # given: a rule that asks for 5 of the bank's 4 true-or-false questions
    client.force_login(org.city_admin)
    rules = '[{"kind": "truefalse", "count": 5, "points": "2"}]'
    # when published: refused with the reason, nothing saved
    response = client.post(
        "/admin/quizzes/quiz/add/", admin_form(bank, rules=rules, status="published")
    )
    assert response.status_code == 200
    assert "题库不足，不能发布：第1条规则：题库中符合条件的题只有 4 道，不够抽 5 道" in (
        response.content.decode()
    )
    assert not Quiz.objects.exists()
    # when saved as a draft: kept, normalised, with a warning
    response = client.post("/admin/quizzes/quiz/add/", admin_form(bank, rules=rules), follow=True)
    quiz = Quiz.objects.get()
    assert quiz.status == "draft"
    assert quiz.rules == [{"kind": "truefalse", "count": 5, "points": 2}]
    assert "已存为草稿，题库还不能组成这份试卷：第1条规则：题库中符合条件的题只有 4 道" in (
        response.content.decode()
    )


def test_the_admin_sets_a_fixed_paper_without_questions_back_to_draft(org, bank, client):
    client.force_login(org.city_admin)
    response = client.post(
        "/admin/quizzes/quiz/add/", admin_form(bank, status="published"), follow=True
    )
    assert Quiz.objects.get().status == "draft"
    assert "试卷未发布：试卷中还没有题目。" in response.content.decode()


def flags(html: str) -> list[str]:
    return re.findall(r'class="jt-unfillable" title="([^"]*)"', html)


def test_a_quiz_that_can_no_longer_be_filled_is_flagged_in_the_admin_list(org, bank, client):
    # given: papers made while the bank could fill them
    drawn = make_quiz(banks=[bank], rules=[{"kind": "truefalse", "count": 3}], title="抽题卷")
    fixed = make_quiz(list(bank.questions.filter(kind="single")[:3]), title="固定卷")
    client.force_login(org.city_admin)
    html = client.get("/admin/quizzes/quiz/").content.decode()
    assert flags(html) == [] and "可组卷" in html
    # when: questions are deactivated afterwards
    first_single = fixed.items.first().question
    Question.objects.filter(pk=first_single.pk).update(is_active=False)
    two = Question.objects.filter(bank=bank, kind="truefalse").values_list("pk", flat=True)[:2]
    Question.objects.filter(pk__in=list(two)).update(is_active=False)
    # then: both are flagged 题库不足, the reason in the title
    html = client.get("/admin/quizzes/quiz/").content.decode()
    assert sorted(flags(html)) == sorted(
        [
            "第1条规则：题库中符合条件的题只有 2 道，不够抽 3 道。",
            "试卷中有 1 道题已停用。",
        ]
    )
    assert html.count("题库不足") == 2
    assert drawn.title in html


def test_the_admin_list_flags_in_a_fixed_number_of_queries(org, bank, client):
    client.force_login(org.city_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/quizzes/quiz/").status_code == 200
        return len(captured)

    make_quiz(banks=[bank], rules=[{"kind": "truefalse", "count": 3}])
    make_quiz(list(bank.questions.all()[:2]))
    few = queries()
    for _ in range(4):
        make_quiz(banks=[make_bank()], rules=[{"kind": "single", "count": 1}])
        make_quiz(list(bank.questions.all()[:3]))
    assert queries() == few


def test_a_unit_admin_sees_only_the_own_units_quizzes_flagged(org, bank, client):
    own = make_quiz(
        banks=[bank], rules=[{"kind": "fill", "count": 1}], audience_unit=org.unit_a, title="本单位"
    )
    make_quiz(
        banks=[bank], rules=[{"kind": "fill", "count": 1}], audience_unit=org.unit_b, title="外单位"
    )
    client.force_login(org.unit_admin)
    html = client.get("/admin/quizzes/quiz/").content.decode()
    assert own.title in html and "外单位" not in html
    assert len(flags(html)) == 1
