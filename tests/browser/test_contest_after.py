"""After the game, on a 360×640 phone (issue 12, item 8): "我的竞赛" lists the
past contests with rank, score and right answers; a reload of the join page after
the end shows the own result with the tab bar and the ways on; the host's results
page shows right answers of the asked and of the answered apart. No English word,
no sideways scrolling."""

import pytest

from ..contests.test_my_contests import finished_contest
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .test_contest_phone import session_cookie

pytestmark = pytest.mark.browser

WAIT = 20_000


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def no_english(page, allow=()):
    words = english_words(visible_text(page.content()), allow=allow)
    assert not words, words


def test_my_contests_the_reload_after_the_end_and_the_results_page(daphne_server, phone, org):
    base = daphne_server
    for user, name in ((org.member_a1, "王建华"), (org.secretary, "陈秀英")):
        user.display_name = name
        user.save(update_fields=["display_name"])
    older = finished_contest(
        org.secretary,
        {org.member_a1: ["B", "A", None], org.secretary: ["B", "B", "B"]},
        title="七月党章知识竞赛",
        days_ago=30,
    )
    newer = finished_contest(
        org.secretary,
        {org.member_a1: ["B", "B", "B"], org.member_a2: ["A", None, None]},
        title="八月党史知识竞赛",
    )
    phone.context.add_cookies([session_cookie(org.member_a1, base)])

    # the way there: "my results" → 我的竞赛
    phone.goto(f"{base}/me/results/")
    phone.get_by_test_id("my-contests").click()
    phone.wait_for_selector("[data-testid=played-row]", timeout=WAIT)
    rows = phone.locator("[data-testid=played-row]")
    assert rows.count() == 2
    assert "八月党史知识竞赛" in rows.nth(0).inner_text()
    assert (
        "第 2 名 / 共 2 人" in rows.nth(1).inner_text() and "答对 1/3" in rows.nth(1).inner_text()
    )
    assert phone.locator(".tabbar").is_visible() and fits_the_phone(phone)
    no_english(phone)
    screenshot(phone, "after-my-contests-phone")

    # a reload of the join page after the end: the own result, the tab bar, the ways on
    phone.goto(f"{base}/join/{newer.pin}/")
    phone.wait_for_selector("[data-testid=contest-over]", timeout=WAIT)
    assert phone.get_by_test_id("my-rank").inner_text() == "1"
    assert phone.get_by_test_id("my-right").inner_text() == "3/3"
    assert phone.locator(".tabbar").is_visible() and fits_the_phone(phone)
    no_english(phone)
    screenshot(phone, "after-finished-phone")
    phone.get_by_test_id("my-contests").click()
    phone.wait_for_url(f"{base}/me/contests/", timeout=WAIT)

    # the host's results page: right of the asked and of the answered, apart
    phone.context.clear_cookies()
    phone.context.add_cookies([session_cookie(org.secretary, base)])
    phone.goto(f"{base}/contests/{older.pk}/results/")
    phone.wait_for_selector("[data-testid=result-row]", timeout=WAIT)
    mine = phone.locator("[data-testid=result-row]", has_text="王建华")
    assert mine.get_by_test_id("of-asked").inner_text() == "1/3"
    assert mine.get_by_test_id("of-answered").inner_text() == "1/2"
    assert fits_the_phone(phone)
    no_english(phone)
    screenshot(phone, "after-results-phone")
