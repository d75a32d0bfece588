"""督查考核 as the issue tells it, in one story: the city admin publishes last quarter
from the pages, sees the dashboard's charts, downloads the quarterly report as .xlsx
and as PDF (both hold the page's scores); the bottom unit's admin files the
explanation on a phone; member001 sees the own rank on the 积分 page. Only the people
and last quarter's points are set up behind the pages."""

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from backend.accounts.models import Role
from backend.points.services import points_award, points_correct
from orglife.compliance import period_of
from orglife.pdf import fonts_available
from supervision.models import Assessment, Explanation, ExplanationStatus

from ..factories import make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import new_page, screenshot, sign_in

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
UNITS = ("市委组织部", "市财政局", "市教育局")


def _phone(browser, viewport=SMALL_PHONE):
    return new_page(browser, viewport, accept_downloads=True)


def _no_english(page, *allow):
    assert english_words(visible_text(page.content()), allow=list(allow)) == []


def _download(page, fmt):
    """Press the report box's button, let the database worker run, take the file."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/reports/" in r.url):
        page.click(f"[data-testid=report-{fmt}]")  # the task is queued once this answers
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    link = page.wait_for_selector("[data-testid=report-download]:not([hidden])", timeout=20_000)
    with page.expect_download() as download:
        link.click()
    return Path(download.value.path()).read_bytes()


def test_publish_see_download_explain_and_rank(daphne_server, browser, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    base = daphne_server
    today = timezone.localdate()
    last = period_of(period_of(today, "quarter").start - timedelta(days=1), "quarter")
    noon = timezone.make_aware(
        datetime.combine(last.start + timedelta(days=20), datetime.min.time())
    )
    noon += timedelta(hours=12)
    units = [make_unit(name) for name in UNITS]
    branches = [make_branch(u, "机关第一党支部") for u in units]
    # last quarter's points per member: 市委组织部 80, 市财政局 50, 市教育局 20
    for branch, points in zip(branches, (80, 50, 20), strict=True):
        for i in range(3):
            member = make_user(branch=branch, display_name=f"{branch.unit.name[1:3]}党员{i}")
            points_correct(member=member, points=points, reason="季度活动", by=None, now=noon)
    make_user(Role.CITY_ADMIN, username="cityadmin", display_name="周建国")
    make_user(Role.UNIT_ADMIN, unit=units[2], username="jiaoyu", display_name="吴教")
    me = make_user(branch=branches[0], username="member001", display_name="王建华")
    points_award(member=me, kind="daily_login", source_key=f"login:{today}")

    # 1. the city admin publishes last quarter from 季度考核, confirmed once
    admin = _phone(browser)
    sign_in(admin, base, "cityadmin")
    admin.click("[data-testid=assessments-link]")
    if last.start.year != today.year:
        admin.select_option("select[name=year]", str(last.start.year))
        admin.click(".as-picker button[type=submit]")
    admin.click(f"[data-testid=publish-{last.label}]")
    admin.click("[data-testid=publish-yes]")
    admin.wait_for_url(f"**/supervision/assessments/{last.label}/")
    assert "第1版" in admin.get_by_test_id("status").inner_text()
    rows = admin.locator("[data-testid=units] tbody tr")
    order = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert order == list(UNITS)
    _no_english(admin)
    screenshot(admin, "supervision-flow-1-published")
    published = Assessment.objects.get(quarter=last.label)
    assert published.version == 1

    # 2. the dashboard's charts, drawn on the server, with Chinese labels
    admin.goto(base + "/supervision/")
    assert admin.locator("[data-testid^=chart-] svg").count() >= 4
    assert admin.get_by_test_id("ranking").get_attribute("data-source") == "assessment"
    assert "市教育局" in admin.locator("[data-testid=chart-ranking] svg").inner_html()
    _no_english(admin)
    screenshot(admin, "supervision-flow-2-dashboard")

    # 3. the quarterly report: the page's scores are the workbook's and the PDF's
    admin.goto(base + f"/supervision/assessments/{last.label}/")
    admin.click("[data-testid=report-link]")
    scores = {
        row.locator("th").inner_text(): row.get_by_test_id("score").inner_text()
        for row in admin.locator("[data-testid^=report-unit-]").all()
    }
    assert set(scores) == set(UNITS)
    sheet = load_workbook(io.BytesIO(_download(admin, "xlsx"))).worksheets[0]
    in_book = {r[1]: r[2] for r in sheet.iter_rows(values_only=True) if r and r[1] in scores}
    assert {name: float(value) for name, value in in_book.items()} == {
        name: float(value) for name, value in scores.items()
    }
    screenshot(admin, "supervision-flow-3-report")
    if fonts_available():
        pdf = _download(admin, "pdf")
        assert pdf.startswith(b"%PDF")
        text = re.sub(
            r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        )
        for name, score in scores.items():
            assert name in text and score in text, (name, score)
    assert admin.console_errors == []

    # 4. the bottom unit's admin files the explanation on a phone, from the home page
    unit_admin = _phone(browser)
    sign_in(unit_admin, base, "jiaoyu")
    unit_admin.get_by_test_id("explanation-due").click()
    unit_admin.get_by_test_id("text").fill(
        "一、排名靠后的原因：本季度学习积分偏低，三会一课有缺项。\n"
        "二、整改措施：十二月底前补齐学习，月度考核督促到人。"
    )
    unit_admin.get_by_test_id("file-submit").click()
    unit_admin.wait_for_selector("[data-state=submitted]")
    _no_english(unit_admin)
    screenshot(unit_admin, "supervision-flow-4-explanation")
    filed = Explanation.objects.get(unit=units[2], assessment__quarter=last.label)
    assert filed.status == ExplanationStatus.SUBMITTED and "整改措施" in filed.text

    # 5. member001 sees the own rank on the 积分 page
    member = _phone(browser)
    sign_in(member, base, "member001")
    assert "本月支部排名" in member.get_by_test_id("branch-rank").inner_text()
    member.goto(base + "/me/points/")
    assert member.locator("[data-testid=rank-branch-month] strong").inner_text() == "1"
    assert member.locator("[data-testid=rank-city-month] strong").inner_text() == "1"
    _no_english(member, "member001")
    screenshot(member, "supervision-flow-5-my-rank")
    for page in (unit_admin, member):
        assert page.console_errors == []
