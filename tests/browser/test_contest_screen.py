"""The classic contest's big screen as a hall reads it from the back row: a projector
at 1920×1080 and at 1280×720. The host and the players are WebSocket clients (the
host by token, members by token, a guest by its guest token); the screen is the
real page in Chromium. Each view is measured (width used, font sizes, colours, no
overflow), asserted for what it must say, and photographed into test-artifacts/."""

import json
import re
import time
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from backend.accounts.models import Role
from contests import services

from ..factories import (
    PASSWORD,
    make_bank,
    make_branch,
    make_question,
    make_quiz,
    make_unit,
    make_user,
)
from .conftest import screenshot

pytestmark = pytest.mark.browser

# The phones' tile colours, position by position (app.css .answer:nth-child).
TILE_COLOURS = ["rgb(192, 57, 43)", "rgb(36, 99, 199)", "rgb(201, 138, 0)", "rgb(26, 127, 55)"]
ALLOWED_WORDS = {"PIN"}


class Client:
    """A contest socket of the test: reads in the background (websockets' own
    thread), ``until`` picks the next message of a type."""

    def __init__(self, base, pin, *, role, token=None, guest=None):
        url = urlsplit(base)
        query = f"role={role}" + (f"&guest={guest}" if guest else "")
        headers = {"Authorization": f"Token {token}"} if token else {}
        self.stack = ExitStack()
        self.ws = self.stack.enter_context(
            connect(
                f"ws://{url.netloc}/ws/contests/{pin}/?{query}",
                origin=base,
                additional_headers=headers,
                open_timeout=10,
            )
        )

    def send(self, message):
        self.ws.send(json.dumps(message))

    def until(self, kind, timeout=10.0, **match):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind} {match} within {timeout} s"
            message = json.loads(self.ws.recv(timeout=left))
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message

    def close(self):
        self.stack.close()


def _game(team: bool):
    """Host, four players (in the classic run one of them a guest), two questions:
    单选 (key B) and 判断 (key 正确)."""
    unit = make_unit("市委组织部")
    first = make_branch(unit, "机关第一党支部")
    second = make_branch(unit, "机关第二党支部")
    host = make_user(Role.SECRETARY, branch=first, username="secretary", display_name="陈秀英")
    names = [("王建华", first), ("李娜", first), ("张伟", second)]
    if team:
        names.append(("刘洋", second))
    members = [
        make_user(branch=b, username=f"member{i:03}", display_name=n)
        for i, (n, b) in enumerate(names, 1)
    ]
    bank = make_bank()
    questions = [
        make_question(
            bank,
            "single",
            stem="党的最高领导机关是（　）。",
            options=[
                "党的全国代表大会和它所产生的中央委员会",
                "党的全国代表大会",
                "中央政治局",
                "中央委员会",
            ],
        ),
        make_question(bank, "truefalse", stem="党员必须履行党员义务，行使党员权利。"),
    ]
    contest = services.contest_create(
        host=host,
        quiz=make_quiz(questions, title="学习二十大精神知识竞赛"),
        format="team" if team else "classic",
        allow_guests=not team,
        seconds_per_question=30,
    )
    tokens = {
        "host": Token.objects.create(user=host).key,
        "members": [Token.objects.create(user=m).key for m in members],
    }
    return contest, tokens


def _open_screen(browser, base, contest, size):
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    # Keep the page's sockets within reach, so that a test can cut them (going
    # offline does not close an open WebSocket).
    page.add_init_script(
        "window.__sockets = []; const Native = window.WebSocket;"
        "window.WebSocket = class extends Native {"
        " constructor(...args) { super(...args); window.__sockets.push(this); } };"
    )
    errors, console = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/accounts/login/?next=/contests/{contest.pk}/screen/")
    page.fill("input[name=username]", "secretary")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/contests/{contest.pk}/screen/")
    page.wait_for_selector("[data-conn].is-online")
    page.errors, page.console_errors = errors, console
    return context, page


def _box(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _text(page, selector):
    return page.locator(selector).first.inner_text()


def _style(locator, prop):
    return locator.evaluate(f"(n) => getComputedStyle(n)['{prop}']")


def _px(page, selector, prop="font-size"):
    value = page.locator(selector).first.evaluate(f"(n) => getComputedStyle(n)['{prop}']")
    return float(value.removesuffix("px"))


def _fits(page, size):
    """The view fills the width and nothing spills out of the frame."""
    view = page.locator(".scr-view:not([hidden])")
    box = view.bounding_box()
    assert box["width"] >= 0.9 * size["width"], box
    overflow = page.evaluate(
        """() => {
          const out = [];
          const {innerWidth: w, innerHeight: h} = window;
          for (const n of document.querySelectorAll('.scr-view:not([hidden]) *')) {
            const r = n.getBoundingClientRect();
            if (!r.width || !r.height) continue;
            const out_of_frame = r.right > w + 1 || r.bottom > h + 1 || r.left < -1;
            if (out_of_frame) out.push(n.className.baseVal ?? n.className);
          }
          return out;
        }"""
    )
    assert overflow == [], overflow
    assert page.evaluate("document.scrollingElement.scrollHeight") <= size["height"]


def _no_english(page, url_text=""):
    text = page.locator("[data-screen]").inner_text().replace(url_text, "")
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_WORDS
    assert not words, words


def _settle(page):
    """Let the entrance animations finish before a photo."""
    page.evaluate(
        "Promise.all(document.getAnimations()"
        ".filter((a) => a.effect.getTiming().iterations !== Infinity).map((a) => a.finished))"
    )


SIZES = {
    "1080p": {"width": 1920, "height": 1080},
    "720p": {"width": 1280, "height": 720},
}


@pytest.mark.parametrize(
    ("size_name", "team"), [("1080p", False), ("720p", False), ("1080p", True)]
)
def test_big_screen_reads_across_a_hall(daphne_server, browser, size_name, team):
    size = SIZES[size_name]
    scale = size["height"] / 1080  # the screen scales with the frame
    tag = f"{size_name}{'-team' if team else ''}"
    contest, tokens = _game(team)
    host = Client(daphne_server, contest.pin, role="host", token=tokens["host"])
    host.until("state")
    context, screen = _open_screen(browser, daphne_server, contest, size)

    # given four players in the lobby (in the classic run the last one a guest)
    players = []
    for token in tokens["members"]:
        player = Client(daphne_server, contest.pin, role="player", token=token)
        player.until("state")
        player.send({"type": "join"})
        player.until("state")
        players.append(player)
    if not team:
        guest = Client(daphne_server, contest.pin, role="player", guest="a" * 32)
        guest.until("state")
        guest.send({"type": "join", "nickname": "小刘"})
        guest.until("state")
        players.append(guest)
    first, second, third, fourth = players

    # then the lobby shows a large QR code, the address, the PIN, how to join, the count
    screen.wait_for_selector("[data-testid=screen-count]:text('4')")
    screen.wait_for_selector("[data-testid=screen-recent] li:nth-child(4)")
    qr = _box(screen, "[data-testid=screen-qr] svg")
    assert qr["height"] >= 0.5 * size["height"]
    url = screen.locator("[data-testid=screen-url]")
    assert url.inner_text() == f"{urlsplit(daphne_server).netloc}/join/{contest.pin}/"
    assert _px(screen, "[data-testid=screen-url]") >= 38 * scale
    assert _style(url, "color") == "rgb(31, 35, 41)"  # dark, not a grey hint
    assert contest.pin in screen.locator("[data-testid=screen-pin]").inner_text()
    assert _px(screen, "[data-testid=screen-pin] strong") >= 150 * scale
    assert "扫码或打开网址，输入 PIN 加入" in screen.locator(".scr-lobby__lead").inner_text()
    if not team:
        recent = screen.locator("[data-testid=screen-recent] li", has_text="小刘")
        assert "访客" in recent.inner_text()
    _fits(screen, size)
    _no_english(screen, url.inner_text())
    screenshot(screen, f"screen-{tag}-lobby")

    # when the host opens 单选: its number, kind, countdown, text and four coloured tiles
    host.send({"type": "start"})
    question = first.until("question")
    first.send({"type": "answer", "seq": 1, "choices": ["B"]})  # right, at once: full points
    screen.wait_for_selector("[data-testid=screen-question]:has-text('最高领导机关')")
    assert _text(screen, "[data-view=question] [data-testid=screen-seq]") == "第 1 / 2 题"
    assert _text(screen, "[data-view=question] [data-testid=screen-kind]") == "单选题"
    assert _px(screen, "[data-testid=screen-question]") >= 48 * scale
    tiles = screen.locator("[data-testid=screen-options] li")
    assert tiles.count() == 4
    for i, colour in enumerate(TILE_COLOURS):
        tile = tiles.nth(i)
        assert _style(tile, "backgroundColor") == colour
        assert tile.locator("svg.scr-shape").count() == 1
        assert float(_style(tile.locator(".scr-opt__text"), "fontSize")[:-2]) >= 26 * scale
    assert float(_style(tiles.nth(1).locator(".scr-opt__text"), "fontSize")[:-2]) >= 34 * scale
    shapes = [tiles.nth(i).locator("svg").inner_html() for i in range(4)]
    assert len(set(shapes)) == 4  # a shape of its own for each position
    countdown = screen.locator("[data-countdown]")
    assert 25 <= int(countdown.inner_text()) <= 30
    assert _px(screen, "[data-countdown]") >= 70 * scale
    assert _box(screen, "[data-testid=screen-countdown]")["height"] >= 150 * scale
    # the screen gets no progress: it shows no answered count rather than a wrong one
    assert screen.locator("[data-live-answered]").inner_text() == ""
    _fits(screen, size)
    _no_english(screen)
    screenshot(screen, f"screen-{tag}-question")

    # the first player right at once; the others wrong
    for player, choice in ((second, "A"), (third, "C"), (fourth, "A")):
        player.send({"type": "answer", "seq": 1, "choices": [choice]})
    for player in players:
        assert player.until("answer_ack")["accepted"]
    assert question["seq"] == 1

    # then the reveal: the key marked and written out, the distribution in the tiles' colours
    host.send({"type": "close"})
    screen.wait_for_selector("[data-testid=distribution]")
    key = screen.locator("[data-testid=screen-key]")
    assert "B. 党的全国代表大会" in key.inner_text()
    assert _px(screen, ".scr-key__text") >= 48 * scale
    columns = screen.locator("[data-testid=distribution] li")
    assert [columns.nth(i).get_attribute("data-count") for i in range(4)] == ["2", "1", "1", "0"]
    keyed = screen.locator("[data-testid=distribution] li.is-key")
    assert keyed.count() == 1 and keyed.get_attribute("data-key") == "B"
    assert keyed.locator(".scr-dist__check").count() == 1
    assert screen.locator("[data-testid=distribution] li.is-dim").count() == 3
    assert _style(columns.nth(2).locator(".scr-dist__bar"), "backgroundColor") == TILE_COLOURS[2]
    summary = _text(screen, "[data-testid=screen-summary]")
    assert summary.replace("\n", " ") == "4 人作答 1 人答对"
    _settle(screen)
    _fits(screen, size)
    _no_english(screen)
    screenshot(screen, f"screen-{tag}-reveal")

    # a key (a presenter's clicker) brings the board at once: no movement after question 1
    screen.keyboard.press("ArrowRight")
    board = screen.locator("[data-testid=scoreboard]")
    board.wait_for()
    assert board.locator("li").first.inner_text().split("\n")[1] == "王建华"
    assert screen.locator("[data-move]").count() == 0

    # when 判断 opens, its tiles read 正确/错误 (never the keys true/false)
    host.send({"type": "next"})
    screen.wait_for_selector("[data-testid=screen-question]:has-text('党员义务')")
    assert _text(screen, "[data-view=question] [data-testid=screen-kind]") == "判断题"
    tiles = screen.locator("[data-testid=screen-options] li")
    assert [tiles.nth(i).inner_text() for i in range(2)] == ["正确", "错误"]
    _no_english(screen)
    screenshot(screen, f"screen-{tag}-truefalse")

    # a pause covers the screen with 已暂停 and freezes the clock; a resume lifts it
    host.send({"type": "pause"})
    paused = screen.locator("[data-testid=screen-paused]")
    paused.wait_for()
    assert paused.inner_text() == "已暂停"
    frozen = countdown.inner_text()
    screenshot(screen, f"screen-{tag}-paused")
    screen.wait_for_timeout(1300)
    assert countdown.inner_text() == frozen
    host.send({"type": "resume"})
    paused.wait_for(state="hidden")

    # the second player right after some seconds (fewer points than the first's 1000 or so)
    for player in (first, third, fourth):
        player.send({"type": "answer", "seq": 2, "choices": ["false"]})
    time.sleep(1.5)
    second.send({"type": "answer", "seq": 2, "choices": ["true"]})
    for player in players:
        assert player.until("answer_ack", seq=2)["accepted"]
    host.send({"type": "close"})
    screen.wait_for_selector("[data-testid=screen-key]:has-text('正确')")
    assert "true" not in screen.locator("[data-view=reveal]").inner_text()
    labels = screen.locator("[data-testid=distribution] .scr-dist__label")
    assert [labels.nth(i).inner_text() for i in range(2)] == ["正确", "错误"]
    _no_english(screen)
    _settle(screen)
    screenshot(screen, f"screen-{tag}-reveal-truefalse")

    # then the board (by itself after a few seconds; the other runs press a key):
    # 1 王建华, 2 李娜, 3 the two without a point, who fell one place
    if size_name == "1080p" and not team:
        screen.wait_for_timeout(2000)
        assert screen.locator("[data-view=reveal]").is_visible()  # the reveal stays a while
    else:
        screen.keyboard.press("Enter")
    board.wait_for(timeout=15000)
    rows = board.locator("li")
    assert rows.count() == 4
    assert [rows.nth(i).get_attribute("data-rank") for i in range(4)] == ["1", "2", "3", "3"]
    assert rows.nth(0).locator(".scr-row__name").inner_text() == "王建华"
    assert rows.nth(1).locator(".scr-row__name").inner_text() == "李娜"
    assert rows.nth(2).locator("[data-move=down1]").count() == 1
    assert rows.nth(3).locator("[data-move=down1]").count() == 1
    assert rows.nth(1).locator("[data-move]").count() == 0  # 2nd (tied) → 2nd
    assert _px(screen, "[data-testid=scoreboard] .scr-row__name") >= 32 * scale
    if team:
        teams = screen.locator("[data-testid=screen-teams] li")
        assert teams.count() == 2
        assert {teams.nth(i).locator(".scr-row__name").inner_text() for i in range(2)} == {
            "机关第一党支部",
            "机关第二党支部",
        }
    else:
        assert "访客" in rows.filter(has_text="小刘").inner_text()
    _settle(screen)
    _fits(screen, size)
    _no_english(screen)
    screenshot(screen, f"screen-{tag}-board")

    # when the host finishes: a podium 2-1-3, ties standing together, the rest below
    host.send({"type": "next"})
    screen.wait_for_selector("text=竞赛已结束")
    if team:
        places = screen.locator("[data-testid=screen-team-podium] [data-testid=place]")
        assert places.count() == 2
        assert places.first.get_attribute("data-rank") == "1"
        assert screen.locator("[data-testid=screen-rest] li").count() == 4  # the best players
    else:
        places = screen.locator("[data-testid=podium] [data-testid=place]")
        assert places.count() == 3
        assert [places.nth(i).get_attribute("data-rank") for i in range(3)] == ["1", "2", "3"]
        assert "王建华" in places.nth(0).inner_text()
        assert "李娜" in places.nth(1).inner_text()
        shared = places.nth(2).locator(".scr-place__person")
        assert shared.count() == 2  # 张伟 and the guest share third place
        _settle(screen)
        blocks = places.locator(".scr-place__block")
        one, two, three = (blocks.nth(i).bounding_box() for i in range(3))
        assert two["x"] < one["x"] < three["x"]  # 2-1-3
        assert one["height"] > two["height"] > three["height"]
        assert _px(screen, "[data-testid=podium] .scr-place__name") >= 32 * scale
    _settle(screen)
    _fits(screen, size)
    _no_english(screen)
    screenshot(screen, f"screen-{tag}-podium")

    assert screen.errors == [] and screen.console_errors == []
    for client in (host, *players):
        client.close()
    context.close()


def test_big_screen_survives_a_reload_and_shows_a_lost_connection(daphne_server, browser):
    # given a game after its first reveal
    contest, tokens = _game(False)
    host = Client(daphne_server, contest.pin, role="host", token=tokens["host"])
    host.until("state")
    player = Client(daphne_server, contest.pin, role="player", token=tokens["members"][0])
    player.until("state")
    player.send({"type": "join"})
    player.until("state")
    context, screen = _open_screen(browser, daphne_server, contest, SIZES["1080p"])
    host.send({"type": "start"})
    player.until("question")
    player.send({"type": "answer", "seq": 1, "choices": ["B"]})
    player.until("answer_ack")
    host.send({"type": "close"})
    screen.wait_for_selector("[data-testid=distribution]")

    # when the screen reloads during the reveal, it shows the board it is given
    screen.reload()
    screen.wait_for_selector("[data-testid=scoreboard] li")
    assert _text(screen, "[data-testid=scoreboard] li .scr-row__name") == "王建华"

    # when the connection drops, a small status says so, and the view stays
    context.set_offline(True)
    screen.evaluate("() => window.__sockets.forEach((s) => s.close())")
    conn = screen.locator("[data-conn].is-down")
    conn.wait_for()
    assert conn.inner_text() == "连接中断，正在重连…"
    assert _px(screen, "[data-conn]") < 40  # visible, not in the way
    assert screen.locator("[data-testid=scoreboard] li").first.is_visible()
    screenshot(screen, "screen-1080p-offline")

    # and once it is back, it catches up with the question opened meanwhile
    host.send({"type": "next"})
    player.until("question", seq=2)
    context.set_offline(False)
    screen.wait_for_selector("[data-testid=screen-question]:has-text('党员义务')", timeout=20000)
    screen.wait_for_selector("[data-conn].is-online")

    # a reload during a pause shows the question under 已暂停, the clock blank until resumed
    host.send({"type": "pause"})
    screen.locator("[data-testid=screen-paused]").wait_for()
    screen.reload()
    screen.locator("[data-testid=screen-paused]").wait_for()
    assert "党员义务" in _text(screen, "[data-testid=screen-question]")
    assert _text(screen, "[data-countdown]") == ""
    host.send({"type": "resume"})
    screen.locator("[data-testid=screen-paused]").wait_for(state="hidden")
    assert 20 <= int(_text(screen, "[data-countdown]")) <= 30
    assert screen.errors == []
    host.close()
    player.close()
    context.close()


def test_big_screen_labels_each_kind_and_fits_a_full_board(daphne_server, browser):
    """多选 says so and marks every key, 填空 shows its blanks, six options take
    three columns; eleven players fill the top 10 and the podium's tie is counted.
    Only 选手01 and a latecomer score (the latecomer seconds after the opening, so
    fewer points): the ranks do not hang on how fast a loaded machine answers.
    In "question on the big screen only" mode the screen still has every text."""
    host_user = make_user(Role.SECRETARY, username="secretary")
    bank = make_bank()
    six = ["甲", "乙", "丙", "丁", "戊", "己"]
    questions = [
        make_question(bank, "multiple", stem="下列属于党的纪律的有（　）。"),
        make_question(bank, "fill", stem="党员年满（　）岁。"),
        make_question(bank, "single", stem="六个选项里哪一个是对的？", options=six),
    ]
    contest = services.contest_create(
        host=host_user,
        quiz=make_quiz(questions, title="党章知识竞赛"),
        allow_guests=True,
        question_on_screen_only=True,
        seconds_per_question=60,
    )
    host = Client(
        daphne_server, contest.pin, role="host", token=Token.objects.create(user=host_user).key
    )
    host.until("state")
    size = SIZES["720p"]
    context, screen = _open_screen(browser, daphne_server, contest, size)
    players = []
    for n in range(11):
        player = Client(daphne_server, contest.pin, role="player", guest=f"{n + 1:032x}")
        player.until("state")
        player.send({"type": "join", "nickname": f"选手{n + 1:02}"})
        player.until("state")
        players.append(player)
    screen.wait_for_selector("[data-testid=screen-count]:text('11')")

    # 多选: labelled, its four texts on the screen (the phones have none)
    host.send({"type": "start"})
    assert players[0].until("question")["text"] == ""
    screen.wait_for_selector("[data-testid=screen-question]:has-text('党的纪律')")
    assert (
        _text(screen, "[data-view=question] [data-testid=screen-kind]")
        == "多选题\n选出全部正确答案"
    )
    assert "甲" in _text(screen, "[data-testid=screen-options] li")
    for i, player in enumerate(players):
        player.send({"type": "answer", "seq": 1, "choices": ["A", "C"] if i == 0 else ["B"]})
    for player in players:
        assert player.until("answer_ack")["accepted"]
    host.send({"type": "close"})
    screen.wait_for_selector("[data-testid=distribution]")
    assert _text(screen, "[data-testid=screen-key] .scr-key__text") == "A. 甲　C. 丙"
    keyed = screen.locator("[data-testid=distribution] li.is-key")
    assert [keyed.nth(i).get_attribute("data-key") for i in range(keyed.count())] == ["A", "C"]
    # how many chose all the keys: the server counts it (one of eleven chose A and C)
    assert _text(screen, "[data-testid=screen-summary]") == "11 人作答\n1 人答对"
    _settle(screen)
    _fits(screen, size)
    screenshot(screen, "screen-720p-multiple-reveal")

    # then the board lists ten of the eleven, all inside the frame
    screen.keyboard.press("Enter")
    board = screen.locator("[data-testid=scoreboard] li")
    board.first.wait_for()
    assert board.count() == 10
    _settle(screen)
    _fits(screen, size)
    assert _px(screen, "[data-testid=scoreboard] .scr-row__name") >= 32 * size["height"] / 1080
    screenshot(screen, "screen-720p-board-10")

    # 填空: its blanks, then the key with its alternatives
    host.send({"type": "next"})
    screen.wait_for_selector("[data-testid=screen-question]:has-text('党员年满')")
    assert _text(screen, "[data-view=question] [data-testid=screen-kind]") == "填空题"
    assert screen.locator("[data-testid=screen-blanks] .scr-blank").count() == 1
    _fits(screen, size)
    screenshot(screen, "screen-720p-fill")
    # a latecomer joins during the question and, after 3 seconds, answers it right
    opened = time.monotonic()
    late = Client(daphne_server, contest.pin, role="player", guest="f" * 32)
    late.until("state")
    late.send({"type": "join", "nickname": "迟到的人"})
    late.until("state")
    players.append(late)
    time.sleep(max(0.0, 3 - (time.monotonic() - opened)))
    late.send({"type": "answer", "seq": 2, "blanks": ["十八"]})
    assert late.until("answer_ack", seq=2)["accepted"]
    host.send({"type": "close"})
    screen.wait_for_selector("[data-testid=screen-key]:has-text('十八 / 18')")
    assert screen.locator("[data-view=reveal] [data-testid=distribution]").count() == 0
    assert _text(screen, "[data-testid=screen-summary]") == "1 人作答\n1 人答对"
    _no_english(screen)
    screenshot(screen, "screen-720p-fill-reveal")

    # on the board the latecomer is new (second); those without a point fall one place
    screen.keyboard.press("Enter")
    newcomer = screen.locator("[data-testid=scoreboard] li", has_text="迟到的人")
    newcomer.wait_for()
    assert newcomer.get_attribute("data-rank") == "2"
    assert newcomer.locator("[data-move=new]").inner_text() == "新"
    zero = screen.locator("[data-testid=scoreboard] li", has_text="选手06")
    assert zero.locator("[data-move=down1]").count() == 1  # 2nd (tied) → 3rd (tied)
    _settle(screen)
    screenshot(screen, "screen-720p-board-new")

    # six options: three columns of two rows, every one in the frame
    host.send({"type": "next"})
    screen.wait_for_selector("[data-testid=screen-question]:has-text('六个选项')")
    tiles = screen.locator("[data-testid=screen-options] li")
    assert tiles.count() == 6
    tops = {round(tiles.nth(i).bounding_box()["y"]) for i in range(6)}
    assert len(tops) == 2
    _fits(screen, size)
    screenshot(screen, "screen-720p-six-options")

    # the end: 选手01 first, the latecomer second, ten tie for third: the podium names
    # three of them and counts the others. This projector asks for reduced motion: the
    # podium stands at once.
    screen.emulate_media(reduced_motion="reduce")
    host.send({"type": "end"})
    screen.wait_for_selector("text=竞赛已结束")
    assert screen.evaluate("document.getAnimations().length") == 0
    places = screen.locator("[data-testid=podium] [data-testid=place]")
    assert [places.nth(i).get_attribute("data-rank") for i in range(3)] == ["1", "2", "3"]
    assert "选手01" in places.nth(0).inner_text()
    assert "迟到的人" in places.nth(1).inner_text()
    assert places.nth(2).locator(".scr-place__person").count() == 3
    assert _text(screen, "[data-testid=place-more]") == "另有 7 人并列"
    assert screen.locator("[data-testid=screen-rest]").count() == 0  # nobody below third
    _settle(screen)
    _fits(screen, size)
    screenshot(screen, "screen-720p-podium-ties")
    assert screen.errors == [] and screen.console_errors == []
    for client in (host, *players):
        client.close()
    context.close()


def test_big_screen_countdown_turns_urgent_and_a_voided_question_says_so(daphne_server, browser):
    # given a question of 6 seconds on the screen
    host_user = make_user(Role.SECRETARY, username="secretary")
    question = make_question(make_bank(), "single", stem="党的最高领导机关是（　）。")
    contest = services.contest_create(
        host=host_user, quiz=make_quiz([question], title="快问快答"), seconds_per_question=6
    )
    host = Client(
        daphne_server, contest.pin, role="host", token=Token.objects.create(user=host_user).key
    )
    host.until("state")
    context, screen = _open_screen(browser, daphne_server, contest, SIZES["1080p"])
    host.send({"type": "start"})
    screen.wait_for_selector("[data-testid=screen-question]")
    timer = screen.locator("[data-testid=screen-countdown]")
    assert "is-urgent" not in timer.get_attribute("class")

    # when 5 seconds are left the countdown turns red
    screen.wait_for_selector("[data-testid=screen-countdown].is-urgent", timeout=5000)
    assert _style(timer, "color") == "rgb(181, 18, 27)"
    assert int(_text(screen, "[data-countdown]")) <= 5
    screenshot(screen, "screen-1080p-urgent")

    # and when the time is up the server reveals: the host voided it meanwhile, nobody answered
    host.send({"type": "void", "seq": 1})
    voided = screen.locator("[data-testid=screen-voided]")
    voided.wait_for(timeout=10000)
    assert voided.inner_text().split("\n") == ["本题作废", "本题不计分"]
    assert screen.locator("[data-testid=screen-key]").count() == 0
    assert screen.locator("[data-testid=distribution] li.is-key").count() == 0
    assert _text(screen, "[data-testid=screen-summary]") == "无人作答"
    _settle(screen)
    screenshot(screen, "screen-1080p-voided")
    assert screen.errors == [] and screen.console_errors == []
    host.close()
    context.close()
