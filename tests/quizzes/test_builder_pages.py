"""The quiz builder pages (组卷): who may use them, drawn and fixed papers saved from
the form as a browser without JavaScript sends it, the server's check of the rules,
publishing and withdrawing, and the list's flag for papers the banks cannot fill."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Quiz, QuizQuestion, QuizStatus

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db

LIST = reverse("authoring:quizzes")
NEW = reverse("authoring:quiz_new")


def edit_url(quiz) -> str:
    return reverse("authoring:quiz_edit", args=[quiz.pk])


def form_data(*, banks, rules=(), items=(), paper="drawn", action="save", initial=0, **fields):
    """The form as the page posts it: the quiz's fields, the rule rows (a formset)
    and a fixed paper's (question, points) in order."""
    data = {
        "title": "二季度党章党规测试",
        "description": "",
        "purpose": "exam",
        "banks": [bank.pk for bank in banks],
        "audience_unit": "",
        "audience_branch": "",
        "time_limit_minutes": "30",
        "max_attempts": "",
        "opens_at": "",
        "closes_at": "",
        "pass_percent": "60",
        "pass_points": "5",
        "shuffle_options": "on",
        "paper": paper,
        "action": action,
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(initial),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "30",
        "item_question": [question.pk for question, _points in items],
        "item_points": [points for _question, points in items],
    }
    for i, rule in enumerate(rules):
        row = {
            "kind": "single",
            "category": "",
            "tag": "",
            "min_difficulty": 1,
            "max_difficulty": 5,
            "points": 1,
        }
        row.update(rule)
        for key, value in row.items():
            data[f"rules-{i}-{key}"] = value
    data.update(fields)
    return data


@pytest.fixture
def bank(org):
    """A city-wide bank: 6 单选 党章党规 (difficulty 2), 3 判断 党史 (difficulty 4)."""
    bank = make_bank("全市题库")
    for _ in range(6):
        make_question(bank, "single", category="党章党规", difficulty=2)
    for _ in range(3):
        make_question(bank, "truefalse", category="党史", difficulty=4)
    return bank


def login(client, user):
    client.force_login(user)
    return client


# --- who may use the pages ---


def test_members_and_secretaries_are_refused(client, org, bank):
    quiz = make_quiz(rules=[{"kind": "single", "count": 2}], banks=[bank])
    for user in (org.member_a1, org.secretary):
        login(client, user)
        assert client.get(LIST).status_code == 403
        assert client.get(NEW).status_code == 403
        assert client.get(edit_url(quiz)).status_code == 403
        assert client.post(NEW, form_data(banks=[bank])).status_code == 403
    assert Quiz.objects.count() == 1


def test_anonymous_is_sent_to_the_login(client, org):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_unit_admin_sees_only_the_own_units_papers(client, org, bank):
    own = make_quiz(
        rules=[{"kind": "single", "count": 2}],
        banks=[bank],
        audience_unit=org.unit_a,
        title="本单位",
    )
    branch = make_quiz(
        rules=[{"kind": "single", "count": 2}],
        banks=[bank],
        audience_branch=org.branch_a2,
        title="本单位支部",
    )
    other = make_quiz(
        rules=[{"kind": "single", "count": 2}],
        banks=[bank],
        audience_unit=org.unit_b,
        title="外单位",
    )
    city = make_quiz(rules=[{"kind": "single", "count": 2}], banks=[bank], title="全市")
    login(client, org.unit_admin)
    page = client.get(LIST).content.decode()
    assert "本单位" in page and "本单位支部" in page
    assert "外单位" not in page and "全市" not in page
    assert client.get(edit_url(own)).status_code == 200
    assert client.get(edit_url(branch)).status_code == 200
    assert client.get(edit_url(other)).status_code == 404
    assert client.get(edit_url(city)).status_code == 404
    response = client.post(edit_url(other), form_data(banks=[bank], audience_unit=org.unit_a.pk))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.audience_unit == org.unit_b


def test_a_unit_admin_cannot_address_another_unit_or_the_whole_city(client, org, bank):
    login(client, org.unit_admin)
    # a new paper is addressed to the own unit unless they choose otherwise
    assert client.get(NEW).context["form"]["audience_unit"].value() == org.unit_a.pk
    rules = [{"count": 2}]
    for audience in (
        {"audience_unit": org.unit_b.pk},
        {"audience_branch": org.branch_b1.pk},
        {"audience_unit": ""},
    ):
        response = client.post(NEW, form_data(banks=[bank], rules=rules, **audience))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Quiz.objects.exists()
    # the own unit's branch is fine
    response = client.post(
        NEW, form_data(banks=[bank], rules=rules, audience_branch=org.branch_a2.pk)
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get()
    assert quiz.audience_branch == org.branch_a2 and quiz.audience_unit is None


def test_a_unit_admin_cannot_use_another_units_bank(client, org, bank):
    foreign = make_bank("外单位题库", unit=org.unit_b)
    make_question(foreign, "single")
    login(client, org.unit_admin)
    response = client.post(
        NEW, form_data(banks=[foreign], rules=[{"count": 1}], audience_unit=org.unit_a.pk)
    )
    assert response.status_code == 200
    assert "banks" in response.context["form"].errors
    assert not Quiz.objects.exists()


# --- a drawn paper ---


def test_a_drawn_paper_is_saved_from_the_form(client, org, bank):
    # given a city admin on the new paper page
    login(client, org.city_admin)
    page = client.get(NEW)
    assert page.status_code == 200
    # when the form is posted with two rule rows
    response = client.post(
        NEW,
        form_data(
            banks=[bank],
            rules=[
                {"kind": "single", "category": "党章党规", "count": 4, "points": 2},
                {"kind": "truefalse", "min_difficulty": 3, "max_difficulty": 5, "count": 2},
            ],
        ),
    )
    # then the quiz is a draft with the rules in Quiz.rules' format
    quiz = Quiz.objects.get()
    assert response.status_code == 302 and response["Location"] == edit_url(quiz)
    assert quiz.status == QuizStatus.DRAFT
    assert quiz.created_by == org.city_admin
    assert list(quiz.banks.all()) == [bank]
    assert quiz.rules == [
        {"kind": "single", "count": 4, "points": 2, "category": "党章党规"},
        {"kind": "truefalse", "count": 2, "points": 1, "min_difficulty": 3},
    ]
    assert not quiz.items.exists()
    assert quiz.time_limit_minutes == 30 and quiz.shuffle_options and not quiz.shuffle_questions
    # and the edit page shows each rule's count
    page = client.get(edit_url(quiz)).content.decode()
    assert "可抽 6 题" in page and "可抽 3 题" in page
    assert "共 6 题 · 10 分" in page


def test_a_rule_the_banks_cannot_fill_is_shown_by_its_row_and_not_published(client, org, bank):
    login(client, org.city_admin)
    data = form_data(
        banks=[bank],
        rules=[{"kind": "single", "count": 2}, {"kind": "truefalse", "count": 5}],
        action="publish",
    )
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert not Quiz.objects.exists()
    rows = response.context["rules"].forms
    assert rows[0].problem == "" and rows[0].available == 6
    assert "3" in rows[1].problem and "5" in rows[1].problem
    page = response.content.decode()
    assert 'class="bd-rule is-problem"' in page
    assert "不能发布" in page
    # a category the banks do not have is named
    data = form_data(
        banks=[bank], rules=[{"kind": "single", "category": "不存在", "count": 1}], action="publish"
    )
    response = client.post(NEW, data)
    assert "不存在" in response.context["rules"].forms[0].problem
    assert not Quiz.objects.exists()


def test_a_draft_that_cannot_be_filled_is_saved_with_a_warning(client, org, bank):
    login(client, org.city_admin)
    response = client.post(
        NEW, form_data(banks=[bank], rules=[{"kind": "truefalse", "count": 5}]), follow=True
    )
    quiz = Quiz.objects.get()
    assert quiz.status == QuizStatus.DRAFT and quiz.rules == [
        {"kind": "truefalse", "count": 5, "points": 1}
    ]
    page = response.content.decode()
    assert "草稿已保存" in page
    assert 'class="bd-rule is-problem"' in page


def test_rows_in_error_save_nothing(client, org, bank):
    login(client, org.city_admin)
    for rule in (
        {"kind": "essay", "count": 1},
        {"count": 0},
        {"count": ""},
        {"count": 1, "min_difficulty": 4, "max_difficulty": 2},
        {"count": 1, "points": "x"},
    ):
        response = client.post(NEW, form_data(banks=[bank], rules=[rule]))
        assert response.status_code == 200, rule
    response = client.post(NEW, form_data(banks=[bank], rules=[]))
    assert "至少" in response.content.decode()
    assert not Quiz.objects.exists()


def test_a_removed_row_and_an_untouched_blank_row_are_left_out(client, org, bank):
    login(client, org.city_admin)
    data = form_data(
        banks=[bank],
        rules=[{"count": 2}, {"kind": "truefalse", "count": 1, "DELETE": "on"}, {}],
    )
    data["rules-2-count"] = ""
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert Quiz.objects.get().rules == [{"kind": "single", "count": 2, "points": 1}]


def test_add_a_rule_without_javascript_draws_one_more_row_and_saves_nothing(client, org, bank):
    login(client, org.city_admin)
    response = client.post(
        NEW, form_data(banks=[bank], rules=[{"count": 2}], action="add_rule", title="")
    )
    assert response.status_code == 200
    assert len(response.context["rules"].forms) == 2
    assert response.context["rules"].forms[0]["count"].value() == "2"
    assert "field__error" not in response.content.decode()  # no errors before saving
    assert not Quiz.objects.exists()


def test_publish_and_withdraw(client, org, bank):
    login(client, org.city_admin)
    response = client.post(
        NEW, form_data(banks=[bank], rules=[{"count": 3}], action="publish"), follow=True
    )
    quiz = Quiz.objects.get()
    assert quiz.status == QuizStatus.PUBLISHED
    assert "已发布" in response.content.decode()
    # withdraw
    response = client.post(reverse("authoring:quiz_unpublish", args=[quiz.pk]))
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.DRAFT
    # publish the saved draft
    data = form_data(banks=[bank], rules=[{"count": 3}], action="publish", initial=1)
    client.post(edit_url(quiz), data)
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.PUBLISHED


def test_withdraw_needs_post_and_scope(client, org, bank):
    quiz = make_quiz(rules=[{"kind": "single", "count": 2}], banks=[bank], audience_unit=org.unit_b)
    login(client, org.unit_admin)
    url = reverse("authoring:quiz_unpublish", args=[quiz.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404
    quiz.refresh_from_db()
    assert quiz.status == QuizStatus.PUBLISHED


def test_a_published_paper_cannot_be_saved_unfillable(client, org, bank):
    quiz = make_quiz(rules=[{"kind": "single", "count": 2}], banks=[bank])
    login(client, org.city_admin)
    response = client.post(
        edit_url(quiz), form_data(banks=[bank], rules=[{"count": 50}], initial=1)
    )
    assert response.status_code == 200
    assert "不能发布" in response.content.decode()
    quiz.refresh_from_db()
    assert quiz.rules == [{"kind": "single", "count": 2}]
    assert quiz.status == QuizStatus.PUBLISHED


# --- a fixed paper ---


def test_a_fixed_papers_questions_and_points_are_saved_in_order(client, org, bank):
    first, second, third = list(bank.questions.order_by("pk"))[:3]
    login(client, org.city_admin)
    response = client.post(
        NEW,
        form_data(
            banks=[bank],
            paper="fixed",
            items=[(third, 5), (first, 2), (second, 3)],
            action="publish",
        ),
    )
    quiz = Quiz.objects.get()
    assert response.status_code == 302
    assert quiz.status == QuizStatus.PUBLISHED and quiz.rules == []
    assert list(quiz.items.values_list("question_id", "points")) == [
        (third.pk, 5),
        (first.pk, 2),
        (second.pk, 3),
    ]
    # the edit page lists them in that order; reordering saves the new order
    page = client.get(edit_url(quiz)).content.decode()
    assert page.index(third.stem) < page.index(first.stem) < page.index(second.stem)
    client.post(
        edit_url(quiz),
        form_data(banks=[bank], paper="fixed", items=[(first, 1), (second, 1)]),
    )
    assert list(quiz.items.values_list("question_id", "position")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]


def test_a_fixed_paper_takes_only_questions_of_its_banks(client, org, bank):
    other = make_bank("另一个题库")
    outsider = make_question(other, "single")
    question = bank.questions.first()
    login(client, org.city_admin)
    for items in ([(outsider, 1)], [(question, 1), (question, 2)], [(question, 0)]):
        response = client.post(NEW, form_data(banks=[bank], paper="fixed", items=items))
        assert response.status_code == 200
        assert response.context["fixed"].errors
    response = client.post(NEW, form_data(banks=[bank], paper="fixed", action="publish"))
    assert response.status_code == 200 and "至少" in response.content.decode()
    assert not Quiz.objects.exists()


def test_switching_a_fixed_paper_to_rules_drops_its_questions(client, org, bank):
    questions = list(bank.questions.all()[:2])
    quiz = make_quiz(questions, status="draft")
    login(client, org.city_admin)
    client.post(edit_url(quiz), form_data(banks=[bank], rules=[{"count": 2}]))
    quiz.refresh_from_db()
    assert quiz.rules == [{"kind": "single", "count": 2, "points": 1}]
    assert not QuizQuestion.objects.filter(quiz=quiz).exists()


# --- the list ---


def test_the_list_flags_papers_the_banks_can_no_longer_fill(client, org, bank):
    fine = make_quiz(
        rules=[{"kind": "single", "count": 4, "points": 2}], banks=[bank], title="可以"
    )
    short = make_quiz(rules=[{"kind": "truefalse", "count": 3}], banks=[bank], title="不够")
    bank.questions.filter(kind="truefalse").update(is_active=False)
    broken = make_quiz(rules=[{"kind": "essay", "count": "x"}], banks=[bank], title="坏规则")
    login(client, org.city_admin)
    response = client.get(LIST)
    page = response.content.decode()
    rows = {row["quiz"].pk: row for row in response.context["rows"]}
    assert rows[broken.pk]["problem"] and rows[broken.pk]["count"] == 0
    assert rows[fine.pk]["problem"] == "" and (rows[fine.pk]["count"], rows[fine.pk]["points"]) == (
        4,
        8,
    )
    assert rows[short.pk]["problem"]
    assert page.count('data-testid="paper-problem"') == 2
    assert "题库不足" in page
    assert reverse("quizzes:quiz_results", args=[fine.pk]) in page
    assert reverse("admin:quizzes_quiz_statistics", args=[fine.pk]) in page


def test_the_list_costs_the_same_queries_for_more_papers(client, org, bank):
    login(client, org.city_admin)
    questions = list(bank.questions.all()[:3])
    make_quiz(questions)
    make_quiz(rules=[{"kind": "single", "count": 2}], banks=[bank])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        make_quiz(questions)
        make_quiz(rules=[{"kind": "single", "count": 2}], banks=[bank], audience_unit=org.unit_a)
    assert queries() == few


def test_the_list_filters_by_status_and_title(client, org, bank):
    make_quiz(rules=[{"kind": "single", "count": 1}], banks=[bank], title="党史测试")
    make_quiz(
        rules=[{"kind": "single", "count": 1}], banks=[bank], title="党章草稿", status="draft"
    )
    login(client, org.city_admin)
    titles = lambda **q: [r["quiz"].title for r in client.get(LIST, q).context["rows"]]  # noqa: E731
    assert titles(status="draft") == ["党章草稿"]
    assert titles(q="党史") == ["党史测试"]


def test_a_stored_rule_in_error_shows_as_it_is(client, org, bank):
    quiz = make_quiz(rules=[{"kind": "essay", "count": 2}], banks=[bank], status="draft")
    login(client, org.city_admin)
    response = client.get(edit_url(quiz))
    row = response.context["rules"].forms[0]
    assert row.problem  # the parser's word on the kind
    assert '<option value="essay" selected>' in response.content.decode()
    # saving it unchanged is refused, nothing changes
    response = client.post(
        edit_url(quiz), form_data(banks=[bank], rules=[{"kind": "essay", "count": 2}], initial=1)
    )
    assert response.status_code == 200
    quiz.refresh_from_db()
    assert quiz.rules == [{"kind": "essay", "count": 2}]
