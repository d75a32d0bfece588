"""The quiz builder (组卷) in Chromium, on a 1920×1080 screen and a 768×1024 tablet:
a unit admin builds a drawn paper whose rule rows count, as they are typed, the
questions each can draw from (a row the banks cannot fill turns red and says why,
and is fixed), publishes it; and builds a fixed paper by searching the banks,
reordering and setting the points."""

import re

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from quizzes.models import Quiz, QuizStatus

from ..factories import make_bank, make_question, make_quiz, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import ARTIFACTS
from .test_study import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1920, "height": 1080}
TABLET = {"width": 768, "height": 1024}
WAIT = 20_000  # ms: the machine may be loaded
PROBLEM = re.compile(r"\bis-problem\b")


def _bank_of(unit):
    """The unit's bank: 6 单选 党章党规 (difficulty 2), 3 判断 党史 (difficulty 4),
    2 多选 党史 tagged 二十大."""
    bank = make_bank("机关党建题库", unit=unit)
    for i in range(6):
        make_question(
            bank,
            "single",
            category="党章党规",
            difficulty=2,
            stem=f"党章规定党员第{i + 1}项义务是（　）。",
        )
    for i in range(3):
        make_question(
            bank, "truefalse", category="党史", difficulty=4, stem=f"党史判断题第{i + 1}题。"
        )
    for i in range(2):
        make_question(
            bank,
            "multiple",
            category="党史",
            difficulty=3,
            tags=["二十大"],
            stem=f"二十大报告多选第{i + 1}题（　）。",
        )
    return bank


def shot(page, name: str, *, at: str | None = None) -> None:
    """What the window shows (the action bar and the top bar are sticky, so a
    full-page picture would draw them across the middle), scrolled to ``at``."""
    if at:
        page.locator(at).first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _status(row) -> str:
    return row.locator("[data-rule-status]").inner_text()


def test_a_unit_admin_builds_a_drawn_paper_and_publishes_it(daphne_server, browser):
    # given a unit admin with a bank of the own unit
    unit = make_unit("市委组织部")
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin")
    bank = _bank_of(unit)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, daphne_server, "unitadmin")

    # when they open the papers and start a new one
    page.goto(daphne_server + "/authoring/quizzes/")
    assert "还没有试卷" in page.inner_text("main")
    page.click("[data-testid=quiz-new]")
    page.fill("input[name=title]", "七月党章党规测试")
    page.check(f"input[name=banks][value='{bank.pk}']")
    rows = page.locator("[data-rule]:visible")
    first = rows.nth(0)
    # the categories of the chosen bank fill the row's select
    expect(first.locator("[data-field=category] option")).to_have_count(3, timeout=WAIT)
    first.locator("[data-field=kind]").select_option("single")
    first.locator("[data-field=category]").select_option("党章党规")
    first.locator("[data-field=count]").fill("4")
    first.locator("[data-field=points]").fill("2")
    # then the row says how many questions it can draw from, as it is typed
    expect(first.locator("[data-rule-status]")).to_contain_text("可抽 6 题", timeout=WAIT)

    # when a second rule asks for more 判断 than the bank has
    page.click("[data-add-rule]")
    second = rows.nth(1)
    second.locator("[data-field=kind]").select_option("truefalse")
    second.locator("[data-field=count]").fill("5")
    # then that row turns red and says why
    expect(second).to_have_class(PROBLEM, timeout=WAIT)
    assert "3" in _status(second) and "5" in _status(second)
    assert "is-problem" not in (first.get_attribute("class") or "")
    shot(page, "builder-drawn-problem-desktop")

    # when it is fixed
    second.locator("[data-field=count]").fill("2")
    expect(second).not_to_have_class(PROBLEM, timeout=WAIT)
    assert "可抽 3 题" in _status(second)
    expect(page.locator("[data-testid=drawn-total]")).to_contain_text(
        "共 6 题 · 12 分", timeout=WAIT
    )
    # a third row, removed again, is left out
    page.click("[data-add-rule]")
    rows.nth(2).locator("[data-field=count]").fill("1")
    rows.nth(2).locator(".bd-remove").click()
    assert rows.count() == 2
    assert english_words(visible_text(page.content()), allow={"unitadmin"}) == []
    shot(page, "builder-drawn-desktop")

    # and it is published
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=quiz-status]")
    assert "试卷已发布" in page.inner_text("main")
    quiz = Quiz.objects.get()
    assert quiz.status == QuizStatus.PUBLISHED and quiz.audience_unit == unit
    # (a new row starts with the points of the row above it)
    assert quiz.rules == [
        {"kind": "single", "count": 4, "points": 2, "category": "党章党规"},
        {"kind": "truefalse", "count": 2, "points": 2},
    ]

    # the list shows it with its size; a paper the bank cannot fill is flagged
    make_quiz(
        rules=[{"kind": "truefalse", "count": 5}],
        banks=[bank],
        audience_unit=unit,
        status="draft",
        title="党史判断测试",
    )
    page.goto(daphne_server + "/authoring/quizzes/")
    row = page.locator(f"[data-testid=paper-{quiz.pk}]")
    assert "已发布" in row.inner_text() and "共 6 题" in row.inner_text()
    assert page.locator(f"[data-testid=paper-{quiz.pk}] [data-testid=paper-problem]").count() == 0
    flagged = page.locator("[data-testid=paper-problem]")
    assert flagged.count() == 1 and "题库不足" in flagged.inner_text()
    shot(page, "builder-list-desktop")
    assert errors == []
    context.close()


def test_a_fixed_paper_is_built_by_search_on_a_tablet(daphne_server, browser):
    # given a unit admin with a bank
    unit = make_unit("市委组织部")
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin")
    bank = _bank_of(unit)
    make_question(bank, "truefalse", category="党史", stem="党史已停用的题。", is_active=False)
    context = browser.new_context(viewport=TABLET, locale="zh-CN", has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, daphne_server, "unitadmin")

    # when they start a fixed paper and search the bank
    page.goto(daphne_server + "/authoring/quizzes/new/")
    page.fill("input[name=title]", "党史专题固定卷")
    page.check(f"input[name=banks][value='{bank.pk}']")
    # (the rule rows are small cards on a tablet)
    first = page.locator("[data-rule]").first
    first.locator("[data-field=count]").fill("20")
    expect(first).to_have_class(PROBLEM, timeout=WAIT)
    shot(page, "builder-drawn-tablet", at="[data-testid=drawn]")
    page.click("[data-testid=paper-fixed]")
    results = page.locator("[data-testid=picker-results] [data-result]")
    expect(results).to_have_count(10, timeout=WAIT)
    page.fill("[data-testid=picker-search]", "党史")
    expect(results).to_have_count(3, timeout=WAIT)
    # then the results are the matching active questions; two are added
    results.nth(1).locator("button").click()
    results.nth(0).locator("button").click()
    assert results.nth(0).locator("button").is_disabled()
    # a filter by tag finds the 二十大 questions
    page.fill("[data-testid=picker-search]", "")
    page.select_option("[data-filter=tag]", "二十大")
    expect(results).to_have_count(2, timeout=WAIT)
    results.nth(0).locator("button").click()
    picked = page.locator("[data-testid=picked] [data-item]")
    assert picked.count() == 3
    # the last one goes up to the top, and is worth 5 points
    picked.nth(2).locator("[data-up]").click()
    picked.nth(1).locator("[data-up]").click()
    picked.nth(0).locator("input[name=item_points]").fill("5")
    assert "共 3 题 · 7 分" in page.inner_text("[data-testid=fixed-total]")
    assert english_words(visible_text(page.content()), allow={"unitadmin"}) == []
    shot(page, "builder-fixed-tablet", at="[data-testid=fixed]")

    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=quiz-status]")
    quiz = Quiz.objects.get()
    items = list(quiz.items.select_related("question"))
    assert [item.question.stem for item in items] == [
        "二十大报告多选第1题（　）。",
        "党史判断题第2题。",
        "党史判断题第1题。",
    ]
    assert [item.points for item in items] == [5, 1, 1]
    assert quiz.status == QuizStatus.DRAFT and quiz.rules == []
    # the saved page lists them in that order, on the tablet too
    assert page.locator("[data-testid=picked] [data-item]").count() == 3
    shot(page, "builder-fixed-saved-tablet", at="[data-testid=picked]")
    # and on a 1920×1080 screen the paper sits beside the quiz's settings
    page.set_viewport_size(DESKTOP)
    shot(page, "builder-fixed-desktop", at="h1")
    assert errors == []
    context.close()
