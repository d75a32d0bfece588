"""member001 does today's practice on a phone and sees the mistakes notebook update."""

import pytest

from ..factories import PASSWORD, make_bank, make_branch, make_question, make_unit, make_user
from .conftest import PHONE, screenshot

pytestmark = pytest.mark.browser


def test_daily_practice_and_the_mistakes_notebook(daphne_server, browser):
    # given a member and a bank of five questions whose right option reads "乙"
    make_user(branch=make_branch(make_unit("市委组织部")), username="member001")
    bank = make_bank()
    for n in range(5):
        make_question(bank, "single", stem=f"第{n + 1}题：下列哪一项正确（　）。")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(daphne_server + "/accounts/login/")
    page.fill("input[name=username]", "member001")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(daphne_server + "/")

    # when they start today's practice from the home page and answer the five questions,
    # the first one wrong
    page.click("[data-testid=daily-card] button[type=submit]")
    page.wait_for_selector(".option")
    screenshot(page, "practice-question")
    for n in range(5):
        assert page.locator("[data-progress]").inner_text() == f"{n + 1} / 5"
        if n == 0:
            first_stem = page.locator(".question__stem").inner_text()
        page.locator(".option", has_text="甲" if n == 0 else "乙").click()
        page.click("[data-confirm]")
        verdict = page.locator(".feedback__verdict")
        verdict.wait_for()
        assert verdict.inner_text() == ("✗ 回答错误" if n == 0 else "✓ 回答正确")
        if n == 0:
            screenshot(page, "practice-feedback")
        page.click("[data-next]" if n < 4 else "[data-submit]")

    # then the review shows the score, and the mistake is in the notebook
    page.wait_for_url(f"{daphne_server}/attempts/*/review/")
    assert page.locator("[data-testid=score]").inner_text() == "4"
    page.goto(daphne_server + "/me/mistakes/")
    mistakes = page.locator("[data-testid=mistake]")
    assert mistakes.count() == 1 and first_stem in mistakes.inner_text()
    screenshot(page, "mistakes-phone")
    page.goto(daphne_server + "/practice/")
    assert page.locator("[data-testid=open-mistakes]").inner_text() == "1"
    assert page.locator("[data-testid=daily-progress]").inner_text() == "5/5"
    assert errors == []
    phone.close()
