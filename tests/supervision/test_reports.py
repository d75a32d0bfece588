"""The quarterly report: the .xlsx holds the API's numbers, the PDF is a PDF with the
charts, the background job (immediate backend for the content, the real database
backend's worker once for the wiring) gives the same file to its caller only."""

import io
import itertools
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.points.models import PointEvent, PointRule
from orglife.pdf import fonts_available
from supervision import assessment as svc
from supervision import reports
from supervision.indicators import quarter_of
from tests.factories import make_branch, make_unit, make_user

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
URL = "/api/v1/assessments/2025-Q3/"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def points(member, amount):
    PointEvent.objects.create(
        member=member,
        rule=PointRule.objects.get(kind="correction"),
        points=amount,
        requested_points=amount,
        source_key=f"r{next(_n)}",
        day=date(2025, 8, 1),
    )


class City:
    def __init__(self):
        self.city = make_user(Role.CITY_ADMIN)
        self.units, self.branches = [], []
        for i, amount in enumerate((90, 45, 60, 10)):
            unit = make_unit(f"单位{i + 1}")
            branch = make_branch(unit, "机关党支部")
            points(make_user(branch=branch), amount)
            self.units.append(unit)
            self.branches.append(branch)
        self.secretary = make_user(Role.SECRETARY, branch=self.branches[1])
        points(self.secretary, 45)
        self.assessment = svc.publish(quarter_of("2025-Q3"), by=self.city)


@pytest.fixture
def city(db):
    return City()


def _sheet_rows(content: bytes, sheet: int) -> list[list]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in wb.worksheets[sheet].iter_rows(values_only=True)]


def assert_xlsx_is_the_api(content: bytes, body: dict):
    keys = [i["key"] for i in body["indicators"]]
    rows = _sheet_rows(content, 0)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "排名")
    units = [r for r in rows[header + 1 :] if r and r[0] is not None]
    assert [(r[0], r[1], r[2]) for r in units] == [
        (u["rank"], u["name"], u["score"]) for u in body["units"]
    ]
    assert [r[3 : 3 + len(keys)] for r in units] == [
        [u["values"].get(k) for k in keys] for u in body["units"]
    ]
    branches = _sheet_rows(content, 1)[1:]
    assert [(r[0], r[1], r[3], r[4]) for r in branches] == [
        (b["rank"], b["unit_rank"], b["name"], b["score"]) for b in body["branches"]
    ]
    indicators = _sheet_rows(content, 2)[1:]
    assert [r[3] for r in indicators] == keys


def test_the_xlsx_holds_the_apis_numbers(city, api_as):
    client = api_as(city.city)
    body = client.get(URL).json()
    response = client.get(URL + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "2025-Q3" in response["Content-Disposition"]
    assert_xlsx_is_the_api(response.content, body)
    # the explanations' sheet: the bottom units, not yet filed
    explanations = _sheet_rows(response.content, 3)[1:]
    assert {r[0] for r in explanations} == {e.unit.name for e in city.assessment.explanations.all()}
    assert all(r[3] for r in explanations)


def test_a_second_version_reports_the_explanations_the_first_asked_for(city, api_as):
    asked = {e.unit.name for e in city.assessment.explanations.all()}
    second = svc.publish(quarter_of("2025-Q3"), by=city.city)
    assert second.version == 2 and not second.explanations.exists()  # kept on version 1
    response = api_as(city.city).get(URL + "?format=xlsx")
    assert {r[0] for r in _sheet_rows(response.content, 3)[1:]} == asked


def test_a_secretary_gets_the_own_branch_only(city, api_as):
    client = api_as(city.secretary)
    body = client.get(URL).json()
    response = client.get(URL + "?format=xlsx")
    assert response.status_code == 200
    assert_xlsx_is_the_api(response.content, body)
    assert [r[3] for r in _sheet_rows(response.content, 1)[1:]] == ["机关党支部"]
    assert len(_sheet_rows(response.content, 1)[1:]) == 1
    other = city.units[2].pk
    assert client.get(URL + f"?unit={other}&format=xlsx").status_code == 404


@pytest.mark.skipif(not fonts_available(), reason="needs fonts-noto-cjk (scripts/ensure-fonts)")
def test_the_pdf(city, api_as):
    response = api_as(city.city).get(URL + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    data = reports.pdf_data(city.assessment.snapshot | {"version": 1, "published_at": None}, [])
    assert len(data["charts"]) == 2 and all(c.startswith("<svg") for c in data["charts"])
    assert [row[2] for row in data["units"]] == [
        reports._cell(u["score"]) for u in city.assessment.snapshot["units"]
    ]


def _job(client, fmt="xlsx", **extra):
    response = client.post(URL + "reports/", {"format": fmt, **extra}, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def test_the_background_job_builds_the_same_file(city, api_as, settings):
    settings.TASKS = IMMEDIATE
    client = api_as(city.city)
    body = client.get(URL).json()
    job = _job(client)
    assert job["status"] == "done" and job["progress"] == 100
    state = client.get(job["status_url"]).json()
    assert state["download_url"].endswith("/download/")
    response = client.get(state["download_url"])
    assert response.status_code == 200
    assert_xlsx_is_the_api(response.content, body)
    # someone else's job does not exist for them
    assert api_as(city.secretary).get(job["status_url"]).status_code == 404
    assert api_as(city.secretary).get(state["download_url"]).status_code == 404


def test_a_job_is_refused_as_the_api_refuses(city, api_as, settings):
    settings.TASKS = IMMEDIATE
    client = api_as(city.secretary)
    response = client.post(
        URL + "reports/", {"format": "xlsx", "unit": city.units[2].pk}, format="json"
    )
    assert response.status_code == 404
    assert client.post(URL + "reports/", {"format": "doc"}, format="json").status_code == 400
    unpublished = "/api/v1/assessments/2025-Q2/reports/"
    assert client.post(unpublished, {"format": "xlsx"}, format="json").status_code == 404
    member = make_user(branch=city.branches[0])
    assert api_as(member).post(URL + "reports/", {"format": "xlsx"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_and_its_worker(city, api_as, settings):
    # given the production backend: the job waits in the database
    settings.TASKS = DATABASE
    client = api_as(city.secretary)
    body = client.get(URL).json()
    job = _job(client)
    assert job["status"] == "queued" and job["download_url"] is None
    assert client.get(job["status_url"]).json()["status"] == "queued"
    pending = client.get(job["status_url"].rstrip("/") + "/download/")
    assert pending.status_code == 409 and pending.json()["code"] == "not_ready"
    # when the worker runs what is queued
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    # then the job is done and its file is the API's numbers
    state = client.get(job["status_url"]).json()
    assert state["status"] == "done", state
    response = client.get(state["download_url"])
    assert_xlsx_is_the_api(response.content, body)


def test_the_report_page(city, client):
    from tests.text_words import english_words, visible_text

    for user in (city.city, city.secretary):
        client.force_login(user)
        response = client.get("/supervision/assessments/2025-Q3/report/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="report-box"' in html and "<svg " in html
        assert english_words(visible_text(html)) == [], user.role
    client.force_login(city.secretary)
    assert client.get("/supervision/assessments/2025-Q2/report/").status_code == 404
    client.force_login(make_user(branch=city.branches[0]))
    assert client.get("/supervision/assessments/2025-Q3/report/").status_code == 403
