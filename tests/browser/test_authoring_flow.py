"""Authoring as issue 15 tells it, in one story through the pages: a unit admin makes
a bank, uploads a question file in the 云帆 (yf-exam) layout — one row per option,
the title row "试题" above the header, a 出处 column citing this month's lecture —,
sees the preview, confirms it, builds a drawn paper with the rule editor (counts as
typed) and publishes it; member001 takes the paper on a phone, answers one question
wrong and follows "出自《…》" from the review to the highlighted passage of the
lecture. Only the people and the lecture are set up behind the pages."""

import re

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from quizzes.models import Question, QuestionBank, Quiz, QuizStatus

from ..factories import make_branch, make_lecture, make_unit, make_user
from ..quizzes.import_files import xlsx_bytes, yf_exam_rows
from ..text_words import english_words, visible_text
from .conftest import ARTIFACTS, new_page, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1920, "height": 1080}
SMALL_PHONE = {"width": 360, "height": 640}
WAIT = 20_000  # ms: the machine may be loaded
TITLE = "以党的自我革命引领社会革命"
BODY = "\n\n".join(
    [
        "## 一、为什么要自我革命",
        "勇于自我革命是我们党区别于其他政党的显著标志。",
        "全面从严治党永远在路上，党的自我革命永远在路上。",
        "## 二、怎样自我革命",
        "坚持以严的基调强化正风肃纪，一体推进不敢腐、不能腐、不想腐。",
        "把党的政治建设摆在首位，以党的政治建设统领党的建设各项工作。",
    ]
)
# The passage the questions cite: the 3rd paragraph (headings are not paragraphs).
PASSAGE = 3
SOURCE = f"《{TITLE}》第{PASSAGE}段"
# Each 单选's stem (a part of it) → its right option.
RIGHT = {"正风肃纪": "一体推进", "显著标志": "区别于其他政党", "党的自我革命永远": "永远在路上",
         "摆在首位": "政治建设"}  # fmt: skip

QUESTIONS = [
    {
        "type": 1,
        "content": "坚持以严的基调强化正风肃纪，要（　）不敢腐、不能腐、不想腐。",
        "analysis": "三不腐一体推进。",
        "repo": "全面从严治党",
        "options": [("一体推进", 1), ("分步推进", 0), ("择一推进", 0), ("暂缓推进", 0)],
    },
    {
        "type": 1,
        "content": "勇于自我革命是我们党（　）的显著标志。",
        "analysis": "见讲座第一部分。",
        "repo": "全面从严治党",
        "options": [("区别于其他政党", 1), ("成立之初", 0), ("工作方法", 0)],
    },
    {
        "type": 1,
        "content": "全面从严治党（　），党的自我革命永远在路上。",
        "repo": "全面从严治党",
        "options": [("永远在路上", 1), ("已经完成", 0), ("告一段落", 0)],
    },
    {
        "type": 1,
        "content": "把党的（　）摆在首位。",
        "repo": "全面从严治党",
        "options": [("政治建设", 1), ("作风建设", 0), ("制度建设", 0)],
    },
    {
        "type": 3,
        "content": "党的自我革命永远在路上。",
        "repo": "全面从严治党",
        "options": [("正确", 1), ("错误", 0)],
    },
    {
        "type": 4,
        "content": "简述新时代党的自我革命的意义。",
        "analysis": "略。",
        "repo": "全面从严治党",
        "options": [("……", 1)],
    },
]


def _yf_file_citing_the_lecture() -> bytes:
    """The yf-exam template with one added column, 出处, on each question's first row."""
    rows = yf_exam_rows(QUESTIONS)
    rows[0].append("出处")
    for row in rows[1:]:
        row.append(SOURCE if row[1] else "")
    return xlsx_bytes(rows, above=[["试题"]])


def _shot(page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def _no_english(page, *allow):
    assert english_words(visible_text(page.content()), allow=list(allow)) == []


def test_a_bank_from_yf_exam_becomes_a_paper_whose_mistakes_lead_to_the_lecture(
    daphne_server, browser, tmp_path
):
    # given a unit with its admin and member001, and this month's lecture
    unit = make_unit("市委组织部")
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin")
    make_user(branch=make_branch(unit, "第一党支部"), username="member001")
    lecture = make_lecture(title=TITLE, body=BODY)
    upload = tmp_path / "云帆试题导出.xlsx"
    upload.write_bytes(_yf_file_citing_the_lecture())

    page = new_page(browser, DESKTOP)
    admin = page.context
    sign_in(page, daphne_server, "unitadmin")

    # when the unit admin makes a bank from the home page's link
    page.click("[data-testid=banks-link]")
    page.fill("input[name=name]", "全面从严治党题库")
    page.locator("form:has(input[name=name]) [type=submit]").first.click()
    bank = QuestionBank.objects.get(name="全面从严治党题库")
    assert bank.unit == unit

    # and uploads the yf-exam file
    page.goto(f"{daphne_server}/authoring/banks/{bank.pk}/import/")
    page.set_input_files("[data-testid=file]", str(upload))
    page.click("[data-testid=upload]")

    # then the preview says what will happen, and nothing is written yet
    expect(page.locator("[data-testid=layout]")).to_contain_text("云帆", timeout=WAIT)
    assert page.locator("[data-testid=count-created]").inner_text() == "5"
    assert page.locator("[data-testid=count-skipped]").inner_text() == "1"
    assert page.locator("[data-testid=count-errors]").inner_text() == "0"
    assert "简答" in page.locator("[data-testid=skipped]").inner_text()
    # each question's 出处 is read as the lecture's passage it cites
    cites = page.locator("[data-testid=cites]")
    assert cites.count() == 5
    assert cites.first.inner_text() == f"出自《{TITLE}》第{PASSAGE}段"
    assert Question.objects.count() == 0
    _no_english(page, "unitadmin", "ID", "yf-exam")
    _shot(page, "authoring-flow-1-preview", full_page=True)

    # when they confirm
    page.click("[data-testid=confirm]")
    page.wait_for_url(re.compile(rf".*/authoring/banks/{bank.pk}/$"))
    # then the five questions are in the bank, citing the lecture's passage
    questions = list(Question.objects.filter(bank=bank).order_by("pk"))
    assert len(questions) == 5
    assert {(q.lecture_id, q.passage) for q in questions} == {(lecture.pk, PASSAGE)}
    assert [q.kind for q in questions] == ["single"] * 4 + ["truefalse"]
    _shot(page, "authoring-flow-2-bank")

    # when they build a drawn paper: 4 单选 of the bank at 25 points each
    page.goto(daphne_server + "/authoring/quizzes/new/")
    page.fill("input[name=title]", "全面从严治党小测")
    page.check(f"input[name=banks][value='{bank.pk}']")
    row = page.locator("[data-rule]:visible").nth(0)
    expect(row.locator("[data-field=category] option")).to_have_count(2, timeout=WAIT)
    row.locator("[data-field=kind]").select_option("single")
    row.locator("[data-field=count]").fill("5")
    row.locator("[data-field=points]").fill("25")
    # then the row says the bank cannot fill five, as it is typed
    expect(row).to_have_class(re.compile(r"\bis-problem\b"), timeout=WAIT)
    row.locator("[data-field=count]").fill("4")
    expect(row.locator("[data-rule-status]")).to_contain_text("可抽 4 题", timeout=WAIT)
    expect(page.locator("[data-testid=drawn-total]")).to_contain_text("共 4 题", timeout=WAIT)
    _shot(page, "authoring-flow-3-rules")

    # and publishes it
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=quiz-status]")
    quiz = Quiz.objects.get(title="全面从严治党小测")
    assert quiz.status == QuizStatus.PUBLISHED
    assert quiz.rules == [{"kind": "single", "count": 4, "points": 25}]
    assert page.console_errors == []
    admin.close()

    # when member001 takes it on a phone, answering the first question wrong
    page = new_page(browser, SMALL_PHONE)
    phone = page.context
    sign_in(page, daphne_server, "member001")
    page.goto(daphne_server + "/practice/")
    page.locator("form.quiz-row", has_text="全面从严治党小测").locator("button").click()
    page.wait_for_selector(".option")
    first_stem = ""
    for n in range(4):
        expect(page.locator("[data-progress]")).to_have_text(f"{n + 1} / 4")
        stem = page.locator(".question__stem").inner_text()
        right = next(option for part, option in RIGHT.items() if part in stem)
        if n == 0:
            first_stem = stem
            page.locator(".option").filter(has_not_text=right).first.click()
        else:
            page.locator(".option", has_text=right).click()
        if n < 3:
            page.click("[data-next]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-submit]")

    # then the review shows the wrong answer with its 出处 and "出自《…》"
    page.wait_for_url(re.compile(r".*/attempts/\d+/review/"))
    assert page.locator("[data-testid=score]").inner_text() == "75"
    wrong_item = page.locator("li, article, section").filter(has_text=first_stem[:12]).last
    cited = wrong_item.get_by_role("link", name=re.compile(f"出自《{TITLE}》"))
    expect(cited).to_be_visible()
    assert SOURCE in wrong_item.inner_text()
    _no_english(page, "member001")
    _shot(page, "authoring-flow-4-review", full_page=True)

    # and following it opens the lecture at that passage, highlighted
    cited.click()
    page.wait_for_url(re.compile(rf".*/lectures/{lecture.pk}/\?p={PASSAGE}#p{PASSAGE}$"))
    passage = page.locator(f"#p{PASSAGE}")
    expect(passage).to_contain_text("一体推进")
    expect(passage).to_be_in_viewport()
    highlighted = page.locator(".is-cited")
    assert highlighted.count() == 1
    assert (
        highlighted.get_attribute("id") == f"p{PASSAGE}"
        or passage.locator("xpath=ancestor-or-self::*[contains(@class,'is-cited')]").count()
    )
    _shot(page, "authoring-flow-5-passage")
    assert page.console_errors == []
    phone.close()
