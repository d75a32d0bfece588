"""The host console of a classic live contest (issue 12, items 4 and 6): its buttons
follow the phase, the lock shows its state (and a locked lobby refuses a join), the
end asks twice, the answered count starts again at every question, the roster kicks,
and voiding or correcting a question recounts the board the host sees.

Players here are plain WebSockets opened from signed-in browser contexts (the
player's page has tests of its own): what they send is exactly what a phone sends.
"""

import json
import re
import secrets

import pytest
from django.test import Client
from playwright.sync_api import expect

from backend.accounts.models import Role
from contests.services import contest_create

from ..factories import (
    make_bank,
    make_branch,
    make_question,
    make_quiz,
    make_unit,
    make_user,
)
from ..text_words import english_words
from .conftest import screenshot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
SMALL_PHONE = {"width": 360, "height": 640}

OPEN_SOCKET = """
async ([pin, guest, nickname]) => {
  window.msgs = [];
  const query = guest ? `&guest=${guest}` : "";
  const ws = new WebSocket(`ws://${location.host}/ws/contests/${pin}/?role=player${query}`);
  window.ws = ws;
  ws.onmessage = (event) => window.msgs.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  ws.send(JSON.stringify(nickname ? { type: "join", nickname } : { type: "join" }));
}
"""


def signed_in(context, base, user):
    """``context`` with a session of ``user`` (as after signing in on the form)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context


class Player:
    """A phone's contest socket in a browser context of its own (its session)."""

    def __init__(self, browser, base, pin, *, user=None, nickname=None):
        self.context = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN")
        if user:
            signed_in(self.context, base, user)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/healthz")  # a page of the site: the socket's origin
        guest = None if user else secrets.token_hex(16)
        self.page.evaluate(OPEN_SOCKET, [pin, guest, nickname])

    def wait_for(self, predicate: str):
        """Waits until a message the socket got matches ``predicate`` (JS, ``m``)."""
        self.page.wait_for_function(f"() => window.msgs.some((m) => {predicate})")

    def joined(self):
        self.wait_for("m.type === 'state' && m.you")
        return self

    def answer(self, seq, *choices):
        self.page.evaluate(
            "([seq, choices]) => window.ws.send(JSON.stringify({type: 'answer', seq, choices}))",
            [seq, list(choices)],
        )
        self.wait_for(f"m.type === 'answer_ack' && m.seq === {seq} && m.accepted")


def open_console(browser, base, contest, viewport, *, sockets=None):
    """The console signed in as the host; ``sockets`` (a list): its contest socket
    runs through a route that records what the page sends (``page.inject(message)``
    then plays the server)."""
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        is_mobile=viewport["width"] < 500,
        has_touch=viewport["width"] < 500,
    )
    signed_in(context, base, contest.host)
    page = context.new_page()
    if sockets is not None:

        def route(ws):
            server = ws.connect_to_server()
            ws.on_message(
                lambda message: (sockets.append(json.loads(message)), server.send(message))
            )
            page.inject = lambda message: ws.send(json.dumps(message))

        page.route_web_socket(re.compile(r"/ws/contests/"), route)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/contests/{contest.pk}/host/")
    page.wait_for_selector("[data-conn].is-online")
    page.errors = errors
    return page


def shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar where it belongs
    screenshot(page, name)


def assert_chinese(page, *names):
    words = english_words(page.inner_text("body"), allow=names)
    assert words == [], f"English on the host console: {words}"


def command(page, name):
    return page.locator(f"[data-controls] [data-command={name}]")


def expect_phase(page, label):
    expect(page.locator("[data-phase]")).to_have_text(label)


def expect_only(page, *enabled, shown=()):
    """Exactly ``enabled`` of the phase commands can be pressed; those ``shown`` are
    visible but disabled, the rest hidden and disabled."""
    for name in ("start", "close", "pause", "resume", "next", "end"):
        button = command(page, name)
        if name in enabled:
            expect(button).to_be_visible()
            expect(button).to_be_enabled()
        elif name in shown:
            expect(button).to_be_visible()
            expect(button).to_be_disabled()
        else:
            expect(button).to_be_hidden()
            expect(button).to_be_disabled()


@pytest.fixture
def hall(transactional_db):
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    secretary = make_user(
        Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英"
    )
    members = [
        make_user(branch=branch, username="member001", display_name="王建华"),
        make_user(branch=branch, username="member002", display_name="李娜"),
    ]
    bank = make_bank()
    quiz = make_quiz(
        [
            make_question(bank, "single", stem="党的最高领导机关是（　）。"),
            make_question(bank, "truefalse", stem="党员必须履行党员义务。"),
        ],
        title="党章知识竞赛",
    )
    contest = contest_create(host=secretary, quiz=quiz, allow_guests=True, seconds_per_question=60)
    return contest, members


def test_the_console_follows_the_game(daphne_server, browser, hall):
    contest, (wang, li) = hall
    host = open_console(browser, daphne_server, contest, LAPTOP)

    # given an empty lobby: only 开始 (disabled: nobody is in) and the lock
    expect_phase(host, "等待开始")
    expect_only(host, shown=["start"])
    lock = host.locator("[data-host] [data-command=lock]")
    expect(lock).to_have_attribute("aria-pressed", "false")
    expect(lock).to_have_text("房间开放")
    assert_chinese(host)

    # the lock shows its state, keeps it over a reload, and refuses a join
    lock.click()
    expect(lock).to_have_attribute("aria-pressed", "true")
    expect(lock).to_have_text("房间已锁定")
    host.reload()
    host.wait_for_selector("[data-conn].is-online")
    expect(host.locator("[data-host] [data-command=lock]")).to_have_attribute(
        "aria-pressed", "true"
    )
    refused = Player(browser, daphne_server, contest.pin, user=wang)
    refused.wait_for("m.type === 'error' && m.code === 'locked'")
    assert not refused.page.evaluate("window.msgs.some((m) => m.type === 'state' && m.you)")
    expect(host.locator("[data-host] [data-testid=players]")).to_have_text("0")
    expect_only(host, shown=["start"])
    refused.context.close()

    host.locator("[data-host] [data-command=lock]").click()
    expect(host.locator("[data-host] [data-command=lock]")).to_have_attribute(
        "aria-pressed", "false"
    )
    players = [
        Player(browser, daphne_server, contest.pin, user=wang).joined(),
        Player(browser, daphne_server, contest.pin, user=li).joined(),
        Player(browser, daphne_server, contest.pin, nickname="小明").joined(),
    ]

    # the roster: names, branches, the guest badge; searchable
    roster = host.locator("[data-host] [data-roster] li")
    expect(roster).to_have_count(3)
    expect(host.locator("[data-host] [data-testid=players]")).to_have_text("3")
    expect(host.locator("[data-host] [data-joined-count]")).to_have_text("3")
    expect(roster.filter(has_text="小明").locator(".badge--guest")).to_have_text("访客")
    expect(roster.filter(has_text="王建华")).to_contain_text("机关第一党支部")
    host.fill("[data-host] [data-search]", "李")
    expect(roster).to_have_count(1)
    host.fill("[data-host] [data-search]", "")
    expect(roster).to_have_count(3)
    expect_only(host, "start")
    shot(host, "host-laptop-lobby")
    assert_chinese(host, "小明")

    # a question: close, pause and end; 下一题 cannot be pressed mid-question
    command(host, "start").click()
    expect_phase(host, "答题中")
    expect_only(host, "close", "pause", "end")
    expect(host.locator("[data-host] [data-number]")).to_have_text("第 1/2 题")
    expect(host.locator("[data-host] [data-question]")).to_contain_text("党的最高领导机关是")
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("0 / 3 人已答")
    players[0].answer(1, "B")  # right
    players[1].answer(1, "A")  # wrong
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("2 / 3 人已答")
    expect(host.locator("[data-host] [data-meter]")).to_have_attribute("aria-valuenow", "2")

    command(host, "pause").click()
    expect_phase(host, "已暂停")
    expect_only(host, "resume", "end")
    command(host, "resume").click()
    expect_phase(host, "答题中")
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("2 / 3 人已答")

    command(host, "close").click()
    expect_phase(host, "已揭晓")
    expect_only(host, "next", "end")
    expect(command(host, "next")).to_have_text("下一题")
    key = host.locator("[data-host] [data-question] li.is-key")
    expect(key).to_have_count(1)
    expect(key).to_have_attribute("data-key", "B")
    expect(key).to_contain_text("正确答案")
    expect(
        host.locator("[data-host] [data-question] li[data-key=A] [data-testid=count]")
    ).to_have_text("1")
    expect(host.locator("[data-host] [data-board] li").first).to_contain_text("王建华")
    shot(host, "host-laptop-reveal")
    assert_chinese(host, "小明")

    # correct Q1's key to A: 李娜 leads
    host.click("[data-host] [data-rescore='1']")
    host.click("[data-host] [data-choice=A]")
    expect(host.locator("[data-host] [data-choice=A]")).to_have_attribute("aria-pressed", "true")
    expect(host.locator("[data-host] [data-choice=B]")).to_have_attribute("aria-pressed", "false")
    shot(host, "host-laptop-rescore")
    host.click("[data-host] [data-rescore-confirm='1']")
    expect(host.locator("[data-host] [data-notice]")).to_contain_text("第 1 题已更正")
    expect(host.locator("[data-host] [data-board] li").first).to_contain_text("李娜")
    assert int(host.locator("[data-host] [data-board] .board__score").first.inner_text()) > 0
    expect(host.locator("[data-host] [data-history] li[data-seq='1']")).to_contain_text("已更正")
    expect(host.locator("[data-host] [data-question] li.is-key")).to_have_attribute("data-key", "A")

    # void Q1, which asks twice: nobody keeps a point
    void = host.locator("[data-host] [data-void='1']")
    void.click()
    expect(void).to_have_text("再按一次作废")
    void.click()
    expect(host.locator("[data-host] [data-notice]")).to_contain_text("第 1 题已作废")
    expect(host.locator("[data-host] [data-history] li[data-seq='1']")).to_contain_text("已作废")
    host.wait_for_function(
        "() => [...document.querySelectorAll('[data-board] .board__score')]"
        ".every((s) => s.textContent === '0')"
    )
    expect(host.locator("[data-host] [data-void='1']")).to_be_disabled()

    # a reload keeps what the host saw: the reveal, its key, the corrections
    host.reload()
    host.wait_for_selector("[data-conn].is-online")
    expect_phase(host, "已揭晓")
    expect_only(host, "next", "end")
    expect(host.locator("[data-host] [data-question] li.is-key")).to_have_attribute("data-key", "A")
    expect(host.locator("[data-host] [data-history] li[data-seq='1']")).to_contain_text("已作废")
    expect(host.locator("[data-host] [data-board] li")).to_have_count(3)
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("2 / 3 人已答")

    # the next question: the answered count starts again at 0
    command(host, "next").click()
    expect_phase(host, "答题中")
    expect(host.locator("[data-host] [data-number]")).to_have_text("第 2/2 题")
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("0 / 3 人已答")
    expect(host.locator("[data-host] [data-meter]")).to_have_attribute("aria-valuenow", "0")
    expect(
        host.locator("[data-host] [data-history] li[data-seq='1'] button").first
    ).to_be_disabled()

    # kick 李娜 from the roster: twice
    kick = host.locator(f"[data-kick='u{li.pk}']")
    kick.click()
    expect(kick).to_have_text("再按一次移出")
    expect(roster).to_have_count(3)
    kick.click()
    expect(roster).to_have_count(2)
    expect(host.locator("[data-host] [data-roster]")).not_to_contain_text("李娜")
    expect(host.locator("[data-host] [data-testid=players]")).to_have_text("2")
    players[1].wait_for("m.type === 'error' && m.code === 'kicked'")

    players[0].answer(2, "true")
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("1 / 2 人已答")
    command(host, "close").click()
    expect_phase(host, "已揭晓")
    expect(command(host, "next")).to_have_text("查看最终排名")
    expect(host.locator("[data-host] [data-question] li.is-key")).to_contain_text("正确")

    # the end asks twice
    end = command(host, "end")
    end.click()
    expect(end).to_have_text("再按一次结束竞赛")
    expect_phase(host, "已揭晓")
    end.click()
    expect_phase(host, "已结束")
    expect_only(host)
    expect(host.locator("[data-host] [data-command=lock]")).to_be_hidden()
    expect(host.locator("[data-host] [data-final]")).to_contain_text("王建华")
    results = host.locator("[data-host] [data-testid=results-link]")
    expect(results).to_have_attribute("href", f"/contests/{contest.pk}/results/")
    expect(host.locator("[data-host] [data-final] a[href='/contests/']")).to_be_visible()
    shot(host, "host-laptop-finished")
    assert_chinese(host, "小明")

    # a reload after the end still says so, with the way on
    host.reload()
    expect_phase(host, "已结束")
    expect(host.locator("[data-host] [data-testid=results-link]")).to_be_visible()
    assert host.errors == []
    for player in players:
        player.context.close()
    host.context.close()


def test_the_console_on_a_small_phone(daphne_server, browser, hall):
    contest, _members = hall
    sent = []
    host = open_console(browser, daphne_server, contest, SMALL_PHONE, sockets=sent)
    players = [
        Player(browser, daphne_server, contest.pin, nickname="小明").joined(),
        Player(browser, daphne_server, contest.pin, nickname="小红").joined(),
    ]
    roster = host.locator("[data-host] [data-roster] li")
    expect(roster).to_have_count(2)

    # a roster of 500 (played by the route): it scrolls inside its card, and search finds one
    crowd = [
        {
            "player": f"u{9000 + i}",
            "name": f"参赛者{i:03d}",
            "branch": f"第{i % 40}党支部",
            "guest": False,
        }
        for i in range(500)
    ]
    host.inject({"type": "lobby", "players": 500, "recent": [], "roster": crowd})
    expect(roster).to_have_count(500)
    expect(host.locator("[data-host] [data-testid=players]")).to_have_text("500")
    box = host.locator("[data-host] [data-roster]")
    assert box.evaluate("(list) => list.scrollHeight > list.clientHeight + 1000")
    assert box.bounding_box()["height"] <= 640
    assert host.evaluate("document.documentElement.scrollWidth") <= 360
    host.fill("[data-host] [data-search]", "参赛者420")
    expect(roster).to_have_count(1)
    host.fill("[data-host] [data-search]", "第7党支部")
    expect(roster).to_have_count(13)  # 7, 47, … 487
    host.fill("[data-host] [data-search]", "参赛者420")
    # a refusal from the server is shown in Chinese: this player is not in the real room
    kick = host.locator("[data-host] [data-kick=u9420]")
    kick.click()
    kick.click()
    expect(host.locator("[data-host] [data-notice]")).to_have_text("没有这名参赛者。")
    assert {"type": "kick", "player": "u9420"} in sent
    host.reload()  # the server's own roster again
    host.wait_for_selector("[data-conn].is-online")
    expect(roster).to_have_count(2)
    start = command(host, "start")
    expect(start).to_be_enabled()
    box = start.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert host.evaluate("document.documentElement.scrollWidth") <= 360
    shot(host, "host-phone-lobby")

    start.click()
    expect_phase(host, "答题中")
    players[0].answer(1, "B")
    expect(host.locator("[data-host] [data-progress]")).to_contain_text("1 / 2 人已答")
    shot(host, "host-phone-question")
    command(host, "close").click()
    expect_phase(host, "已揭晓")
    expect(host.locator("[data-host] [data-history-card]")).to_be_visible()
    for selector in (
        "[data-controls] button:visible",
        "[data-history] button:visible",
        "[data-roster] button:visible",
        "[data-command=lock]",
    ):
        for handle in host.locator(selector).all():
            assert handle.bounding_box()["height"] >= 44, selector
    assert host.evaluate("document.documentElement.scrollWidth") <= 360
    shot(host, "host-phone-reveal")
    assert_chinese(host, "小明", "小红")

    end = command(host, "end")
    end.click()
    expect_phase(host, "已揭晓")
    end.click()
    expect_phase(host, "已结束")
    shot(host, "host-phone-finished")
    assert host.errors == []
    for player in players:
        player.context.close()
    host.context.close()
