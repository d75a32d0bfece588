"""A unit admin imports a 云帆 (yf-exam) file in Chromium: uploads it, reads the
preview (the layout recognised, the 简答 skipped, a duplicate found), keeps both
copies of the duplicate, confirms and sees the bank's count; on a 1920×1080 screen,
then the same pages on a 768×1024 tablet."""

import re

import pytest

from backend.accounts.models import Role
from quizzes.models import Question, QuestionImport

from ..factories import make_bank, make_branch, make_question, make_unit, make_user
from ..quizzes.import_files import YF_EXAM_QUESTIONS, yf_exam_xlsx
from ..text_words import english_words, visible_text
from .conftest import screenshot
from .test_study import sign_in

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _count(page, name: str) -> int:
    return int(page.locator(f"[data-testid=count-{name}]").inner_text())


def _upload(page, base, bank, data: bytes, name="云帆题库.xlsx", look=""):
    page.goto(f"{base}/authoring/banks/")
    page.click(f"[data-testid=bank-{bank.pk}] [data-testid=import-link]")
    if look:
        screenshot(page, look)
    page.set_input_files("[data-testid=file]", {"name": name, "mimeType": XLSX, "buffer": data})
    page.click("[data-testid=upload]")
    page.wait_for_url(re.compile(r".*/authoring/imports/\d+/"))


def test_a_unit_admin_imports_a_yf_exam_file_with_a_preview(daphne_server, browser):
    # given a unit admin whose bank already holds the file's first question
    unit = make_unit("市委组织部")
    make_branch(unit, "机关第一党支部")
    make_user(Role.UNIT_ADMIN, unit=unit, username="unitadmin", display_name="李卫东")
    bank = make_bank("机关党建题库", unit=unit)
    first = YF_EXAM_QUESTIONS[0]
    make_question(
        bank,
        "single",
        stem=first["content"],
        options=[text for text, *_ in first["options"]],
        answer=["A"],
    )
    # the file: 单选, 多选, 判断, 简答 (skipped) — the 单选 already in the bank
    data = yf_exam_xlsx(YF_EXAM_QUESTIONS)

    desk = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = desk.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, daphne_server, "unitadmin")

    # when the admin opens the banks and uploads the file
    page.goto(f"{daphne_server}/authoring/banks/")
    count = page.locator(f"[data-testid=bank-{bank.pk}] [data-testid=bank-count]")
    assert count.inner_text() == "1"
    screenshot(page, "authoring-banks-desktop")
    _upload(page, daphne_server, bank, data, look="authoring-import-upload-desktop")

    # then the preview says what the import will do, before anything is written
    assert "云帆" in page.locator("[data-testid=layout]").inner_text()
    assert (_count(page, "created"), _count(page, "skipped"), _count(page, "errors")) == (2, 2, 0)
    skipped = page.locator("[data-testid=skipped]").inner_text()
    assert "简答" in skipped and "题库中已有" in skipped
    assert page.locator("[data-testid=confirm]").is_enabled()
    assert Question.objects.filter(bank=bank).count() == 1
    assert not english_words(visible_text(page.content()), allow=["yf-exam", "ID"])
    screenshot(page, "authoring-import-preview-desktop")

    # when the admin keeps both copies of the duplicate (the preview follows at once)
    page.click("[data-testid=duplicates-keep]")
    page.wait_for_url(re.compile(r".*duplicates=keep.*"))
    assert (_count(page, "created"), _count(page, "skipped")) == (3, 1)
    assert page.locator("[data-testid=duplicates-keep]").is_checked()

    # and confirms
    page.click("[data-testid=confirm]")
    page.wait_for_url(f"{daphne_server}/authoring/banks/{bank.pk}/")

    # then the bank holds the three new questions, and says so
    assert "已导入：新增 3" in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=total]").inner_text() == "4"
    assert Question.objects.filter(bank=bank).count() == 4
    assert QuestionImport.objects.get().committed_at is not None
    screenshot(page, "authoring-bank-desktop")
    assert not errors

    # the same pages on a tablet: a second file with the mapping step offered
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    page = tablet.new_page()
    sign_in(page, daphne_server, "unitadmin")
    page.goto(f"{daphne_server}/authoring/banks/")
    screenshot(page, "authoring-banks-tablet")
    _upload(page, daphne_server, bank, data, name="云帆题库（第二次）.xlsx")
    assert _count(page, "skipped") == 4  # everything is in the bank now, the 简答 skipped
    assert page.locator("[data-testid=nothing-to-do]").is_visible()
    assert page.locator("[data-testid=confirm]").is_disabled()
    screenshot(page, "authoring-import-preview-tablet")
    page.click("[data-testid=adjust-mapping]")
    assert page.locator("[data-testid=mapping-form]").is_visible()
    assert page.locator("[data-testid=yf-exam-note]").is_visible()
    screenshot(page, "authoring-import-mapping-tablet")
    tablet.close()

    # and still usable on a phone
    phone = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip
    page = phone.new_page()
    sign_in(page, daphne_server, "unitadmin")
    page.goto(f"{daphne_server}/authoring/banks/")
    screenshot(page, "authoring-banks-phone")
    page.goto(f"{daphne_server}/authoring/banks/{bank.pk}/import/")
    assert page.locator("[data-testid=unfinished]").is_visible()  # the tablet's upload
    page.click("[data-testid=unfinished] a")
    page.wait_for_url(re.compile(r".*/authoring/imports/\d+/"))
    assert page.locator("[data-testid=confirm]").is_visible()
    screenshot(page, "authoring-import-preview-phone")
    phone.close()
    desk.close()
