"""The city admin's dashboard and quarterly report in Chromium: charts drawn on a phone,
the report built in the background by the database backend's worker (the page shows its
progress), and the downloaded .xlsx and PDF hold the page's numbers."""

import io
import itertools
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.points.models import PointEvent, PointRule
from backend.points.totals import totals_rebuild
from orglife.pdf import fonts_available
from supervision import assessment as svc
from supervision.indicators import quarter_of

from ..factories import PASSWORD, make_branch, make_unit, make_user
from ..text_words import english_words, visible_text
from .conftest import screenshot

pytestmark = pytest.mark.browser

_n = itertools.count(1)


def _points(member, amount):
    PointEvent.objects.create(
        member=member,
        rule=PointRule.objects.get(kind="correction"),
        points=amount,
        requested_points=amount,
        source_key=f"b{next(_n)}",
        day=date(2025, 8, 1),
    )


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _build(page, fmt: str):
    """Press the button, let the worker run what is queued, wait for the link."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/reports/" in r.url):
        page.click(f"[data-testid=report-{fmt}]")  # the task is queued once this answers
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    link = page.wait_for_selector("[data-testid=report-download]:not([hidden])", timeout=20_000)
    with page.expect_download() as download:
        link.click()
    return download.value


def test_the_city_admin_sees_the_charts_and_downloads_the_report(daphne_server, phone, settings):
    # given a published quarter
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    city = make_user(Role.CITY_ADMIN, username="cityadmin")
    for i, amount in enumerate((90, 45, 60)):
        branch = make_branch(make_unit(f"单位{i + 1}"), "机关党支部")
        for _ in range(2):
            _points(make_user(branch=branch), amount)
    totals_rebuild()
    svc.publish(quarter_of("2025-Q3"), by=city)

    # when the city admin opens the dashboard on a phone
    sign_in(phone, daphne_server, "cityadmin")
    phone.goto(daphne_server + "/supervision/")
    # then the charts are there, drawn as SVG, with Chinese labels
    assert phone.locator("[data-testid^=chart-] svg").count() >= 4
    ranking = phone.locator("[data-testid=ranking]")
    assert ranking.get_attribute("data-source") == "assessment"
    assert "单位1" in phone.locator("[data-testid=chart-ranking] svg").inner_html()
    assert english_words(visible_text(phone.content())) == []
    screenshot(phone, "supervision-dashboard-phone")

    # when the report page builds the workbook in the background
    phone.click("[data-testid=report-link]")
    page_scores = {
        row.locator("th").inner_text(): float(row.locator("[data-testid=score]").inner_text())
        for row in phone.locator("[data-testid^=report-unit-]").all()
    }
    assert set(page_scores) == {"单位1", "单位2", "单位3"}
    workbook = _build(phone, "xlsx")
    screenshot(phone, "supervision-report-phone")
    # then its numbers are the page's
    sheet = load_workbook(io.BytesIO(Path(workbook.path()).read_bytes())).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[1] in page_scores]
    assert {r[1]: r[2] for r in rows} == page_scores

    if fonts_available():
        pdf = _build(phone, "pdf")
        assert Path(pdf.path()).read_bytes()[:5] == b"%PDF-"
    assert phone.console_errors == []
