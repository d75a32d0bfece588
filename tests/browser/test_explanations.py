"""Explanations (说明) in Chromium: the bottom unit's admin sees the home page's card on
a phone, files the explanation with a photo; the city admin, on a desktop, sees the
counts, returns it with a note; the unit revises and files again; the city admin
marks it reviewed."""

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from supervision import explanations as ex
from supervision.models import Assessment, Explanation

from ..factories import make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .test_orglife_record import SMALL_PHONE, big_taps, png, sign_in

pytestmark = pytest.mark.browser

UNITS = ["市发展改革委", "市教育局", "市科技局", "市财政局", "市统计局"]
DESKTOP = {"width": 1920, "height": 1080}


def no_english(page):
    assert english_words(visible_text(page.content()), allow=[*UNITS, "Excel"]) == []


def test_a_bottom_unit_files_and_the_city_admin_returns_then_reviews(
    daphne_server, browser, tmp_path
):
    # given the third quarter published, 市统计局 last (with 市财政局 and 市科技局)
    units = [make_unit(name) for name in UNITS]
    for unit in units:
        make_branch(unit)
    city = make_user(Role.CITY_ADMIN, username="cityadmin", display_name="周市")
    make_user(Role.UNIT_ADMIN, unit=units[-1], username="tongji", display_name="吴统")
    assessment = Assessment.objects.create(
        quarter="2026-Q3",
        version=1,
        published_by=city,
        published_at=timezone.now(),
        snapshot={
            "quarter": "2026-Q3",
            "indicators": [],
            "units": [
                {"rank": i, "id": u.pk, "name": u.name, "score": 95 - 7 * i, "values": {}}
                for i, u in enumerate(units, start=1)
            ],
            "branches": [],
        },
    )
    ex.explanations_create(assessment)
    own = Explanation.objects.get(unit=units[-1])
    photo = tmp_path / "整改现场.png"
    photo.write_bytes(png())

    # when the unit admin opens the home page on a small phone
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone = context.new_page()
    sign_in(phone, daphne_server, "tongji")
    card = phone.get_by_test_id("explanation-due")
    assert "第 5 名" in card.inner_text()
    no_english(phone)
    screenshot(phone, "explanation-home-card-phone")
    card.click()
    phone.wait_for_url(f"{daphne_server}/supervision/explanations/{own.pk}/")
    no_english(phone)
    big_taps(phone, "button, .button")
    screenshot(phone, "explanation-file-phone")
    phone.get_by_test_id("text").fill(
        "一、排名靠后的原因：本季度机关第一党支部换届，三会一课有缺项。\n"
        "二、整改措施：十二月底前补齐学习，月度考核督促到人。"
    )
    phone.get_by_test_id("file-input").set_input_files(str(photo))
    assert phone.locator("[data-file-names]").inner_text() == "整改现场.png"
    phone.get_by_test_id("file-submit").click()
    phone.wait_for_url(f"{daphne_server}/supervision/explanations/{own.pk}/")

    # then it is filed, on time, with its photo
    assert "说明已提交" in phone.locator(".messages").inner_text()
    assert phone.locator("[data-state=submitted]").count() == 1
    assert phone.locator("[data-late]").count() == 0
    assert phone.locator(".ex-file__title").inner_text() == "整改现场"
    no_english(phone)
    screenshot(phone, "explanation-filed-phone")

    # the city admin sees the counts on a desktop and returns it with a note
    wide = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    desk = wide.new_page()
    sign_in(desk, daphne_server, "cityadmin")
    desk.get_by_test_id("explanations-link").click()
    counts = desk.get_by_test_id("explanation-counts")
    assert counts.locator("[data-count=pending] .ex-count__n").inner_text() == "2"
    assert counts.locator("[data-count=submitted] .ex-count__n").inner_text() == "1"
    assert desk.locator("[data-explanation]").count() == 3
    no_english(desk)
    screenshot(desk, "explanation-list-desktop")
    counts.locator("[data-count=submitted]").click()
    assert desk.locator("[data-explanation]").count() == 1
    desk.locator(f"[data-explanation='{own.pk}'] a").click()
    desk.get_by_test_id("note").fill("请写明每项整改的完成时限和责任人。")
    no_english(desk)
    screenshot(desk, "explanation-review-desktop")
    desk.get_by_test_id("return").click()
    assert desk.locator("[data-state=returned]").count() == 1

    # the unit revises on the phone and files again
    phone.goto(daphne_server + "/")
    assert "退回" in phone.get_by_test_id("explanation-due").inner_text()
    phone.get_by_test_id("explanation-due").click()
    assert "完成时限" in phone.get_by_test_id("review-note").inner_text()
    screenshot(phone, "explanation-returned-phone")
    phone.get_by_test_id("text").fill(
        "一、原因：支部换届，三会一课有缺项。\n二、整改：十二月二十日前补齐，责任人吴统。"
    )
    phone.get_by_test_id("file-submit").click()
    assert phone.locator("[data-state=submitted]").count() == 1

    # and the city admin marks it reviewed
    desk.reload()
    desk.get_by_test_id("review").click()
    assert desk.locator("[data-state=reviewed]").count() == 1
    desk.goto(daphne_server + "/supervision/explanations/")
    counts = desk.get_by_test_id("explanation-counts")
    assert counts.locator("[data-count=reviewed] .ex-count__n").inner_text() == "1"
    screenshot(desk, "explanation-list-reviewed-desktop")
    phone.goto(daphne_server + "/")
    assert phone.get_by_test_id("explanation-due").count() == 0
    phone.goto(daphne_server + "/supervision/explanations/")
    assert phone.locator("[data-explanation]").count() == 1
    no_english(phone)
    screenshot(phone, "explanation-list-unit-phone")
    small = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    city_phone = small.new_page()
    sign_in(city_phone, daphne_server, "cityadmin")
    city_phone.goto(daphne_server + "/supervision/explanations/")
    big_taps(city_phone, ".ex-count, .ex-item__unit, button")
    no_english(city_phone)
    screenshot(city_phone, "explanation-list-city-phone")
    small.close()
    assert Explanation.objects.get(pk=own.pk).status == "reviewed"
    context.close()
    wide.close()
