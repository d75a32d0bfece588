"""The quiz statistics page of the admin in Chromium: under each choice question
an option table (counts with bars, the upper against the lower group) with its
warnings in red, readable on a 1920×1080 desktop and a 768×1024 tablet.
Screenshots in test-artifacts/statistics-*.png."""

import pytest

from backend.accounts.models import Role

from ..factories import make_bank, make_question, make_quiz, make_user
from ..quizzes.test_statistics import closed_attempt, picks
from ..text_words import english_words
from .conftest import admin_page, screenshot

pytestmark = pytest.mark.browser


def a_quiz_with_answers():
    bank = make_bank("党章党规题库")
    single = make_question(
        bank,
        stem="党的最高领导机关是（　）。",
        options=[
            "党的全国代表大会和它所产生的中央委员会",
            "中央政治局",
            "中央政治局常务委员会",
            "中央纪律检查委员会",
        ],
        answer=["A"],
    )
    multiple = make_question(
        bank,
        "multiple",
        stem="党的纪律主要包括（　）。",
        options=["政治纪律", "组织纪律", "廉洁纪律", "课堂纪律"],
        answer=["A", "B", "C"],
    )
    truefalse = make_question(bank, "truefalse", stem="预备党员的预备期为一年。", answer=[True])
    fill = make_question(bank, "fill", stem="党员年满（　）岁才可申请入党。")
    quiz = make_quiz([single, multiple, truefalse, fill], title="党章党规知识测试")
    # twenty attempts: the strong choose A for the first question, but also C (a
    # wrong option the upper group likes); D is never chosen
    for n in range(20):
        score = 30 + n * 3
        strong = n >= 14
        closed_attempt(
            quiz,
            score,
            {
                single: picks("C" if n in (3, 16, 18) else "A" if strong or n % 3 else "B"),
                multiple: picks("A", "B", "C") if strong else picks("A", "D") if n % 2 else None,
                truefalse: picks("false" if strong and n % 2 else "true"),
                fill: {"blanks": ["十八"]},
            },
        )
    return quiz


def test_the_option_tables_on_a_desktop_and_a_tablet(daphne_server, browser):
    # given a quiz twenty members have taken, and the city admin signed in
    quiz = a_quiz_with_answers()
    make_user(Role.CITY_ADMIN, username="cityadmin")
    page = admin_page(browser, daphne_server, "cityadmin", {"width": 1920, "height": 1080})

    # when they open the quiz's statistics
    page.goto(f"{daphne_server}/admin/quizzes/quiz/{quiz.pk}/statistics/")

    # then each choice question has its option table, the fill-in question none
    tables = page.locator("table.option-stats")
    assert tables.count() == 3
    single = page.locator("table.option-stats").filter(has_text="中央纪律检查委员会")
    assert single.locator("tr[data-key=D] .option-flags").inner_text() == "无人选择"
    assert "高分组也选" in single.locator("tr[data-key=C] .option-flags").inner_text()
    assert single.locator("thead").inner_text().count("（5 人）") == 2
    flag = single.locator("tr[data-key=D] .option-flags strong")
    assert flag.evaluate("e => getComputedStyle(e).color") == "rgb(186, 33, 33)"
    text = page.locator("#content").inner_text()
    assert not english_words(text, allow=["xlsx"]), english_words(text, allow=["xlsx"])
    screenshot(page, "statistics-desktop")

    # and on a tablet the page does not scroll sideways
    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    screenshot(page, "statistics-tablet")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, width
    page.context.close()
