"""An on-stage contest (现场赛) in Chromium: a unit admin opens it from the form for
two branches, a phone on each branch joins as its team's captain, the big screen
follows; one phone buzzes too early (penalised), the host opens the buzzer, both
phones buzz, the screen names the first, the judge marks it right, and every page
shows the new scores; then 必答 and 风险题 with a correction from the audit log."""

import pytest

from backend.accounts.models import Role
from contests import services

from ..factories import make_bank, make_branch, make_question, make_quiz, make_unit, make_user
from .conftest import PHONE, screenshot
from .test_contest import sign_in

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms: generous, a shared CI machine may be slow
FIRST, SECOND = "机关第一党支部", "机关第二党支部"


def score_of(page, team: str, points: int):
    """Waits until ``page``'s score cards show ``points`` for ``team``."""
    selector = f"[data-scores] [data-team='{team}'] [data-testid=team-score]:text-is('{points}')"
    page.wait_for_selector(selector, timeout=WAIT)


def test_a_buzzer_question_on_stage(daphne_server, browser):
    unit = make_unit("市委组织部")
    first, second = make_branch(unit, FIRST), make_branch(unit, SECOND)
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin", display_name="张主任")
    make_user(branch=first, username="member001", display_name="王建华")
    make_user(branch=second, username="member002", display_name="李娜")
    bank = make_bank()
    stem = "第{}题：党的最高领导机关是（　）。"
    questions = [make_question(bank, "single", stem=stem.format(n)) for n in (1, 2, 3)]
    make_quiz(questions, title="党章知识现场赛")

    # the host opens the contest from the form: a 抢答 round for the two branches
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    host = sign_in(laptop, daphne_server, "unitadmin", "/contests/")
    errors: list[str] = []
    host.on("pageerror", lambda e: errors.append(str(e)))
    host.click("[data-testid=stage-form] summary")
    host.fill("input[name=stage-title]", "机关党建知识竞赛决赛")
    host.select_option("select[name=stage-quiz]", label="党章知识现场赛")
    host.check(f"label.check:has-text('{FIRST}') input")
    host.check(f"label.check:has-text('{SECOND}') input")
    host.fill("input[name=stage-bida]", "0")
    host.fill("input[name=stage-qiangda]", "2")
    host.fill("input[name=stage-risk]", "0")
    host.fill("input[name=stage-reserve]", "1")
    host.click("[data-testid=stage-form] button[type=submit]")
    host.wait_for_url("**/host/")
    pin = host.locator("[data-testid=pin]").inner_text()
    host.wait_for_selector("[data-conn].is-online", timeout=WAIT)
    host.wait_for_selector(f"[data-teams] th:text-is('{FIRST}')", timeout=WAIT)

    screen = laptop.new_page()
    screen.on("pageerror", lambda e: errors.append(str(e)))
    screen.goto(host.url.replace("/host/", "/screen/"))
    screen.wait_for_selector("[data-conn].is-online", timeout=WAIT)

    phones = []
    for username in ("member001", "member002"):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        phone = sign_in(context, daphne_server, username, f"/join/{pin}/")
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.wait_for_selector("[data-testid=my-role]:text-is('队长')", timeout=WAIT)
        phones.append(phone)
    a, b = phones
    assert a.locator("[data-testid=my-team]").inner_text() == FIRST
    assert b.locator("[data-testid=my-team]").inner_text() == SECOND
    host.wait_for_selector("[data-players]:text-is('2')", timeout=WAIT)
    screen.wait_for_selector("[data-players]:text-is('2')", timeout=WAIT)
    screenshot(a, "stage-phone-lobby")
    screenshot(screen, "stage-screen-lobby")

    # 开始: the question shows; the buzzer waits for the host's signal
    host.click("[data-command=start]")
    for phone in phones:
        phone.wait_for_selector("[data-testid=buzz].is-waiting", timeout=WAIT)
        assert "等待主持人" in phone.locator("[data-testid=buzz]").inner_text()
    screen.wait_for_selector("[data-buzzer].is-waiting", timeout=WAIT)
    screen.wait_for_selector("text=第1题：党的最高领导机关是", timeout=WAIT)
    host.wait_for_selector("[data-testid=judge-key]:has-text('B')", timeout=WAIT)
    assert host.locator("[data-command=judge]").first.is_disabled()
    screenshot(a, "stage-phone-reading")

    # a buzz before the signal costs the early-buzz penalty
    b.locator("[data-testid=buzz]").click()
    b.wait_for_selector("[data-testid=buzz-note]:has-text('抢答过早，扣分')", timeout=WAIT)
    for page in (a, b, screen, host):
        score_of(page, SECOND, 90)
    screenshot(b, "stage-phone-early")

    # 请抢答: both captains buzz, the first one first
    host.click("[data-command=open_buzzer]")
    for phone in phones:
        phone.wait_for_selector("[data-testid=buzz].is-open", timeout=WAIT)
    screen.wait_for_selector("[data-buzzer].is-open", timeout=WAIT)
    screenshot(a, "stage-phone-open")
    a.locator("[data-testid=buzz]").click()
    b.locator("[data-testid=buzz]").click(force=True)  # too late if the floor is decided already

    screen.wait_for_selector("[data-buzzer].is-won", timeout=WAIT)
    assert screen.locator("[data-buzzer] [data-buzzer-text]").inner_text() == f"{FIRST} 抢到"
    a.wait_for_selector("[data-testid=buzz].is-won:has-text('你队抢到了')", timeout=WAIT)
    b.wait_for_selector(f"[data-testid=buzz].is-lost:has-text('{FIRST} 抢到')", timeout=WAIT)
    host.wait_for_selector(f"[data-testid=turn]:has-text('{FIRST} 抢到')", timeout=WAIT)
    margin = screen.locator("[data-testid=buzzer-sub]").inner_text()
    assert margin == "" or (margin.startswith("领先 ") and margin.endswith(" 毫秒")), margin
    screenshot(screen, "stage-screen-won")
    screenshot(a, "stage-phone-won")
    screenshot(b, "stage-phone-lost")

    # the judge marks the spoken answer right: +10 everywhere
    host.click("[data-command=judge][data-result=right]")
    for page in (a, b, screen, host):
        score_of(page, FIRST, 110)
        score_of(page, SECOND, 90)
    a.wait_for_selector("[data-testid=my-score]:text-is('110')", timeout=WAIT)
    b.wait_for_selector("[data-testid=my-score]:text-is('90')", timeout=WAIT)
    screen.wait_for_selector("[data-testid=correct]:has-text('B')", timeout=WAIT)
    host.wait_for_selector("[data-audit] tr:has-text('答对')", timeout=WAIT)
    screenshot(a, "stage-phone-verdict")
    screenshot(b, "stage-phone-verdict-other")
    screenshot(screen, "stage-screen-verdict")
    screenshot(host, "stage-host-verdict")

    # the host ends the contest (two presses): the final ranking, then the results
    host.click("[data-command=end]")
    host.click("[data-command=end]")
    winner = f"[data-testid=final] li:first-child:has-text('{FIRST}')"
    screen.wait_for_selector(winner, timeout=WAIT)
    a.wait_for_selector("[data-testid=final]", timeout=WAIT)
    screenshot(screen, "stage-screen-final")
    screenshot(a, "stage-phone-final")
    host.click("[data-results-link] a")
    host.wait_for_url("**/results/")
    audit = host.locator("[data-testid=audit]").inner_text()
    assert "答对" in audit and "裁判" in audit and FIRST in audit
    assert errors == []
    laptop.close()
    for phone in phones:
        phone.context.close()


def test_compulsory_and_risk_rounds_with_a_correction(daphne_server, browser):
    """必答: each team answers its own question on the captain's phone (graded at
    once); 风险题: the leader stakes 20 before its question shows, the judge marks
    it wrong (−20), then corrects the decision to right (+20)."""
    unit = make_unit("市委组织部")
    first, second = make_branch(unit, FIRST), make_branch(unit, SECOND)
    host_user = make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin")
    make_user(branch=first, username="member001", display_name="王建华")
    make_user(branch=second, username="member002", display_name="李娜")
    bank = make_bank()
    quiz = make_quiz([make_question(bank, "single") for _ in range(4)], title="现场赛题库")
    contest = services.contest_create_stage(
        host=host_user,
        quiz=quiz,
        title="必答与风险题",
        teams=[{"branch": first.pk}, {"branch": second.pk}],
        rounds=[{"format": "bida", "count": 2}, {"format": "risk", "count": 1}],
        reserve=0,
    )

    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    host = sign_in(laptop, daphne_server, "unitadmin", f"/contests/{contest.pk}/host/")
    errors: list[str] = []
    host.on("pageerror", lambda e: errors.append(str(e)))
    host.wait_for_selector("[data-conn].is-online", timeout=WAIT)
    screen = laptop.new_page()
    screen.on("pageerror", lambda e: errors.append(str(e)))
    screen.goto(f"{daphne_server}/contests/{contest.pk}/screen/")
    screen.wait_for_selector("[data-conn].is-online", timeout=WAIT)
    phones = []
    for username in ("member001", "member002"):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        phone = sign_in(context, daphne_server, username, f"/join/{contest.pin}/")
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.wait_for_selector("[data-testid=my-role]:text-is('队长')", timeout=WAIT)
        phones.append(phone)
    a, b = phones
    host.wait_for_selector("[data-players]:text-is('2')", timeout=WAIT)

    # 必答 1: the first team's turn; the other team's phone is locked
    host.click("[data-command=start]")
    a.wait_for_selector("[data-answer-area] .answer", timeout=WAIT)
    b.wait_for_selector(f"[data-turn]:has-text('{FIRST} 正在作答')", timeout=WAIT)
    assert b.locator("[data-answer-area]").is_hidden()
    screen.wait_for_selector(f"[data-order] li.is-turn:has-text('{FIRST}')", timeout=WAIT)
    screenshot(a, "stage-phone-bida")
    a.locator("[data-answer-area] .answer", has_text="乙").click()  # right: +10
    for page in (a, b, screen):
        score_of(page, FIRST, 110)

    # 必答 2: the second team answers wrong (0 in this round)
    host.click("[data-command=next]")
    b.wait_for_selector("[data-answer-area] .answer", timeout=WAIT)
    b.locator("[data-answer-area] .answer", has_text="甲").click()
    b.wait_for_selector("[data-testid=notice]:has-text('答错')", timeout=WAIT)
    host.wait_for_selector("[data-audit] tr:has-text('自动判分')", timeout=WAIT)

    # 风险题: the leader stakes first; the question shows once staked
    host.click("[data-command=next]")
    a.wait_for_selector("[data-stake='20']", timeout=WAIT)
    b.wait_for_selector(f"[data-turn]:has-text('{FIRST} 正在选择分值')", timeout=WAIT)
    screen.wait_for_selector("text=选定分值后显示题目", timeout=WAIT)
    screenshot(a, "stage-phone-stake")
    a.click("[data-stake='20']")
    a.wait_for_selector("[data-testid=stake-taken]:has-text('20')", timeout=WAIT)
    host.wait_for_selector("[data-host-stake]:has-text('20')", timeout=WAIT)
    screen.wait_for_selector("[data-question] .stage-q__text", timeout=WAIT)
    assert "20" not in screen.locator("[data-testid=buzzer-sub]").inner_text()  # hidden still
    host.wait_for_selector("[data-command=judge][data-result=wrong]:enabled", timeout=WAIT)
    host.click("[data-command=judge][data-result=wrong]")
    for page in (a, b, screen, host):
        score_of(page, FIRST, 90)
    screen.wait_for_selector(
        f"[data-testid=buzzer-sub]:has-text('{FIRST} 选择 20 分')", timeout=WAIT
    )
    screenshot(screen, "stage-screen-risk")

    # the judge corrects the decision from the audit log: −20 becomes +20
    row = host.locator("[data-audit] tr", has_text="风险题").first
    row.locator("button", has_text="答对").click()
    for page in (a, b, screen, host):
        score_of(page, FIRST, 130)
    host.wait_for_selector("[data-audit] tr:has-text('更正')", timeout=WAIT)
    screenshot(host, "stage-host-correction")
    screenshot(a, "stage-phone-correction")
    assert errors == []
    laptop.close()
    for phone in phones:
        phone.context.close()
