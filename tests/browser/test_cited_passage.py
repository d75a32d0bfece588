"""学完测一测 on a phone (360×640): member001 ends a lecture with its questions,
answers one wrong, follows "出自《…》" and lands on the highlighted passage."""

import pytest

from backend.accounts.models import Role, User

from ..factories import (
    PASSWORD,
    make_bank,
    make_branch,
    make_lecture,
    make_question,
    make_unit,
    make_user,
)
from ..quizzes.test_source_link import finished_contest
from .conftest import ARTIFACTS, screenshot

pytestmark = pytest.mark.browser
SMALL_PHONE = {"width": 360, "height": 640}
TITLE = "开好组织生活会 做实民主评议党员"
PARAGRAPHS = [
    f"第{n}段。组织生活会是党员进行党性锻炼、开展批评和自我批评的重要平台，"
    "支部要在会前充分准备，会上认真开展批评，会后抓好整改落实，做到件件有着落。"
    for n in range(1, 13)
]
PARAGRAPHS[8] = "党支部每年至少召开1次组织生活会，一般安排在第四季度；民主评议党员一般每年开展1次。"


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
        }""",
        selector,
    )


def test_a_wrong_answer_leads_to_the_highlighted_passage(daphne_server, browser):
    # given a lecture whose ninth paragraph three questions cite (the right option reads 乙)
    make_user(branch=make_branch(make_unit("市委组织部")), username="member001")
    lecture = make_lecture(
        title=TITLE, body="## 一、会前准备\n\n" + "\n\n".join(PARAGRAPHS), min_read_seconds=600
    )
    bank = make_bank()
    for n in range(3):
        make_question(
            bank,
            stem=f"第{n + 1}题：组织生活会一般安排在（　）。",
            options=["第一季度", "第四季度", "第二季度", "年中"],
            explanation="党支部每年至少召开1次组织生活会，一般安排在第四季度。",
            source="《中国共产党支部工作条例（试行）》",
            lecture=lecture,
            passage=9,
        )
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(daphne_server + "/accounts/login/")
    page.fill("input[name=username]", "member001")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(daphne_server + "/")

    # when member001 reads the lecture to its end: the 学完测一测 card
    page.goto(f"{daphne_server}/lectures/{lecture.pk}/")
    card = page.locator("[data-testid=lecture-quiz]")
    card.scroll_into_view_if_needed()
    assert "本讲有 3 道题，测一测" in card.inner_text()
    page.screenshot(path=str(ARTIFACTS / "cited-lecture-card.png"))
    card.locator("button[type=submit]").click()

    # and answers the first question wrong
    page.wait_for_url(f"{daphne_server}/attempts/*/")
    page.wait_for_selector(".option")
    assert page.locator("[data-progress]").inner_text() == "1 / 3"
    page.locator(".option", has_text="第一季度").click()
    page.click("[data-confirm]")
    page.locator(".feedback__verdict").wait_for()
    assert page.locator(".feedback__verdict").inner_text() == "✗ 回答错误"
    feedback = page.locator("[data-feedback]").inner_text()
    assert "解析：党支部每年至少召开1次组织生活会" in feedback
    assert "出处：" in feedback and "《中国共产党支部工作条例（试行）》" in feedback
    link = page.locator("[data-testid=source-link]")
    assert link.inner_text() == f"出自《{TITLE}》"
    screenshot(page, "cited-feedback")

    # then "出自《…》" opens the lecture at the passage, highlighted and in view
    link.click()
    page.wait_for_url(f"{daphne_server}/lectures/{lecture.pk}/?p=9#p9")
    page.wait_for_load_state("load")
    cited = page.locator(".prose .is-cited")
    assert cited.count() == 1 and cited.get_attribute("id") == "p9"
    assert "题目出自这一段" in cited.inner_text() and "一般安排在第四季度" in cited.inner_text()
    page.wait_for_function(
        """() => { const b = document.getElementById('p9').getBoundingClientRect();
                   return b.top >= 0 && b.bottom <= window.innerHeight; }"""
    )
    assert in_viewport(page, "#p9")
    # the page is 640 px high: paragraph 9 is far below the first screen
    assert page.evaluate("window.scrollY") > 640
    page.screenshot(path=str(ARTIFACTS / "cited-passage.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]

    # the mistakes notebook explains it the same way
    page.goto(daphne_server + "/me/mistakes/")
    mistake = page.locator("[data-testid=mistake]")
    assert mistake.count() == 1 and f"出自《{TITLE}》" in mistake.inner_text()
    screenshot(page, "cited-mistakes")

    # and so does a live contest's finished page, for the questions member001 got wrong
    member = User.objects.get(username="member001")
    host = make_user(Role.SECRETARY, branch=member.branch)
    questions = list(bank.questions.order_by("pk"))
    contest = finished_contest(
        host, questions[:2], {member: [{"choices": ["A"]}, {"choices": ["B"]}]}
    )
    page.goto(f"{daphne_server}/join/{contest.pin}/")
    missed = page.locator("[data-testid=missed-question]")
    assert missed.count() == 1 and "正确答案：B. 第四季度" in missed.inner_text()
    screenshot(page, "cited-contest-finished")
    missed.locator("[data-testid=source-link]").click()
    page.wait_for_url(f"{daphne_server}/lectures/{lecture.pk}/?p=9#p9")
    assert not errors, errors
    context.close()
