"""A member studies this month's lecture on a phone; the secretary sees it counted."""

import gzip
import re

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from courses.models import LectureProgress

from ..factories import make_branch, make_lecture, make_unit, make_user
from ..text_words import english_words
from .conftest import PHONE, admin_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_member_studies_the_lecture_and_the_secretary_sees_it(daphne_server, browser):
    # given a branch with its secretary and member001, and this month's lecture
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    make_user(Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英")
    make_user(branch=branch, username="member001", display_name="王建华")
    make_user(branch=branch, username="member002", display_name="李娜")
    lecture = make_lecture(
        title="学习党章 遵守党章",
        body="## 一、为什么学党章\n\n" + "党章是党的根本大法。\n\n" * 60,
        min_read_seconds=3,
        reading=[("《中国共产党章程》", True)],
    )

    # when member001 opens the lecture from the home page and stays on it
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, daphne_server, "member001")
    page.click("[data-testid=lecture-of-the-month]")
    page.wait_for_url(f"{daphne_server}/lectures/{lecture.pk}/")
    assert page.locator("h1").inner_text() == "学习党章 遵守党章"
    done_button = page.locator("[data-complete]")
    assert done_button.is_disabled()  # not before the minimum time
    screenshot(page, "lecture-phone")
    page.wait_for_selector("[data-complete]:not([disabled])", timeout=20_000)
    done_button.click()

    # then the lecture is done, and "my study" counts it
    page.wait_for_selector("[data-done]:not([hidden])")
    assert done_button.is_hidden()
    page.locator("[data-reading-item]").check()
    screenshot(page, "lecture-done-phone")
    page.click("nav.tabbar >> text=学习")
    assert page.locator("[data-testid=lectures-done]").inner_text() == "1/1"
    assert "已完成" in page.locator(f"[data-lecture-row='{lecture.pk}']").inner_text()
    screenshot(page, "my-study-phone")
    assert errors == []
    phone.close()

    # and the secretary sees member001 among those who completed it
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = laptop.new_page()
    sign_in(page, daphne_server, "secretary")
    page.goto(f"{daphne_server}/study/reports/{lecture.pk}/")
    assert "王建华" in page.locator("[data-testid=completed]").inner_text()
    assert "李娜" in page.locator("[data-testid=not-completed]").inner_text()
    screenshot(page, "report-secretary")
    laptop.close()


def _transferred(page, url):
    """{url: (bytes on the wire, gzip -6 of the body)} of what loading ``url`` fetched:
    the embedded server sends files as they are, production compressed (WhiteNoise's
    precompressed files, nginx gzip), which the second number stands for."""
    sizes = {}

    def finished(request):
        response = request.response()
        wire = request.sizes()
        body = response.body() if response else b""
        sizes[request.url] = (
            wire["responseHeadersSize"] + wire["responseBodySize"],
            len(gzip.compress(body, 6)),
        )

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", finished)
    return sizes


def test_admin_lecture_upload_page_is_light(daphne_server, browser):
    """
    The lecture upload page was 805 KB under `make run` (5.2 s on slow 4G), mostly
    admin scripts it does not use (courses.admin.light_media). Budget, cold cache:
    320 KB as the embedded server sends it, 100 KB compressed as production does
    (about 0.5 s at the 1.6 Mbit/s of Chrome's "slow 4G"; measured: 299 KB, 75 KB).
    """
    # given a city admin, signed in
    make_user(Role.CITY_ADMIN, username="cityadmin")
    page = admin_page(browser, daphne_server, "cityadmin", {"width": 1280, "height": 800})
    context = page.context
    cold = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
        storage_state=context.storage_state(),
    )
    context.close()
    page = cold.new_page()

    # when they open the lecture upload page with an empty cache
    sizes = _transferred(page, daphne_server + "/admin/courses/lecture/add/")

    # then it works (upload field, date widgets) and stays within the budget
    assert page.locator("input[type=file][name=new_attachments]").count() == 1
    page.wait_for_selector(".datetimeshortcuts")
    raw = sum(wire for wire, _ in sizes.values())
    compressed = sum(packed for _, packed in sizes.values())
    listing = "\n".join(
        f"{wire:>8} {packed:>8} {url.removeprefix(daphne_server)}"
        for url, (wire, packed) in sorted(sizes.items(), key=lambda kv: -kv[1][0])
    )
    print(f"{listing}\n{raw:>8} {compressed:>8} total")
    assert not any("xregexp" in url or url.endswith("jquery.js") for url in sizes)
    assert raw < 320_000, listing
    assert compressed < 100_000, listing
    cold.close()


def test_study_and_error_pages_at_360_have_no_english(daphne_server, browser):
    """What the phone shows after its scripts ran: Chinese only, dates as 2026-11-30 19:54."""
    # given a member who completed this month's lecture
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    member = make_user(branch=branch, username="member005", display_name="王建华")
    lecture = make_lecture(
        title="学习党章 遵守党章", reading=[("《中国共产党章程》", True)], min_read_seconds=1
    )
    LectureProgress.objects.create(
        member=member, lecture=lecture, seconds_read=120, completed_at=timezone.now()
    )
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, daphne_server, "member005")

    # when they open the study pages, their results and two error pages
    with page.expect_response(lambda r: "/heartbeat/" in r.url):
        page.goto(f"{daphne_server}/lectures/{lecture.pk}/")  # the script redraws the date
    for name, url in [
        ("lecture", f"/lectures/{lecture.pk}/"),
        ("lectures", "/lectures/"),
        ("my-study", "/study/"),
        ("my-results", "/me/results/"),
        ("mistakes", "/me/mistakes/"),
        ("403", "/study/reports/"),
        ("404", "/no-such-page/"),
    ]:
        if name != "lecture":
            page.goto(daphne_server + url, wait_until="networkidle")
        screenshot(page, f"study-{name}-360")
        # then no English word is on the screen
        assert english_words(page.locator("body").inner_text()) == [], name
        if name == "lecture":
            done = page.locator("[data-completed-at]").inner_text()
            assert re.fullmatch(r" · \d{4}-\d{2}-\d{2} \d{2}:\d{2}", done), done
    assert errors == []
    context.close()
