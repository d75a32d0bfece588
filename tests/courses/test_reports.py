"""Who has studied: scoped by the org tree, names, rates, .xlsx, bounded queries."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import LectureProgress

from ..factories import make_lecture, make_user

pytestmark = pytest.mark.django_db


def complete(member, lecture):
    LectureProgress.objects.create(
        member=member, lecture=lecture, seconds_read=300, completed_at=timezone.now()
    )


def test_secretary_report_lists_exactly_the_branch(org, api_as):
    lecture = make_lecture()
    complete(org.member_a1, lecture)
    complete(org.member_b1, lecture)  # another unit: must not show
    body = api_as(org.secretary).get(f"/api/v1/lectures/{lecture.pk}/report/").json()
    assert body["total"] == 2 and body["completed_count"] == 1 and body["rate"] == 0.5
    assert [r["username"] for r in body["completed"]] == ["member_a1"]
    assert [r["username"] for r in body["not_completed"]] == ["secretary"]


def test_other_branch_or_unit_report_is_404_for_a_secretary(org, api_as):
    lecture = make_lecture()
    client = api_as(org.secretary)
    for query in (
        f"branch={org.branch_a2.pk}",
        f"branch={org.branch_b1.pk}",
        f"unit={org.unit_b.pk}",
    ):
        response = client.get(f"/api/v1/lectures/{lecture.pk}/report/?{query}")
        assert response.status_code == 404, query
        assert "detail" in response.json()
    own = client.get(f"/api/v1/lectures/{lecture.pk}/report/?branch={org.branch_a1.pk}")
    assert own.status_code == 200


def test_unit_admin_sees_own_unit_by_branch(org, api_as):
    lecture = make_lecture()
    complete(org.member_a2, lecture)
    client = api_as(org.unit_admin)
    body = client.get(f"/api/v1/lectures/{lecture.pk}/report/").json()
    assert {r["username"] for r in body["completed"] + body["not_completed"]} == {
        "secretary",
        "member_a1",
        "member_a2",
    }
    branch = client.get(f"/api/v1/lectures/{lecture.pk}/report/?branch={org.branch_a2.pk}").json()
    assert [r["username"] for r in branch["completed"]] == ["member_a2"]
    assert (
        client.get(f"/api/v1/lectures/{lecture.pk}/report/?unit={org.unit_b.pk}").status_code == 404
    )


def test_members_cannot_see_reports(org, api_as, client):
    lecture = make_lecture()
    response = api_as(org.member_a1).get(f"/api/v1/lectures/{lecture.pk}/report/")
    assert response.status_code == 403 and response.json()["detail"]
    client.force_login(org.member_a1)
    assert client.get("/study/reports/").status_code == 403
    assert client.get(f"/study/reports/{lecture.pk}/").status_code == 403


def test_xlsx_export(org, api_as):
    lecture = make_lecture(title='=HYPERLINK("x")讲座')
    complete(org.member_a1, lecture)
    response = api_as(org.secretary).get(f"/api/v1/lectures/{lecture.pk}/report/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("'=")  # formula injection defused
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert {(r[1], r[6]) for r in rows} == {("member_a1", "已完成"), ("secretary", "未完成")}
    # an error is JSON even when a spreadsheet was asked for
    other = api_as(org.secretary).get(
        f"/api/v1/lectures/{lecture.pk}/report/?format=xlsx&branch={org.branch_b1.pk}"
    )
    assert other.status_code == 404 and other["Content-Type"] == "application/json"


def test_report_query_count_does_not_grow(org, api_as, django_assert_max_num_queries):
    lecture = make_lecture()
    for n in range(40):
        member = make_user(branch=org.branch_a1 if n % 2 else org.branch_a2)
        if n % 3 == 0:
            complete(member, lecture)
    client = api_as(org.unit_admin)
    with django_assert_max_num_queries(3):
        body = client.get(f"/api/v1/lectures/{lecture.pk}/report/").json()
    assert body["total"] == 43


def test_report_pages(org, client, django_assert_max_num_queries):
    lecture = make_lecture()
    complete(org.member_a1, lecture)
    client.force_login(org.unit_admin)
    index = client.get("/study/reports/")
    assert index.status_code == 200 and lecture.title in index.content.decode()
    with django_assert_max_num_queries(12):
        page = client.get(f"/study/reports/{lecture.pk}/?branch={org.branch_a1.pk}")
    html = page.content.decode()
    assert org.member_a1.display_name in html and org.secretary.display_name in html
    assert org.member_a2.display_name not in html  # names for the chosen branch only
    assert [b.branch_id for b in page.context["branches"]] == [org.branch_a2.pk, org.branch_a1.pk]
    client.force_login(org.secretary)
    assert client.get(f"/study/reports/{lecture.pk}/?branch={org.branch_b1.pk}").status_code == 404
    own = client.get(f"/study/reports/{lecture.pk}/")  # a secretary lands on the own branch
    assert own.context["report"].branch == org.branch_a1
