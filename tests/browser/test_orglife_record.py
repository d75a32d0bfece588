"""The record on phones and a projector: the secretary writes it, adds a photo, signs
it off (asked once), amends it with a reason; an absent member reads it; the book's
PDF downloads."""

import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from orglife.models import Attendance, CheckinMethod, LeaveRequest, LeaveStatus, Record
from orglife.services import SessionInput, session_create

from ..factories import PASSWORD, make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
NAMES = ["陈秀英", "王建华", "李娜", "张伟", "刘洋"]


def png(width: int = 320, height: int = 180) -> bytes:
    """A real PNG (a red-to-gold gradient), so the page shows a photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\0" + bytes(v for x in range(width) for v in (200, 40 + x * 150 // width, 40))
        for _y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def no_english(page):
    assert english_words(visible_text(page.content()), allow=NAMES) == []


def big_taps(page, selector):
    for box in page.locator(selector).all():
        if box.is_visible():
            assert box.bounding_box()["height"] >= 44, selector


def test_the_record_is_written_signed_amended_and_read(daphne_server, browser, tmp_path):
    # given a 主题党日 held this afternoon: 王建华 on time, 李娜 late, 张伟 on leave
    branch = make_branch(make_unit("市委组织部"), "机关第一党支部")
    secretary = make_user(
        Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英"
    )
    people = {
        name: make_user(branch=branch, username=f"member00{i}", display_name=name)
        for i, name in enumerate(NAMES[1:], start=1)
    }
    starts = timezone.now() - timedelta(hours=3)
    session = session_create(
        by=secretary,
        data=SessionInput(
            kind="theme_day",
            title="十一月主题党日：学习党章",
            starts_at=starts,
            branch=branch,
            place="三楼会议室",
        ),
    )
    rows = Attendance.objects.filter(session=session)
    rows.filter(member=secretary).update(checked_in_at=starts, method=CheckinMethod.QR)
    rows.filter(member=people["王建华"]).update(checked_in_at=starts, method=CheckinMethod.MANUAL)
    rows.filter(member=people["李娜"]).update(
        checked_in_at=starts + timedelta(minutes=8), method=CheckinMethod.QR, late=True
    )
    LeaveRequest.objects.create(
        session=session, member=people["张伟"], reason="出差", status=LeaveStatus.APPROVED
    )
    photo = tmp_path / "合影.png"
    photo.write_bytes(png())
    url = f"{daphne_server}/orglife/sessions/{session.pk}/record/"

    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    sign_in(page, daphne_server, "secretary")
    page.goto(url)
    assert page.get_by_test_id("count-expected").inner_text() == "5"
    assert page.get_by_test_id("count-absent").inner_text() == "1"
    assert page.locator("[data-testid=file-input]").get_attribute("accept").startswith("image/*")
    no_english(page)

    # when she writes the minutes, adds a photo and signs off
    page.get_by_test_id("minutes").fill(
        "## 会议议程\n\n- 集体学习《中国共产党章程》\n- 交流发言\n\n"
        "**参会党员一致表示**认真履行党员义务。"
    )
    page.get_by_test_id("decisions").fill("开展党章知识测试\n下月主题党日学习二十届四中全会精神")
    page.get_by_test_id("save").click()
    page.wait_for_url(url)
    page.get_by_test_id("file-input").set_input_files(str(photo))
    assert page.locator("[data-file-names]").first.inner_text() == "合影.png"
    page.get_by_test_id("upload").click()
    page.wait_for_url(url)
    assert page.locator(".rec-file img").count() == 1
    screenshot(page, "orglife-record-draft-phone")
    big_taps(page, "button, .button, summary")
    page.get_by_test_id("sign-open").click()
    assert "冻结" in page.get_by_test_id("sign").inner_text()
    page.get_by_test_id("sign-confirm").scroll_into_view_if_needed()
    screenshot(page, "orglife-record-sign-confirm-phone")
    page.get_by_test_id("sign-confirm").click()
    page.wait_for_url(url)

    # then it is frozen: read only, and changed by an amendment with a reason
    assert page.get_by_test_id("record-form").count() == 0
    assert "陈秀英" in page.get_by_test_id("signature").inner_text()
    page.get_by_test_id("amend-open").click()
    page.get_by_test_id("reason").fill("补记第二项决议的时间")
    page.locator("[data-testid=amend-form] textarea[name=decisions]").fill(
        "开展党章知识测试\n下月主题党日（12月5日）学习二十届四中全会精神"
    )
    page.get_by_test_id("amend").click()
    page.wait_for_url(url)
    amendments = page.get_by_test_id("amendments").inner_text()
    assert "补记第二项决议的时间" in amendments and "陈秀英" in amendments
    no_english(page)
    screenshot(page, "orglife-record-signed-phone")
    record = Record.objects.get(session=session)
    assert record.is_signed and "12月5日" in record.decisions

    # the book's page downloads as a PDF with the title in it
    pdf = page.request.get(f"{daphne_server}/orglife/sessions/{session.pk}/record.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    context.close()

    # an absent member reads the signed record on the phone
    member = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    phone = member.new_page()
    sign_in(phone, daphne_server, "member004")
    phone.goto(url)
    assert "集体学习《中国共产党章程》" in phone.get_by_test_id("minutes-html").inner_text()
    assert phone.get_by_test_id("amend-open").count() == 0
    no_english(phone)
    screenshot(phone, "orglife-record-member-phone")
    member.close()

    # the projector in the meeting room
    wide = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen = wide.new_page()
    sign_in(screen, daphne_server, "secretary")
    screen.goto(url)
    screenshot(screen, "orglife-record-projector")
    wide.close()
