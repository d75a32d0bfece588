"""The quiz list of the admin in Chromium: a paper its banks can no longer fill is
flagged 题库不足 in red in the 可组卷 column (the reason on hover), and the rules box
of a quiz refuses a rule the banks cannot fill. Screenshots in
test-artifacts/quiz-admin-*.png (1920×1080)."""

import pytest

from backend.accounts.models import Role
from quizzes.models import Question

from ..factories import make_bank, make_question, make_quiz, make_user
from ..text_words import english_words
from .conftest import admin_page, screenshot

pytestmark = pytest.mark.browser


def test_an_unfillable_paper_is_flagged_and_a_bad_rule_refused(daphne_server, browser):
    # given: two papers made while the bank could fill them, then questions deactivated
    bank = make_bank("党章党规题库")
    for n in range(6):
        make_question(bank, "single", category="党章党规", difficulty=1 + n % 3)
    for _ in range(4):
        make_question(bank, "truefalse", category="党史")
    make_quiz(
        banks=[bank],
        rules=[{"kind": "single", "count": 5, "points": 2}, {"kind": "truefalse", "count": 4}],
        title="第四季度应知应会测试",
    )
    make_quiz(list(bank.questions.filter(kind="single")[:5]), title="党章党规基础题")
    make_quiz(banks=[bank], rules=[{"kind": "truefalse", "count": 2}], title="党史小测")
    Question.objects.filter(pk__in=[q.pk for q in bank.questions.filter(kind="single")[:2]]).update(
        is_active=False
    )
    make_user(Role.CITY_ADMIN, username="cityadmin")
    page = admin_page(browser, daphne_server, "cityadmin", {"width": 1920, "height": 1080})
    desk = page.context

    # when the city admin opens the quiz list
    page.goto(daphne_server + "/admin/quizzes/quiz/")

    # then the two papers the bank can no longer fill are flagged, the third is not
    assert page.locator("th", has_text="可组卷").count() == 1
    flags = page.locator(".jt-unfillable")
    assert flags.count() == 2
    drawn = page.locator("tr", has_text="第四季度应知应会测试").locator(".jt-unfillable")
    assert drawn.inner_text() == "题库不足"
    assert drawn.get_attribute("title") == "第1条规则：题库中符合条件的题只有 4 道，不够抽 5 道。"
    assert drawn.evaluate("e => getComputedStyle(e).color") == "rgb(186, 33, 33)"
    fixed = page.locator("tr", has_text="党章党规基础题").locator(".jt-unfillable")
    assert fixed.get_attribute("title") == "试卷中有 2 道题已停用。"
    assert page.locator("tr", has_text="党史小测").locator(".jt-unfillable").count() == 0
    # (Django's own "- Select an option -" of the actions menu is not ours)
    text = page.locator("#result_list").inner_text()
    assert not english_words(text), english_words(text)
    screenshot(page, "quiz-admin-list")

    # when a rule names a category the bank does not have
    page.goto(daphne_server + "/admin/quizzes/quiz/add/")
    page.fill("input[name=title]", "新试卷")
    page.select_option("#id_banks_from", label="党章党规题库")
    page.click("#id_banks_add")  # the 选择 arrow: into the chosen box
    page.fill("textarea[name=rules]", '[{"kind": "single", "count": 3, "category": "党风廉政"}]')
    page.click("input[name=_save]")

    # then it is refused with the reason, beside the rules box
    error = page.locator(".field-rules .errorlist")
    assert error.inner_text() == "第1条规则：题库中没有分类“党风廉政”。"
    error.scroll_into_view_if_needed()
    inline = page.locator("#items-group").inner_text()
    assert "试卷题目" in inline and "题序" in inline and "分值" in inline
    assert not english_words(inline), english_words(inline)
    screenshot(page, "quiz-admin-rule-refused")
    desk.close()
