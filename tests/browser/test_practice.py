"""member001 does today's practice on a phone and sees the mistakes notebook update."""

import pytest

from ..factories import (
    PASSWORD,
    make_bank,
    make_branch,
    make_question,
    make_quiz,
    make_unit,
    make_user,
)
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


SMALL_PHONE = {"width": 360, "height": 640}


def _sign_in(browser, base, username):
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return context, page, errors


def test_practice_labels_each_kind_and_counts_a_multiple_choice(daphne_server, browser):
    # given a topic with one question of each kind (多选: 甲 and 丙 are right)
    make_user(branch=make_branch(make_unit("市委组织部")), username="member002")
    bank = make_bank()
    for kind in ("single", "multiple", "truefalse", "fill"):
        make_question(bank, kind, category="综合练习")
    context, page, errors = _sign_in(browser, daphne_server, "member002")

    # when they open the hub, the topic chips are tap-sized
    page.goto(daphne_server + "/practice/")
    chip = page.locator(".chip", has_text="综合练习")
    assert chip.bounding_box()["height"] >= 44
    screenshot(page, "practice-hub-360")
    # (the stage console's judge corrections, built by stage.js, take their size from
    # the same app.css: measured here on a row built as stage.js builds it)
    page.evaluate(
        """() => {
          const row = document.createElement("div");
          row.className = "audit__actions";
          row.innerHTML = '<button class="chip" type="button">+</button>';
          document.querySelector("main").append(row);
        }"""
    )
    judge = page.locator(".audit__actions .chip").bounding_box()
    assert judge["height"] >= 44 and judge["width"] >= 44
    chip.click()
    page.wait_for_selector("[data-kind]")

    labels = {
        "single": "单选题：选出一个答案后点提交",
        "multiple": "多选题：选出全部正确答案后点提交",
        "truefalse": "判断题：选择正确或错误后点提交",
        "fill": "填空题：填写答案后点提交",
    }
    submit = page.locator("[data-confirm]")
    assert submit.inner_text() == "提交"
    seen = set()
    for n in range(4):
        page.wait_for_function(
            "n => document.querySelector('[data-progress]').textContent.startsWith(n + ' /')",
            arg=n + 1,
        )
        kind = page.locator("[data-question] [data-kind]").get_attribute("data-kind")
        seen.add(kind)
        assert page.locator("[data-question] [data-kind]").inner_text().startswith(labels[kind])
        assert submit.is_disabled()
        if kind == "multiple":
            # then one tap sends nothing: the page says what is chosen and waits for 提交
            assert page.locator("[data-chosen-count]").inner_text() == "尚未选择"
            page.locator(".option", has_text="甲").click()
            assert page.locator("[data-chosen-count]").inner_text() == "已选 1 项"
            assert submit.is_enabled() and page.locator(".feedback__verdict").count() == 0
            page.locator(".option", has_text="丙").click()
            assert page.locator("[data-chosen-count]").inner_text() == "已选 2 项"
            screenshot(page, "practice-multiple-360")
            assert submit.bounding_box()["height"] >= 44
        elif kind == "fill":
            page.locator("input[data-blank]").fill("十八")
            assert page.locator("input[data-blank]").get_attribute("aria-label") == "第 1 空"
        elif kind == "truefalse":
            page.locator(".option", has_text="正确").click()
        else:
            page.locator(".option", has_text="乙").click()
        submit.click()
        verdict = page.locator(".feedback__verdict")
        verdict.wait_for()
        assert verdict.inner_text() == "✓ 回答正确", kind
        page.click("[data-next]" if n < 3 else "[data-submit]")
    assert seen == set(labels)

    # and the review credits all four, the 多选 with both choices
    page.wait_for_url(f"{daphne_server}/attempts/*/review/")
    assert page.locator("[data-testid=score]").inner_text() == "4"
    assert page.locator("[data-testid=unanswered]").count() == 0
    multiple = page.locator(".review-item", has_text="多选")
    chosen = sorted(li.inner_text()[-1] for li in multiple.locator("li.is-chosen").all())
    assert chosen == ["丙", "甲"] and "你的答案：" in multiple.inner_text()
    screenshot(page, "practice-review-360")
    assert errors == []
    context.close()


def test_an_exam_keeps_a_single_tap_on_a_multiple_choice(daphne_server, browser):
    # given an exam of a 多选 and two 单选 questions (palette of three)
    make_user(branch=make_branch(make_unit("市委宣传部")), username="member003")
    bank = make_bank()
    questions = [make_question(bank, "multiple"), *(make_question(bank) for _ in range(2))]
    make_quiz(questions, title="十一月考试", purpose="exam", time_limit_minutes=10)
    context, page, errors = _sign_in(browser, daphne_server, "member003")
    page.goto(daphne_server + "/practice/")
    page.locator(".quiz-row", has_text="十一月考试").locator("button").click()
    page.wait_for_selector("[data-kind=multiple]")

    # the exam labels the kind without 提交 (answers save as they are tapped)
    label = page.locator("[data-question] [data-kind]").inner_text()
    assert label.startswith("多选题：选出全部正确答案") and "提交" not in label
    for cell in page.locator(".palette__cell").all():
        box = cell.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44

    # when the member taps A only and waits (the answer saves by itself)
    with page.expect_response(lambda r: "/answers/" in r.url and r.request.method == "PUT") as put:
        page.locator(".option", has_text="甲").click()
    assert put.value.ok
    assert page.locator("[data-chosen-count]").inner_text() == "已选 1 项"
    screenshot(page, "exam-multiple-360")

    # then a reload still shows A chosen, and the review counts A as the answer (wrong,
    # since 甲 and 丙 are right), never as 未作答
    page.reload()
    page.wait_for_selector("[data-kind]")
    page.locator(".palette__cell").first.click()
    assert page.locator(".option[aria-pressed=true]").inner_text() == "A. 甲"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".palette__cell").last.click()
    page.click("[data-submit]")
    page.wait_for_url(f"{daphne_server}/attempts/*/review/")
    first = page.locator(".review-item").first
    assert "你的答案：A" in first.inner_text()
    assert first.locator("[data-testid=unanswered]").count() == 0
    assert page.locator("[data-testid=unanswered]").count() == 2
    screenshot(page, "exam-review-360")
    assert errors == []
    context.close()
