"""A secretary hosts a contest; two phones play; the big screen shows the
distribution and the scoreboard; the podium names the winner."""

import pytest

from backend.accounts.models import Role

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


def sign_in(context, base, username, next_path="/"):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_path}")
    return page


def test_secretary_hosts_two_phones_play(daphne_server, browser):
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    make_user(Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英")
    make_user(branch=branch, username="member001", display_name="王建华")
    make_user(branch=branch, username="member002", display_name="李娜")
    bank = make_bank()
    make_quiz(
        [make_question(bank, "single", stem="党的最高领导机关是（　）。")], title="党章知识竞赛"
    )

    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    host = sign_in(laptop, daphne_server, "secretary", "/contests/")
    host.select_option("select[name=quiz]", label="党章知识竞赛")
    host.fill("input[name=seconds_per_question]", "30")
    host.click("form button[type=submit]")
    host.wait_for_url("**/host/")
    pin = host.locator("[data-testid=pin]").inner_text()
    host.wait_for_selector("[data-conn].is-online")
    screen = laptop.new_page()
    screen.goto(host.url.replace("/host/", "/screen/"))
    screen.wait_for_selector("[data-conn].is-online")

    phones = []
    for username in ("member001", "member002"):
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        phone = sign_in(context, daphne_server, username)
        phone.click("[data-testid=join-card]")
        phone.fill("input[name=pin]", pin)
        phone.click("form button[type=submit]")
        phone.wait_for_selector("text=等待第一题")
        phones.append(phone)
    screen.wait_for_selector("[data-players]:text('2')")
    screenshot(screen, "contest-screen-lobby")

    host.click("[data-command=start]")
    for phone in phones:
        phone.wait_for_selector(".answer")
    screenshot(phones[0], "contest-phone-question")
    phones[0].locator(".answer", has_text="乙").click()  # right, and first
    phones[1].locator(".answer", has_text="甲").click()  # wrong
    for phone in phones:
        phone.wait_for_selector("[data-testid=submitted]")
    host.wait_for_selector("[data-answered]:text('2')")
    host.click("[data-command=close]")

    verdict = phones[0].locator("[data-testid=verdict]")
    verdict.wait_for()
    assert verdict.inner_text().startswith("回答正确")
    assert phones[1].locator("[data-testid=verdict]").inner_text().startswith("回答错误")
    screen.wait_for_selector("[data-testid=distribution]")
    board = screen.locator("[data-testid=scoreboard]").first
    board.wait_for()
    assert board.locator("li").first.inner_text().split("\n")[1] == "王建华"
    screenshot(screen, "contest-screen-reveal")
    screenshot(phones[0], "contest-phone-reveal")

    host.click("[data-command=next]")  # after the last question: finish
    podium = screen.locator("[data-testid=scoreboard]").last
    screen.wait_for_selector("text=竞赛已结束")
    assert "王建华" in podium.locator("li").first.inner_text()
    screenshot(screen, "contest-screen-podium")
    laptop.close()
