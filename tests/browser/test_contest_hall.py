"""
A whole classic contest as a hall lives it (issue 12's acceptance): a secretary
hosts from the console on a laptop, the big screen runs on a 1920×1080 projector,
three members and a guest play on 360×640 phones, and a fourth member comes too
late. The questions are read on the big screen only; the game has 单选, 多选, 判断
and 填空; the host locks the lobby, pauses, corrects a key and voids a question;
one phone reloads mid-question and another loses its network for 10 s through a
proxy the test controls (Playwright's ``set_offline`` leaves an open WebSocket
alone). At the end the phones, the big screen's podium, the results page and the
results API all give every player the same score.

Every page is screenshotted at each step (``test-artifacts/hall-*.png``) and its
rendered text is checked for English words.
"""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from backend.accounts.models import Role
from contests import services

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from ..text_words import english_words
from .conftest import screenshot
from .proxy import CuttableProxy

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms: a shared two-core CI machine may be slow
PHONE = {"width": 360, "height": 640}
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}
MEMBERS = ("王建华", "李娜", "张伟")
GUEST = "小刘"
NAMES = (*MEMBERS, GUEST, "陈秀英", "赵敏")


def session_cookie(user, base):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def context(browser, viewport, *, user=None, base=None):
    small = viewport["width"] < 500
    ctx = browser.new_context(viewport=viewport, is_mobile=small, has_touch=small, locale="zh-CN")
    if user is not None:
        ctx.add_cookies([session_cookie(user, base)])
    return ctx


def watched(page):
    """``page`` with its script errors collected in ``page.js_errors``."""
    page.js_errors = []
    page.on("pageerror", lambda e: page.js_errors.append(str(e)))
    return page


def look(page, name):
    """A screenshot, and no English word in what the page shows now."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"hall-{name}")
    words = english_words(page.locator("body").inner_text(), allow=NAMES)
    assert words == [], f"{name}: English on the page: {words}"


def command(host, name):
    return host.locator(f"[data-host] [data-command={name}]")


def tile(phone, key):
    return phone.locator(f".tile[data-key='{key}']")


def answered(phone):
    phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)


def question_on(phone, seq):
    phone.wait_for_selector(f".play-q__no:has-text('第 {seq} 题')", timeout=WAIT)


def test_a_whole_classic_game_in_a_hall(daphne_server, browser):
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    secretary = make_user(Role.SECRETARY, branch=branch, display_name="陈秀英")
    members = [make_user(branch=branch, display_name=name) for name in MEMBERS]
    latecomer = make_user(branch=branch, display_name="赵敏")
    bank = make_bank()
    quiz = make_quiz(
        [
            make_question(bank, "single", stem="党的最高领导机关是（　）。"),  # key B
            make_question(bank, "multiple", stem="党的纪律包括（　）。"),  # key A, C
            make_question(bank, "truefalse", stem="党员必须履行党员义务。"),  # key 正确
            make_question(bank, "fill", stem="年满（　）岁可以申请入党。"),  # 十八
        ],
        title="党章知识竞赛",
    )
    contest = services.contest_create(
        host=secretary,
        quiz=quiz,
        allow_guests=True,
        question_on_screen_only=True,
        seconds_per_question=90,
    )
    base = daphne_server
    proxy = CuttableProxy(base).start()
    try:
        _play(browser, base, proxy, contest, secretary, members, latecomer)
    finally:
        proxy.stop()


def _play(browser, base, proxy, contest, secretary, members, latecomer):
    pin = contest.pin
    # the host's console on the laptop, the big screen on the projector
    laptop = context(browser, LAPTOP, user=secretary, base=base)
    host = watched(laptop.new_page())
    host.goto(f"{base}/contests/{contest.pk}/host/")
    host.wait_for_selector("[data-conn].is-online", timeout=WAIT)
    expect(host.locator("[data-phase]")).to_have_text("等待开始")
    expect(command(host, "start")).to_be_disabled()  # nobody in yet
    projector = context(browser, PROJECTOR, user=secretary, base=base)
    screen = watched(projector.new_page())
    screen.goto(f"{base}/contests/{contest.pk}/screen/")
    screen.wait_for_selector("[data-conn].is-online", timeout=WAIT)

    # three members (张伟's phone on a network the test can cut) and a guest join
    phones = {}
    for member in members:
        through = proxy.url if member.display_name == "张伟" else base
        phone = watched(context(browser, PHONE, user=member, base=through).new_page())
        phone.goto(f"{through}/join/{pin}/")
        phones[member.display_name] = phone
    guest = watched(context(browser, PHONE).new_page())
    guest.goto(f"{base}/join/{pin}/")
    guest.fill("[data-nickname] input[name=nickname]", GUEST)
    guest.click("[data-nickname] button[type=submit]")
    phones[GUEST] = guest
    for name, phone in phones.items():
        phone.wait_for_selector("text=等待第一题", timeout=WAIT)
        expect(phone.locator("[data-testid=you]")).to_contain_text(name)
    expect(screen.locator("[data-testid=screen-count]")).to_contain_text("4", timeout=WAIT)
    expect(host.locator("[data-host] [data-roster] li")).to_have_count(4, timeout=WAIT)
    look(screen, "screen-lobby")
    look(phones["王建华"], "phone-lobby")
    look(host, "host-lobby")

    # the host locks the lobby: a member who comes now is refused, and sees only that
    lock = command(host, "lock")
    lock.click()
    expect(lock).to_have_attribute("aria-pressed", "true", timeout=WAIT)
    late = watched(context(browser, PHONE, user=latecomer, base=base).new_page())
    late.goto(f"{base}/join/{pin}/")
    refusal = late.locator("[data-testid=refusal]")
    refusal.wait_for(timeout=WAIT)
    assert "锁定" in refusal.inner_text()
    assert late.locator(".tile").count() == 0
    assert late.locator("[data-conn].is-online").count() == 0
    look(late, "phone-refused")
    expect(screen.locator("[data-testid=screen-count]")).to_contain_text("4")

    # Q1 单选, read on the big screen only; the host pauses and resumes
    command(host, "start").click()
    for phone in phones.values():
        question_on(phone, 1)
    expect(screen.locator("[data-testid=screen-question]")).to_contain_text("最高领导机关")
    assert "请看大屏幕" in phones["王建华"].locator("[data-stage]").inner_text()
    assert "最高领导机关" not in phones["王建华"].locator("[data-stage]").inner_text()
    expect(command(host, "next")).to_be_disabled()
    look(screen, "screen-question")
    look(phones["王建华"], "phone-question")
    tile(phones["王建华"], "B").click()
    answered(phones["王建华"])
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("1 / 4", timeout=WAIT)
    look(host, "host-question")
    command(host, "pause").click()
    expect(host.locator("[data-phase]")).to_have_text("已暂停", timeout=WAIT)
    screen.locator("[data-testid=screen-paused]").wait_for(timeout=WAIT)
    phones["李娜"].locator("[data-testid=paused]").wait_for(timeout=WAIT)
    look(screen, "screen-paused")
    command(host, "resume").click()
    expect(host.locator("[data-phase]")).to_have_text("答题中", timeout=WAIT)
    for name, key in (("李娜", "A"), ("张伟", "B"), (GUEST, "C")):
        phones[name].wait_for_selector(".tile:not([disabled])", timeout=WAIT)
        tile(phones[name], key).click()
        answered(phones[name])
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("4 / 4", timeout=WAIT)
    command(host, "close").click()
    for phone in phones.values():
        phone.wait_for_selector("[data-testid=verdict]", timeout=WAIT)
    assert phones["王建华"].locator("[data-testid=verdict]").inner_text().startswith("回答正确")
    assert phones["李娜"].locator("[data-testid=verdict]").inner_text().startswith("回答错误")
    assert "is-wrong" in tile(phones["李娜"], "A").get_attribute("class")
    assert phones["李娜"].locator("[data-testid=submitted]").count() == 0
    screen.locator("[data-testid=distribution]").wait_for(timeout=WAIT)
    expect(screen.locator("[data-testid=screen-key]")).to_contain_text("B")
    look(screen, "screen-reveal")
    look(phones["李娜"], "phone-reveal-wrong")
    screen.locator("[data-testid=scoreboard]").wait_for(timeout=WAIT)
    look(screen, "screen-board")

    # Q2 多选: labelled, counted, submitted; 王建华 reloads after answering
    command(host, "next").click()
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("0 / 4", timeout=WAIT)
    for phone in phones.values():
        question_on(phone, 2)
    wang = phones["王建华"]
    assert wang.locator("[data-testid=kind]").inner_text() == "多选题：选出全部正确答案后点提交"
    tile(wang, "A").click()
    tile(wang, "C").click()
    expect(wang.locator("[data-testid=picked]")).to_have_text("已选 2 项")
    look(wang, "phone-multiple")
    wang.locator("[data-testid=submit]").click()
    answered(wang)
    wang.reload()
    wang.wait_for_selector(".tile[data-key=A].is-chosen", timeout=WAIT)
    assert "is-chosen" in tile(wang, "C").get_attribute("class")
    assert all(t.is_disabled() for t in wang.locator(".tile").all())
    answered(wang)
    look(wang, "phone-reloaded")
    for name, keys in (("李娜", "A"), ("张伟", "AC")):
        for key in keys:
            tile(phones[name], key).click()
        phones[name].locator("[data-testid=submit]").click()
        answered(phones[name])
    command(host, "close").click()  # the guest did not answer
    phones[GUEST].wait_for_selector("[data-testid=verdict]", timeout=WAIT)
    assert phones[GUEST].locator("[data-testid=verdict]").inner_text().startswith("未作答")

    # Q3 判断: 张伟's network goes for 10 s; the tap waits and goes when it is back
    command(host, "next").click()
    for phone in phones.values():
        question_on(phone, 3)
    zhang = phones["张伟"]
    proxy.cut()
    zhang.wait_for_selector("[data-conn].is-down", timeout=WAIT)
    zhang.locator(".tile", has_text="正确").click()
    zhang.locator("[data-testid=queued]").wait_for(timeout=WAIT)
    look(zhang, "phone-offline")
    for name, label in (("王建华", "错误"), ("李娜", "正确"), (GUEST, "正确")):
        phones[name].locator(".tile", has_text=label).click()
        answered(phones[name])
    zhang.wait_for_timeout(10_000)
    proxy.restore()
    answered(zhang)
    zhang.wait_for_selector("[data-conn].is-online", timeout=WAIT)
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("4 / 4", timeout=WAIT)
    command(host, "close").click()
    zhang.wait_for_selector("[data-testid=verdict]", timeout=WAIT)
    assert zhang.locator("[data-testid=verdict]").inner_text().startswith("回答正确")
    expect(screen.locator("[data-testid=screen-key]")).to_contain_text("正确", timeout=WAIT)
    look(screen, "screen-reveal-truefalse")

    # Q4 填空
    command(host, "next").click()
    for phone in phones.values():
        question_on(phone, 4)
    for name, text in (("王建华", "十八"), ("李娜", "18"), ("张伟", "十九"), (GUEST, "十八")):
        phones[name].fill(".live__blank", text)
        phones[name].locator("[data-testid=submit]").click()
        answered(phones[name])
    command(host, "close").click()
    for phone in phones.values():
        phone.wait_for_selector("[data-testid=verdict]", timeout=WAIT)
    assert phones["张伟"].locator("[data-testid=verdict]").inner_text().startswith("回答错误")
    look(phones["王建华"], "phone-reveal-fill")

    # the host corrects Q1's key to A and voids Q2; the board follows, and so does
    # 李娜's own line on her phone (she chose A)
    li_before = phones["李娜"].locator("[data-testid=you]").inner_text()
    host.click("[data-host] [data-rescore='1']")
    host.click("[data-host] [data-choice=A]")
    host.click("[data-host] [data-rescore-confirm='1']")
    expect(host.locator("[data-host] [data-notice]")).to_contain_text("第 1 题已更正", timeout=WAIT)
    expect(phones["李娜"].locator("[data-testid=you]")).not_to_have_text(li_before, timeout=WAIT)
    void = host.locator("[data-host] [data-void='2']")
    void.click()
    expect(void).to_have_text("再按一次作废")
    void.click()
    expect(host.locator("[data-host] [data-notice]")).to_contain_text("第 2 题已作废", timeout=WAIT)
    look(host, "host-corrected")

    # the end asks twice
    end = command(host, "end")
    end.click()
    expect(host.locator("[data-phase]")).not_to_have_text("已结束")
    end.click()
    expect(host.locator("[data-phase]")).to_have_text("已结束", timeout=WAIT)
    screen.locator("[data-testid=podium]").wait_for(timeout=WAIT)
    for phone in phones.values():
        phone.wait_for_selector("[data-testid=final]", timeout=WAIT)
    screen.wait_for_timeout(1500)  # the podium's rise
    look(screen, "screen-podium")
    look(phones["李娜"], "phone-final")
    look(host, "host-finished")
    assert phones["李娜"].locator("[data-testid=my-contests]").count() == 1

    # one truth: the phones' final scores, the results API and the results page
    finals = {
        name: int(phone.locator("[data-testid=final-score]").inner_text())
        for name, phone in phones.items()
    }
    response = host.request.get(f"{base}/api/v1/contests/{contest.pk}/results/")
    assert response.ok, response.text()
    api = {row["name"]: row["score"] for row in response.json()["ranking"]}
    assert api == finals, (api, finals)
    # Q1 rescored to A: 李娜 was right there; Q2 void: nobody keeps its points
    assert finals["李娜"] > 0
    host.goto(f"{base}/contests/{contest.pk}/results/")
    page_text = host.locator("main").inner_text()
    for name, score in finals.items():
        assert re.search(rf"{name}[^\n]*\n?[^\n]*\b{score}\b", page_text), (name, score)
    look(host, "host-results")
    top = screen.locator("[data-testid=place][data-rank='1']").inner_text()
    best = max(finals.values())
    assert str(best) in top
    for page in (host, screen, late, *phones.values()):
        assert page.js_errors == [], page.js_errors
