"""A unit admin writes a 多选 and a 填空 question in the editor, watching the phone
preview change as they type, and cites a lecture paragraph (desktop and tablet)."""

import pytest

from backend.accounts.models import Role
from quizzes.models import Question

from ..factories import PASSWORD, make_bank, make_lecture, make_question, make_unit, make_user
from ..text_words import english_words
from .conftest import screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1920, "height": 1080}
TABLET = {"width": 768, "height": 1024}
LECTURE = (
    "## 一、为什么学党章\n\n党章是党的根本大法，是全党必须遵循的总规矩。\n\n"
    "“三会一课”是党的组织生活的基本制度，包括支部党员大会、支部委员会和党小组会。\n\n"
    "## 二、怎样学\n\n逐章逐条学，联系实际学。"
)


def sign_in(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + next_path)


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def no_english(page, allow=()):
    words = english_words(page.locator("body").inner_text(), allow=allow)
    assert not words, words


def test_a_unit_admin_writes_questions_with_a_live_preview(daphne_server, browser):
    # given a unit admin, the unit's bank and this month's lecture
    unit = make_unit("市委组织部")
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin", display_name="周敏")
    bank = make_bank("组织部题库", unit=unit)
    make_question(bank, category="组织生活")
    lecture = make_lecture(title="学习党章 遵守党章", body=LECTURE)
    base = daphne_server
    context, page, errors = new_page(browser, DESKTOP)
    new_url = f"/authoring/banks/{bank.pk}/questions/new/"
    sign_in(page, base, "unitadmin", new_url)
    preview = page.locator("[data-preview]")

    # when they write a 多选 question
    page.check("[data-kind-choice][value=multiple]")
    assert preview.locator("[data-kind=multiple]").inner_text().startswith("多选题")
    page.fill("[data-stem]", "“三会一课”中的“三会”包括")
    assert preview.locator("[data-preview-stem]").inner_text() == "“三会一课”中的“三会”包括"
    page.locator("[data-stem]").press("End")
    page.locator("[data-stem]").type("（　）。")
    assert preview.locator("[data-preview-stem]").inner_text().endswith("包括（　）。")
    options = page.locator("[data-option]")
    for i, text in enumerate(["支部党员大会", "支部委员会", "党小组会", "党员代表大会"]):
        options.nth(i).fill(text)
    page.click("[data-add-option]")
    page.locator("[data-option]").nth(4).fill("民主生活会")
    assert preview.locator(".option").nth(4).inner_text() == "E. 民主生活会"
    assert preview.locator(".option").count() == 5
    for letter in "ABC":
        page.locator(f"[data-correct][value={letter}]").check()
    page.fill("[data-explanation]", "“三会”指支部党员大会、支部委员会和党小组会。")
    page.fill("#id_category", "组织生活")
    # … and cite the lecture's second paragraph
    page.select_option("[data-lecture]", str(lecture.pk))
    page.wait_for_selector("[data-passage] option[value='2']", state="attached")
    page.select_option("[data-passage]", "2")
    assert page.input_value("[data-source]") == "《学习党章 遵守党章》第2段"
    # the preview shows what a member sees after answering
    page.click("[data-preview-mode=answered]")
    assert preview.locator(".option.is-key").count() == 3
    assert preview.locator("[data-preview-answer]").inner_text() == "正确答案：ABC"
    assert "支部党员大会" in preview.locator("[data-preview-explanation]").inner_text()
    cited = preview.locator("[data-preview-cited]")
    assert cited.inner_text() == "出自《学习党章 遵守党章》"
    assert cited.get_attribute("href") == f"/lectures/{lecture.pk}/?p=2#p2"
    no_english(page, allow=["组织部题库", "ABC"])  # the answer's option letters
    screenshot(page, "editor-multiple-1920")
    page.click("[data-testid=save]")
    page.wait_for_selector(".message--success")

    # then the question is saved as written, citing the paragraph
    question = Question.objects.get(kind="multiple")
    assert page.url == f"{base}/authoring/questions/{question.pk}/"
    assert question.answer == ["A", "B", "C"] and len(question.options) == 5
    assert question.lecture_id == lecture.pk and question.passage == 2
    assert question.source == "《学习党章 遵守党章》第2段"

    # when they write a 填空 question with the blank button
    page.goto(base + new_url)
    page.check("[data-kind-choice][value=fill]")
    page.fill("[data-stem]", "年满")
    page.click("[data-insert-blank]")
    page.locator("[data-stem]").type("岁的先进分子，可以申请入党。")
    assert page.input_value("[data-stem]") == "年满（　）岁的先进分子，可以申请入党。"
    assert page.locator("input[data-blank]").count() == 1
    assert preview.locator("[data-preview-question] input").count() == 1
    page.fill("input[data-blank]", "十八/18")
    page.fill("#id_category", "党员管理")
    page.click("[data-preview-mode=answered]")
    assert preview.locator("[data-preview-answer]").inner_text() == "正确答案：十八/18"
    screenshot(page, "editor-fill-1920")
    page.click("[data-testid=save]")
    page.wait_for_selector(".message--success")
    fill = Question.objects.get(kind="fill")
    assert fill.answer == [["十八", "18"]] and fill.stem_key == "年满岁的先进分子可以申请入党"

    # the list shows both, the cited one with its lecture
    page.goto(f"{base}/authoring/banks/{bank.pk}/questions/")
    row = page.locator(f"[data-testid=question-{question.pk}]")
    assert "出自《学习党章 遵守党章》" in row.inner_text()
    assert page.locator("[data-testid^=question-]").filter(has=page.locator("td")).count() == 3
    no_english(page, allow=["组织部题库"])
    screenshot(page, "editor-list-1920")
    assert errors == []
    context.close()

    # on a tablet the editor still works: the preview sits under the form
    context, page, errors = new_page(browser, TABLET)
    sign_in(page, base, "unitadmin", f"/authoring/questions/{question.pk}/")
    page.fill("[data-stem]", "“三会一课”中的“三会”是指")
    assert page.locator("[data-preview-stem]").inner_text() == "“三会一课”中的“三会”是指"
    box = page.locator("[data-preview]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"]
    screenshot(page, "editor-tablet-768")
    page.goto(f"{base}/authoring/banks/{bank.pk}/questions/?cited=1")
    assert page.locator("[data-testid=question-count]").inner_text() == "共 1 题"
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "editor-list-768")
    assert errors == []
    context.close()
