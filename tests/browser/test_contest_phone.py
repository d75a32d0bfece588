"""The player's phone in a classic live contest, on a 360×640 screen: what it shows
and what it does with the answer, through a reload, a cut network, a refusal and
the end. The host is driven through its own WebSocket (the protocol), so that these
tests look only at the phone."""

import json
import re

import pytest
from django.test import Client

from backend.accounts.models import Role
from contests import services

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .proxy import CuttableProxy

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms: generous, a shared CI machine may be slow
SMALL_PHONE = {"width": 360, "height": 640}


# --- the room --------------------------------------------------------------------------


def make_room(
    kinds, *, screen_only=False, seconds=60, members=("王建华",), guests=False, format="classic"
):
    """A secretary's classic contest of questions of ``kinds``; returns it and its members."""
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    secretary = make_user(Role.SECRETARY, branch=branch, display_name="陈秀英")
    players = [make_user(branch=branch, display_name=name) for name in members]
    bank = make_bank()
    stems = {
        "single": "党的最高领导机关是（　）。",
        "multiple": "党的纪律包括（　）。",
        "truefalse": "党员必须履行党员义务。",
        "fill": "年满（　）岁的中国工人、农民可以申请入党。",
    }
    questions = [
        make_question(bank, kind, stem=f"{i}. {stems[kind]}") for i, kind in enumerate(kinds, 1)
    ]
    quiz = make_quiz(questions, title="党章知识竞赛")
    contest = services.contest_create(
        host=secretary,
        quiz=quiz,
        question_on_screen_only=screen_only,
        allow_guests=guests,
        format=format,
        seconds_per_question=seconds,
    )
    return contest, secretary, players


def session_cookie(user, base):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


class Host:
    """The host's commands over the contest socket, from a page of the host's session."""

    def __init__(self, browser, base, secretary, pin):
        self.context = browser.new_context(locale="zh-CN")
        self.context.add_cookies([session_cookie(secretary, base)])
        self.page = self.context.new_page()
        self.page.goto(f"{base}/healthz")
        self.page.evaluate(
            """pin => new Promise((resolve, reject) => {
                window.hostLog = [];
                window.hostWs = new WebSocket(`ws://${location.host}/ws/contests/${pin}/?role=host`);
                hostWs.onmessage = (e) => hostLog.push(JSON.parse(e.data));
                hostWs.onopen = resolve;
                hostWs.onerror = reject;
            })""",
            pin,
        )

    def send(self, message):
        self.page.evaluate("m => hostWs.send(JSON.stringify(m))", message)

    def wait_for(self, predicate_js):
        """Waits until a message of the host's log satisfies ``m => …``."""
        self.page.wait_for_function(f"() => hostLog.some({predicate_js})", timeout=WAIT)

    def count(self, kind):
        return self.page.evaluate(
            f"() => hostLog.filter(m => m.type === {json.dumps(kind)}).length"
        )

    def close(self):
        self.context.close()


def answers_in(host):
    """How many answers the host's console has counted for the open question."""
    return host.page.evaluate(
        "() => Math.max(0, ...hostLog.filter(m => m.type === 'progress').map(m => m.answered))"
    )


def new_phone(browser, base, user=None):
    """A 360×640 phone, signed in as ``user`` (a guest without)."""
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    if user is not None:
        context.add_cookies([session_cookie(user, base)])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    return page


def stage_text(page):
    return page.locator("[data-stage]").inner_text()


def assert_no_english(page):
    """Neither what the phone shows now nor the texts its script may show later
    (the page's templates) has an English word."""
    shown = page.locator("body").inner_text()
    assert english_words(shown) == [], shown
    later = visible_text(page.content())
    assert english_words(later) == [], later


def tile(page, label):
    return page.locator(".tile", has_text=label)


def open_question(host, phone, seq):
    """The host opens question ``seq`` (starts the game for the first) and the phone shows it."""
    host.send({"type": "start"} if seq == 1 else {"type": "next"})
    phone.wait_for_selector(f".play-q__no:has-text('第 {seq} 题')", timeout=WAIT)


def close_question(host, phone):
    count = host.count("reveal")
    host.send({"type": "close"})
    host.wait_for(f"m => m.type === 'reveal' && m.seq >= {count + 1}")
    phone.wait_for_selector("[data-testid=verdict]", timeout=WAIT)


# --- the tests -------------------------------------------------------------------------


def test_screen_only_tiles_say_which_is_which_and_the_reveal_says_what_happened(
    daphne_server, browser
):
    # given a contest whose questions are read on the big screen only
    contest, secretary, (member,) = make_room(["truefalse", "single", "single"], screen_only=True)
    host = Host(browser, daphne_server, secretary, contest.pin)
    phone = new_phone(browser, daphne_server, member)
    phone.goto(f"{daphne_server}/join/{contest.pin}/")
    phone.wait_for_selector("text=等待第一题", timeout=WAIT)
    assert phone.locator("[data-testid=you]").inner_text().startswith("王建华")

    # 判断 on the big screen only: two tiles labelled 正确/错误, each with its shape
    open_question(host, phone, 1)
    assert "判断题" in phone.locator("[data-testid=kind]").inner_text()
    assert "请看大屏幕" in stage_text(phone)
    assert tile(phone, "正确").count() == 1 and tile(phone, "错误").count() == 1
    assert phone.locator(".tile .shape").count() == 2
    assert_no_english(phone)
    screenshot(phone, "phone-screen-only-truefalse")

    # a tap marks the choice (the other fades) and says it is in
    tile(phone, "错误").click()
    phone.wait_for_selector(
        "[data-testid=submitted]:text-is('答案已提交，等待揭晓…')", timeout=WAIT
    )
    assert "is-chosen" in tile(phone, "错误").get_attribute("class")
    assert "is-faded" in tile(phone, "正确").get_attribute("class")
    assert all(b.is_disabled() for b in phone.locator(".tile").all())
    screenshot(phone, "phone-answered")

    # the reveal: the key marked, the own wrong choice marked as such, the verdict
    close_question(host, phone)
    assert phone.locator("[data-testid=verdict]").inner_text().startswith("回答错误")
    assert "is-key" in tile(phone, "正确").get_attribute("class")
    wrong = tile(phone, "错误")
    assert "is-wrong" in wrong.get_attribute("class")
    assert wrong.locator("[data-testid=my-choice]").inner_text() == "你的选择"
    assert phone.locator("[data-testid=correct]").inner_text() == "正确答案：正确"
    assert phone.locator("[data-testid=submitted]").count() == 0
    you = phone.locator("[data-testid=you]").inner_text()
    assert you.startswith("王建华") and "得分 0" in you and "第 1 名" in you
    assert_no_english(phone)
    screenshot(phone, "phone-reveal-wrong")

    # 单选 on the big screen only: letters, shapes and four colours
    open_question(host, phone, 2)
    letters = [t.inner_text() for t in phone.locator(".tile .tile__letter").all()]
    assert letters == ["A", "B", "C", "D"]
    colours = {
        t.evaluate("b => getComputedStyle(b).backgroundColor") for t in phone.locator(".tile").all()
    }
    assert len(colours) == 4
    assert phone.locator(".tile .shape").count() == 4
    screenshot(phone, "phone-screen-only-single")
    phone.locator(".tile[data-key=B]").click()
    phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
    close_question(host, phone)
    verdict = phone.locator("[data-testid=verdict]").inner_text()
    assert verdict.startswith("回答正确") and re.search(r"\+\d+ 分", verdict), verdict
    assert phone.locator("[data-testid=streak]").count() == 0  # one right is no streak yet

    # two right in a row: 连对 2 题
    open_question(host, phone, 3)
    phone.locator(".tile[data-key=B]").click()
    phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
    close_question(host, phone)
    phone.wait_for_selector("[data-testid=streak]:text-is('连对 2 题')", timeout=WAIT)
    screenshot(phone, "phone-reveal-streak")

    # the end: the own result, and a way on
    host.send({"type": "next"})
    phone.wait_for_selector("[data-testid=final]", timeout=WAIT)
    assert phone.locator("[data-testid=final-rank]").inner_text() == "1"
    assert int(phone.locator("[data-testid=final-score]").inner_text()) > 0
    my_contests = phone.locator("[data-testid=my-contests]")
    assert my_contests.inner_text() == "我的竞赛"
    assert my_contests.get_attribute("href") == "/me/contests/"
    assert phone.locator("a.play-big", has_text="首页").count() == 1
    assert phone.locator(".tile").count() == 0
    assert_no_english(phone)
    screenshot(phone, "phone-final")
    assert not phone.js_errors
    host.close()


def test_multiple_choice_and_fill_in_are_labelled_and_submitted(daphne_server, browser):
    # (in the team format: the phone is the same, the end adds the teams' places)
    contest, secretary, (member,) = make_room(["multiple", "fill"], format="team")
    host = Host(browser, daphne_server, secretary, contest.pin)
    phone = new_phone(browser, daphne_server, member)
    phone.goto(f"{daphne_server}/join/{contest.pin}/")
    phone.wait_for_selector("text=等待第一题", timeout=WAIT)

    # 多选: the kind says how, the count follows the taps, 提交 waits for a choice
    open_question(host, phone, 1)
    kind = phone.locator("[data-testid=kind]").inner_text()
    assert kind == "多选题：选出全部正确答案后点提交"
    picked = phone.locator("[data-testid=picked]")
    submit = phone.locator("[data-testid=submit]")
    assert picked.inner_text() == "已选 0 项" and submit.is_disabled()
    tile(phone, "甲").click()
    assert picked.inner_text() == "已选 1 项" and not submit.is_disabled()
    # the host pauses: the tiles wait, the phone says why; the choices stay
    host.send({"type": "pause"})
    paused = phone.locator("[data-testid=paused]")
    paused.wait_for(timeout=WAIT)
    assert paused.inner_text() == "主持人已暂停，请稍候"
    assert all(b.is_disabled() for b in phone.locator(".tile").all()) and submit.is_disabled()
    screenshot(phone, "phone-paused")
    host.send({"type": "resume"})
    phone.wait_for_selector(".tile:not([disabled])", timeout=WAIT)
    assert paused.count() == 0 and picked.inner_text() == "已选 1 项"
    tile(phone, "丙").click()
    assert picked.inner_text() == "已选 2 项"
    assert "is-chosen" in tile(phone, "丙").get_attribute("class")
    box = submit.bounding_box()  # big, and in reach without scrolling
    assert box["height"] >= 44 and box["y"] + box["height"] <= SMALL_PHONE["height"]
    assert_no_english(phone)
    screenshot(phone, "phone-multiple")
    submit.click()
    phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
    close_question(host, phone)
    assert phone.locator("[data-testid=verdict]").inner_text().startswith("回答正确")
    assert "is-key" in tile(phone, "甲").get_attribute("class")

    # 填空: labelled too; the reveal gives the accepted answers
    open_question(host, phone, 2)
    assert phone.locator("[data-testid=kind]").inner_text().startswith("填空题：")
    phone.fill(".live__blank", "十八")
    phone.locator("[data-testid=submit]").click()
    phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
    assert phone.locator(".live__blank").is_disabled()
    screenshot(phone, "phone-fill")
    close_question(host, phone)
    assert phone.locator("[data-testid=verdict]").inner_text().startswith("回答正确")
    phone.wait_for_selector("[data-testid=streak]:text-is('连对 2 题')", timeout=WAIT)
    assert "十八" in phone.locator("[data-testid=correct]").inner_text()
    assert_no_english(phone)
    screenshot(phone, "phone-fill-reveal")

    host.send({"type": "next"})
    teams = phone.locator("[data-testid=teams]")
    teams.wait_for(timeout=WAIT)
    assert "机关第一党支部" in teams.inner_text()
    assert phone.locator("[data-testid=final-right]").inner_text() == "2/2 题"
    screenshot(phone, "phone-final-teams")
    assert not phone.js_errors
    host.close()


def test_a_reload_or_a_second_tab_shows_the_answer_given(daphne_server, browser):
    contest, secretary, (member,) = make_room(["single"])
    host = Host(browser, daphne_server, secretary, contest.pin)
    phone = new_phone(browser, daphne_server, member)
    phone.goto(f"{daphne_server}/join/{contest.pin}/")
    phone.wait_for_selector("text=等待第一题", timeout=WAIT)
    # the same member in a second tab (the chat app opened the link again)
    other = phone.context.new_page()
    other.goto(phone.url)
    other.wait_for_selector("text=等待第一题", timeout=WAIT)

    open_question(host, phone, 1)
    other.wait_for_selector(".tile:not([disabled])", timeout=WAIT)
    tile(phone, "乙").click()
    phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)

    # a reload mid-question: answered, the choice marked, nothing live
    phone.reload()
    phone.wait_for_selector(".tile[data-key=B].is-chosen", timeout=WAIT)
    assert all(b.is_disabled() for b in phone.locator(".tile").all())
    assert phone.locator("[data-testid=submitted]").count() == 1
    screenshot(phone, "phone-reload-answered")

    # the other tab's tap is a duplicate: it shows the answered state, not nothing
    tile(other, "丙").click()
    other.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
    assert all(b.is_disabled() for b in other.locator(".tile").all())

    close_question(host, phone)
    assert phone.locator("[data-testid=verdict]").inner_text().startswith("回答正确")
    assert not phone.js_errors
    host.close()


def test_a_refused_join_shows_only_the_refusal_and_a_way_back(daphne_server, browser):
    names = ("王建华", "李娜", "张伟")
    contest, secretary, (member, late, later) = make_room(["single", "single"], members=names)
    host = Host(browser, daphne_server, secretary, contest.pin)
    phone = new_phone(browser, daphne_server, member)
    phone.goto(f"{daphne_server}/join/{contest.pin}/")
    phone.wait_for_selector("text=等待第一题", timeout=WAIT)

    # the host locks the room in the lobby: nobody else gets in
    host.send({"type": "lock", "locked": True})
    host.wait_for("m => m.type === 'state' && m.locked")
    outsider = new_phone(browser, daphne_server, later)
    outsider.goto(f"{daphne_server}/join/{contest.pin}/")
    outsider.locator("[data-testid=refusal]").wait_for(timeout=WAIT)
    assert "锁定" in outsider.locator("[data-testid=refusal]").inner_text()
    assert outsider.locator("[data-testid=you]").is_hidden()
    outsider.context.close()

    # and once it has started, a late joiner is refused while a question is open
    open_question(host, phone, 1)
    latecomer = new_phone(browser, daphne_server, late)
    latecomer.goto(f"{daphne_server}/join/{contest.pin}/")
    refusal = latecomer.locator("[data-testid=refusal]")
    refusal.wait_for(timeout=WAIT)
    assert "房间已锁定" in refusal.inner_text()
    assert latecomer.locator(".tile").count() == 0
    assert latecomer.locator(".is-online").count() == 0
    assert latecomer.locator("a.play-big", has_text="输入 PIN").get_attribute("href") == "/join/"
    assert latecomer.locator("a.play-big", has_text="首页").count() == 1
    assert_no_english(latecomer)
    screenshot(latecomer, "phone-refused-locked")

    # a player the host removes sees the same: the refusal, a way back
    host.send({"type": "kick", "player": f"u{member.pk}"})
    phone.wait_for_selector("[data-testid=refusal]:has-text('移出')", timeout=WAIT)
    assert phone.locator(".tile").count() == 0
    assert phone.locator(".is-online").count() == 0
    screenshot(phone, "phone-refused-kicked")
    assert not phone.js_errors and not latecomer.js_errors
    host.close()


def test_an_answer_tapped_while_the_network_is_cut_is_sent_on_reconnect(daphne_server, browser):
    contest, secretary, (member,) = make_room(["single", "single"])
    host = Host(browser, daphne_server, secretary, contest.pin)
    with CuttableProxy(daphne_server) as proxy:
        phone = new_phone(browser, daphne_server, member)
        phone.goto(f"{proxy.url}/join/{contest.pin}/")
        phone.wait_for_selector("text=等待第一题", timeout=WAIT)
        open_question(host, phone, 1)

        # the network goes for 10 s mid-question: the phone says so, the tiles look off
        proxy.cut()
        phone.wait_for_selector("[data-conn].is-down", timeout=WAIT)
        phone.wait_for_selector("[data-live].is-offline", timeout=WAIT)
        tile(phone, "乙").click()
        queued = phone.locator("[data-testid=queued]")
        queued.wait_for(timeout=WAIT)
        assert queued.inner_text() == "网络中断，答案将在重连后发送"
        assert "is-chosen" in tile(phone, "乙").get_attribute("class")
        screenshot(phone, "phone-offline-queued")
        phone.wait_for_timeout(10_000)
        assert answers_in(host) == 0  # nothing went through the cut

        # back: the answer goes, the server takes it, the phone says so
        proxy.restore()
        phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
        host.wait_for("m => m.type === 'progress' && m.answered === 1")  # and the room counts it
        phone.wait_for_selector("[data-conn].is-online", timeout=WAIT)
        assert phone.locator("[data-live].is-offline").count() == 0
        close_question(host, phone)
        assert phone.locator("[data-testid=verdict]").inner_text().startswith("回答正确")

        # a tap in a cut that outlasts the question is not dropped silently either
        open_question(host, phone, 2)
        proxy.cut()
        phone.wait_for_selector("[data-conn].is-down", timeout=WAIT)
        tile(phone, "乙").click()
        phone.locator("[data-testid=queued]").wait_for(timeout=WAIT)
        host.send({"type": "close"})
        host.wait_for("m => m.type === 'reveal' && m.seq === 2")
        proxy.restore()
        lost = phone.locator("[data-testid=lost]")
        lost.wait_for(timeout=WAIT)
        assert lost.inner_text() == "断网期间本题已结束，答案未能送达"
        screenshot(phone, "phone-offline-lost")
        assert not phone.js_errors
    host.close()


def test_an_answer_on_a_socket_that_went_silent_is_sent_again(daphne_server, browser):
    """A network gone without a word: the socket stays "open", nothing passes. The
    phone waits for the ack a few seconds, dials again and sends the answer then."""
    contest, secretary, (member,) = make_room(["single"])
    host = Host(browser, daphne_server, secretary, contest.pin)
    with CuttableProxy(daphne_server) as proxy:
        phone = new_phone(browser, daphne_server, member)
        phone.goto(f"{proxy.url}/join/{contest.pin}/")
        phone.wait_for_selector("text=等待第一题", timeout=WAIT)
        open_question(host, phone, 1)

        proxy.stall()
        tile(phone, "乙").click()
        phone.locator("[data-testid=sending]").wait_for(timeout=WAIT)
        # no ack: after a few seconds the phone gives the socket up and says so
        phone.locator("[data-testid=queued]").wait_for(timeout=WAIT)
        phone.wait_for_selector("[data-conn].is-down", timeout=WAIT)
        assert answers_in(host) == 0
        proxy.restore()
        phone.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
        host.wait_for("m => m.type === 'progress' && m.answered === 1")  # and the room counts it
        close_question(host, phone)
        assert phone.locator("[data-testid=verdict]").inner_text().startswith("回答正确")
        assert not phone.js_errors
    host.close()


def test_a_guest_chooses_a_free_nickname_and_plays(daphne_server, browser):
    contest, secretary, (member,) = make_room(["truefalse"], guests=True)
    host = Host(browser, daphne_server, secretary, contest.pin)
    phone = new_phone(browser, daphne_server, member)
    phone.goto(f"{daphne_server}/join/{contest.pin}/")
    phone.wait_for_selector("text=等待第一题", timeout=WAIT)

    guest = new_phone(browser, daphne_server)
    guest.goto(f"{daphne_server}/join/{contest.pin}/")
    form = guest.locator("[data-nickname]")
    form.wait_for(timeout=WAIT)
    assert guest.locator("[data-testid=you]").is_hidden()
    # a member's name is taken: the phone says so and asks again
    form.locator("input[name=nickname]").fill("王建华")
    form.locator("button[type=submit]").click()
    guest.wait_for_selector("[data-nickname] .form__error:has-text('昵称')", timeout=WAIT)
    form.wait_for(timeout=WAIT)
    assert_no_english(guest)
    screenshot(guest, "phone-guest-nickname-taken")
    form.locator("input[name=nickname]").fill("小红")
    form.locator("button[type=submit]").click()
    guest.wait_for_selector("text=等待第一题", timeout=WAIT)
    assert guest.locator("[data-testid=you]").inner_text().startswith("小红")
    assert form.is_hidden()

    # 判断 with its texts: 正确/错误, no letters
    open_question(host, guest, 1)
    assert [t.inner_text() for t in guest.locator(".tile .tile__text").all()] == ["正确", "错误"]
    assert guest.locator(".tile .tile__letter").count() == 0
    tile(guest, "正确").click()
    guest.wait_for_selector("[data-testid=submitted]", timeout=WAIT)
    close_question(host, guest)
    assert guest.locator("[data-testid=verdict]").inner_text().startswith("回答正确")
    assert guest.locator("[data-testid=correct]").inner_text() == "正确答案：正确"
    assert_no_english(guest)
    assert not guest.js_errors
    host.close()
