"""The question list and the question editor (authoring pages): scope, saving each
kind from the form, Chinese field errors, citing a lecture paragraph."""

import re

import pytest
from django.core.exceptions import ValidationError

from quizzes import services
from quizzes.models import Question, QuestionKind
from quizzes.questions import lecture_passages, question_validate

from ..factories import make_bank, make_lecture, make_question, make_quiz
from ..text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

LECTURE_BODY = "## 一\n\n第一段讲党章。\n\n第二段讲**纪律**。\n\n第三段讲作风。"


@pytest.fixture
def bank(org):
    return make_bank("组织部题库", unit=org.unit_a)


def form(**fields):
    data = {
        "kind": "single",
        "stem": "党的最高领导机关是（　）。",
        "option": ["中央政治局", "党的全国代表大会和它所产生的中央委员会", "", ""],
        "correct": ["B"],
        "explanation": "党章规定。",
        "difficulty": "2",
        "category": "党章党规",
        "tags": "组织制度、党章",
        "source": "",
        "lecture": "",
        "passage": "",
        "is_active": "on",
    }
    data.update(fields)
    return data


# --- scope ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member_a1", "secretary"])
def test_members_and_secretaries_are_refused(org, bank, client, who):
    question = make_question(bank)
    client.force_login(getattr(org, who))
    for url in (
        f"/authoring/banks/{bank.pk}/questions/",
        f"/authoring/banks/{bank.pk}/questions/new/",
        f"/authoring/questions/{question.pk}/",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/authoring/questions/{question.pk}/", form()).status_code == 403
    question.refresh_from_db()
    assert question.stem.startswith("第")


def test_a_unit_admin_never_reaches_another_units_bank(org, client):
    other = make_bank("财政局题库", unit=org.unit_b)
    city = make_bank("全市题库")
    question = make_question(other)
    client.force_login(org.unit_admin)
    assert client.get(f"/authoring/banks/{other.pk}/questions/").status_code == 404
    assert client.get(f"/authoring/banks/{city.pk}/questions/new/").status_code == 404
    assert client.get(f"/authoring/questions/{question.pk}/").status_code == 404
    response = client.post(f"/authoring/questions/{question.pk}/active/", {"active": "0"})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.is_active
    client.force_login(org.city_admin)
    assert client.get(f"/authoring/questions/{question.pk}/").status_code == 200


# --- the list ------------------------------------------------------------------


def test_the_list_filters_and_shows_what_a_row_needs(org, bank, client):
    lecture = make_lecture(title="学习党章", body=LECTURE_BODY)
    cited = make_question(bank, category="党章党规", lecture=lecture, passage=2, tags=["党章"])
    make_question(bank, "truefalse", category="廉洁纪律", is_active=False)
    make_question(bank, "fill", category="党员管理", explanation="关于入党年龄")
    client.force_login(org.unit_admin)
    html = client.get(f"/authoring/banks/{bank.pk}/questions/").content.decode()
    assert "共 3 题" in html or "3 题" in html
    assert "出自《学习党章》" in html and "停用" in html and "新建题目" in html
    assert not english_words(visible_text(html), allow=["组织部题库"])

    def ids(query):
        page = client.get(f"/authoring/banks/{bank.pk}/questions/?{query}").content.decode()
        return {q.pk for q in bank.questions.all() if f'data-testid="question-{q.pk}"' in page}

    assert ids("cited=1") == {cited.pk}
    assert ids("kind=truefalse") == {q.pk for q in bank.questions.filter(kind="truefalse")}
    assert ids("active=0") == {q.pk for q in bank.questions.filter(is_active=False)}
    assert ids("q=入党年龄") == {q.pk for q in bank.questions.filter(kind="fill")}
    assert ids("tag=党章") == {cited.pk}
    assert ids("category=廉洁纪律&cited=0") == {
        q.pk for q in bank.questions.filter(category="廉洁纪律")
    }
    assert ids("difficulty=9") == set(bank.questions.values_list("pk", flat=True))


def test_the_list_costs_the_same_queries_for_3_or_50_questions(org, bank, client):
    lecture = make_lecture(body=LECTURE_BODY)
    for n in range(3):
        make_question(bank, lecture=lecture, passage=1, tags=[f"标签{n}"])
    client.force_login(org.unit_admin)
    client.get(f"/authoring/banks/{bank.pk}/questions/")  # warm the session

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/authoring/banks/{bank.pk}/questions/").status_code == 200
    for n in range(60):
        make_question(bank, lecture=lecture if n % 2 else None, passage=1 if n % 2 else None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/authoring/banks/{bank.pk}/questions/")
    assert len(many) == len(few)
    assert len(re.findall(r'data-testid="question-\d+"', response.content.decode())) == 50


# --- the editor ----------------------------------------------------------------


def test_the_editor_page_offers_every_kind_and_the_lectures(org, bank, client):
    make_question(bank, category="组织生活")
    make_lecture(title="学习党章", body=LECTURE_BODY)
    client.force_login(org.unit_admin)
    html = client.get(f"/authoring/banks/{bank.pk}/questions/new/").content.decode()
    for label in ("单选题", "多选题", "判断题", "填空题", "学习党章", "组织生活", "插入空格（　）"):
        assert label in html
    assert 'data-passages-url="/api/v1/lectures/{id}/passages/"' in html
    assert not english_words(visible_text(html), allow=["组织部题库"])


def test_a_single_choice_question_is_saved_from_the_form(org, bank, client):
    client.force_login(org.unit_admin)
    response = client.post(f"/authoring/banks/{bank.pk}/questions/new/", form())
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/authoring/questions/{question.pk}/"
    assert question.bank == bank and question.kind == "single"
    assert question.options == ["中央政治局", "党的全国代表大会和它所产生的中央委员会"]
    assert question.answer == ["B"] and question.difficulty == 2
    assert question.tags == ["组织制度", "党章"]
    assert question.stem_key == "党的最高领导机关是"


def test_save_and_add_another_keeps_the_kind_and_category(org, bank, client):
    client.force_login(org.unit_admin)
    data = form(kind="truefalse", stem="预备期为一年。", truth="true", category="党员管理")
    data["then"] = "new"
    response = client.post(f"/authoring/banks/{bank.pk}/questions/new/", data)
    assert response.status_code == 302 and "/questions/new/?" in response["Location"]
    page = client.get(response["Location"])
    assert page.context["form"]["kind"] == "truefalse"
    assert page.context["form"]["category"] == "党员管理"
    assert page.context["form"]["stem"] == ""


def test_a_multiple_choice_question_is_saved_with_its_answers(org, bank, client):
    client.force_login(org.unit_admin)
    data = form(
        kind="multiple",
        stem="“三会一课”中的“三会”包括（　）。",
        option=["支部党员大会", "支部委员会", "党小组会", "党员代表大会", "", ""],
        correct=["C", "A", "B"],
    )
    client.post(f"/authoring/banks/{bank.pk}/questions/new/", data)
    question = Question.objects.get()
    assert question.kind == "multiple" and question.answer == ["A", "B", "C"]
    assert len(question.options) == 4


def test_a_true_or_false_question_is_saved(org, bank, client):
    client.force_login(org.unit_admin)
    data = form(kind="truefalse", stem="预备党员的预备期为一年。", truth="false", correct=[])
    client.post(f"/authoring/banks/{bank.pk}/questions/new/", data)
    question = Question.objects.get()
    assert question.kind == "truefalse" and question.answer == [False] and question.options == []


def test_a_fill_question_keeps_one_answer_list_per_blank(org, bank, client):
    client.force_login(org.unit_admin)
    data = form(
        kind="fill",
        stem="年满（　）岁的先进分子，可以申请加入（　）。",
        blank=["十八/18", "中国共产党／党"],
    )
    client.post(f"/authoring/banks/{bank.pk}/questions/new/", data)
    question = Question.objects.get()
    assert question.kind == "fill" and question.options == []
    assert question.answer == [["十八", "18"], ["中国共产党", "党"]]


def test_editing_keeps_the_question_and_its_answers(org, bank, client):
    question = make_question(bank)
    quiz = make_quiz([question])
    services.attempt_start(member=org.member_a1, quiz=quiz)
    client.force_login(org.unit_admin)
    page = client.get(f"/authoring/questions/{question.pk}/").content.decode()
    assert "甲" in page and "不能删除" in page
    data = form(stem="改过的题干（　）。", option=["甲", "乙", "丙"], correct=["C"])
    response = client.post(f"/authoring/questions/{question.pk}/", data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.stem == "改过的题干（　）。" and question.answer == ["C"]
    assert Question.objects.count() == 1
    # a question with answers is not deleted: deactivated instead
    client.post(f"/authoring/questions/{question.pk}/delete/")
    assert Question.objects.filter(pk=question.pk).exists()
    client.post(f"/authoring/questions/{question.pk}/active/", {"active": "0"})
    question.refresh_from_db()
    assert not question.is_active
    client.post(f"/authoring/questions/{question.pk}/active/", {"active": "1"})
    question.refresh_from_db()
    assert question.is_active


def test_a_question_nobody_answered_may_be_deleted(org, bank, client):
    question = make_question(bank)
    client.force_login(org.unit_admin)
    response = client.post(f"/authoring/questions/{question.pk}/delete/")
    assert response["Location"] == f"/authoring/banks/{bank.pk}/questions/"
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"option": ["甲", "", "丙"], "correct": ["A"]}, "options", "选项"),
        ({"correct": ["A", "B"]}, "answer", "只有一个"),
        ({"correct": []}, "answer", "正确答案"),
        ({"kind": "multiple", "correct": ["B"], "option": ["甲", "乙", "丙"]}, "answer", "至少"),
        ({"kind": "multiple", "correct": ["A", "B"], "option": ["甲", "乙"]}, "options", "至少"),
        ({"kind": "fill", "stem": "没有空的题干。", "blank": []}, "stem", "（　）"),
        (
            {"kind": "fill", "stem": "两个空（　）和（　）。", "blank": ["甲", ""]},
            "answer",
            "每个空",
        ),
        ({"kind": "truefalse", "truth": ""}, "answer", "对"),
        ({"difficulty": "7"}, "difficulty", "1"),
        ({"category": ""}, "category", "分类"),
        ({"category": "类" * 51}, "category", "50"),
        ({"stem": "  "}, "stem", "题干"),
        ({"passage": "2"}, "passage", "讲座"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message(org, bank, client, fields, field, message):
    client.force_login(org.unit_admin)
    response = client.post(f"/authoring/banks/{bank.pk}/questions/new/", form(**fields))
    assert response.status_code == 200
    assert not Question.objects.exists()
    html = response.content.decode()
    errors = response.context["errors"]
    assert field in errors and message in errors[field], errors
    assert "未保存" in html
    # what was typed comes back
    assert (fields.get("stem") or "党的最高领导机关是").strip() in html


def test_a_lecture_paragraph_is_cited_and_an_out_of_range_one_refused(org, bank, client):
    lecture = make_lecture(title="学习党章", body=LECTURE_BODY)
    client.force_login(org.unit_admin)
    url = f"/authoring/banks/{bank.pk}/questions/new/"
    refused = client.post(url, form(lecture=str(lecture.pk), passage="4"))
    assert "没有第4段" in refused.context["errors"]["passage"]
    assert not Question.objects.exists()
    client.post(url, form(lecture=str(lecture.pk), passage="2", source="《学习党章》第2段"))
    question = Question.objects.get()
    assert question.lecture == lecture and question.passage == 2 and question.anchor == "p2"
    page = client.get(f"/authoring/questions/{question.pk}/").content.decode()
    assert "第2段：第二段讲纪律。" in page  # the paragraph select, filled on the server
    # a lecture that does not exist
    response = client.post(url, form(lecture="999999"))
    assert "lecture" in response.context["errors"]


def test_a_repeated_stem_is_a_warning_not_an_error(org, bank, client):
    first = make_question(bank, stem="党的最高领导机关是（　）。")
    client.force_login(org.unit_admin)
    response = client.post(f"/authoring/banks/{bank.pk}/questions/new/", form(), follow=True)
    assert Question.objects.count() == 2
    html = response.content.decode()
    assert "题干相同" in html and f"#{first.pk}" in html


def test_the_validation_is_the_admins_too(org, bank, client):
    client.force_login(org.city_admin)
    data = {
        "bank": bank.pk,
        "kind": "single",
        "stem": "题干（　）",
        "options": '["甲", "乙"]',
        "answer": '["C"]',
        "difficulty": 3,
        "category": "党章党规",
        "tags": "[]",
        "is_active": "on",
    }
    response = client.post("/admin/quizzes/question/add/", data)
    assert response.status_code == 200 and not Question.objects.exists()
    assert "不存在" in response.content.decode()
    data["answer"] = '["B"]'
    response = client.post("/admin/quizzes/question/add/", data)
    assert response.status_code == 302
    assert Question.objects.get().stem_key == "题干"


# --- the rules, directly -------------------------------------------------------


def test_question_validate_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as caught:
        question_validate(
            {"kind": "single", "stem": "", "options": ["甲"], "answer": [], "difficulty": 0}
        )
    assert set(caught.value.message_dict) >= {"stem", "options", "answer", "difficulty", "category"}
    with pytest.raises(ValidationError) as caught:
        question_validate(
            {
                "kind": "single",
                "stem": "题",
                "options": ["甲", "乙"],
                "answer": ["D"],
                "category": "类",
            }
        )
    assert "不存在" in caught.value.message_dict["answer"][0]


def test_question_validate_cleans_what_it_keeps():
    valid = question_validate(
        {
            "kind": QuestionKind.MULTIPLE,
            "stem": " 题干（　） ",
            "options": [" 甲", "乙 ", "丙"],
            "answer": ["C", "A"],
            "category": "党章党规",
            "tags": "甲，乙、甲",
        }
    )
    assert valid["options"] == ["甲", "乙", "丙"] and valid["answer"] == ["A", "C"]
    assert valid["tags"] == ["甲", "乙"] and valid["difficulty"] == 3 and valid["is_active"]


def test_lecture_passages_count_like_the_sources_module():
    from quizzes.sources import paragraph_count

    html = (
        '<h2>一</h2><p id="p1">第一段<b>重点</b>&amp;</p><ul><li>甲</li></ul><p id="p2">第二段</p>'
    )
    assert lecture_passages(html) == [{"n": 1, "text": "第一段重点&"}, {"n": 2, "text": "第二段"}]
    assert len(lecture_passages(html)) == paragraph_count(html)
