"""Explanations (说明, issue 14 item 3): the bottom units' tasks at publication, filing
(late too), return → file again → review, files refused like lecture attachments,
and every role against the API and the pages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import Role
from courses.pdf import text_pdf
from supervision import explanations as ex
from supervision.models import (
    Assessment,
    AssessmentSetting,
    Explanation,
    ExplanationFile,
    ExplanationStatus,
)

from ..factories import make_branch, make_unit, make_user
from ..text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

PDF = text_pdf([(20, "整改说明")])
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\0" * 64
QUARTER = "2026-Q3"
URL = f"/api/v1/assessments/{QUARTER}/explanations/"


def snapshot(units_in_order) -> dict:
    """A published snapshot ranking ``units_in_order`` best first (ranks 1, 2, …)."""
    return {
        "quarter": QUARTER,
        "indicators": [],
        "units": [
            {"rank": i, "id": u.pk, "name": u.name, "score": 100 - 10 * i, "values": {}}
            for i, u in enumerate(units_in_order, start=1)
        ],
        "branches": [],
    }


def publish(by, units_in_order, *, version=1, published_at=None, ranks=None) -> Assessment:
    snap = snapshot(units_in_order)
    if ranks:
        for row, rank in zip(snap["units"], ranks, strict=True):
            row["rank"] = rank
    assessment = Assessment.objects.create(
        quarter=QUARTER,
        version=version,
        published_by=by,
        published_at=published_at or timezone.now(),
        snapshot=snap,
    )
    ex.explanations_create(assessment)
    return assessment


@pytest.fixture
def city(org):
    """Five units ranked 丙 > 丁 > 戊 > 市委组织部 (unit_a) > 市财政局 (unit_b), each with
    an admin; the bottom three (default) are 戊, unit_a and unit_b."""
    org.unit_c, org.unit_d, org.unit_e = (make_unit(n) for n in ("市丙局", "市丁局", "市戊局"))
    for u in (org.unit_c, org.unit_d, org.unit_e):
        make_branch(u)
    org.admin_b = make_user(Role.UNIT_ADMIN, unit=org.unit_b, username="admin_b")
    org.admin_c = make_user(Role.UNIT_ADMIN, unit=org.unit_c, username="admin_c")
    org.admin_e = make_user(Role.UNIT_ADMIN, unit=org.unit_e, username="admin_e")
    org.order = [org.unit_c, org.unit_d, org.unit_e, org.unit_a, org.unit_b]
    return org


@pytest.fixture
def published(city):
    return publish(city.city_admin, city.order)


def upload(name, data):
    return SimpleUploadedFile(name, data)


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- the tasks ----------------------------------------------------------------------------


def test_bottom_units_take_every_unit_tied_at_the_cut():
    units = [{"id": i, "rank": r} for i, r in ((1, 1), (2, 2), (3, 3), (4, 3), (5, 5))]
    assert ex.bottom_units(units, 1) == [(5, 5)]
    assert ex.bottom_units(units, 2) == [(5, 5), (3, 3), (4, 3)]
    assert ex.bottom_units(units, 3) == [(5, 5), (3, 3), (4, 3)]
    assert ex.bottom_units(units, 0) == []
    assert len(ex.bottom_units(units, 9)) == 5


def test_publishing_asks_the_bottom_n_units_due_after_the_years_days(city):
    # given
    AssessmentSetting.objects.create(year=2026, bottom_n=2, explanation_days=10)
    at = timezone.now() - timedelta(days=1)
    # when
    assessment = publish(city.city_admin, city.order, published_at=at)
    # then
    rows = list(Explanation.objects.order_by("rank"))
    assert [(e.unit_id, e.rank) for e in rows] == [(city.unit_a.pk, 4), (city.unit_b.pk, 5)]
    assert all(e.due_at == at + timedelta(days=10) for e in rows)
    assert all(e.assessment == assessment and e.status == "pending" for e in rows)
    # idempotent
    assert ex.explanations_create(assessment) == []
    assert Explanation.objects.count() == 2


def test_the_default_is_the_bottom_three_within_fourteen_days(published, city):
    rows = Explanation.objects.all()
    assert {e.unit_id for e in rows} == {city.unit_e.pk, city.unit_a.pk, city.unit_b.pk}
    assert {e.due_at for e in rows} == {published.published_at + timedelta(days=14)}


def test_republication_keeps_the_bottom_units_rows_and_a_filed_one(published, city):
    # given: unit_a files, unit_e does not
    filed = Explanation.objects.get(unit=city.unit_a)
    ex.explanation_file(explanation=filed, by=city.unit_admin, text="原因和整改措施")
    kept = Explanation.objects.get(unit=city.unit_b)
    # when: version 2 puts 丙 and 丁 at the bottom with 市财政局; 戊 and unit_a leave it
    order = [city.unit_e, city.unit_a, city.unit_c, city.unit_d, city.unit_b]
    v2 = publish(city.city_admin, order, version=2, published_at=timezone.now())
    # then
    rows = {e.unit_id: e for e in Explanation.objects.select_related("assessment")}
    assert set(rows) == {city.unit_a.pk, city.unit_c.pk, city.unit_d.pk, city.unit_b.pk}
    assert rows[city.unit_b.pk].assessment_id == published.pk  # kept as it was
    assert rows[city.unit_b.pk].due_at == kept.due_at
    assert rows[city.unit_a.pk].status == "submitted"  # filed: not deleted
    assert rows[city.unit_c.pk].assessment_id == v2.pk
    assert Assessment.objects.filter(quarter=QUARTER).count() == 2


# --- the API: every role ------------------------------------------------------------------


def test_the_city_admin_lists_every_unit_with_counts(published, city, api_as):
    response = api_as(city.city_admin).get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["quarter"] == QUARTER
    assert [r["unit"]["name"] for r in body["results"]] == ["市财政局", "市委组织部", "市戊局"]
    assert body["counts"] == {
        "total": 3,
        "outstanding": 3,
        "late": 0,
        "submitted": 0,
        "returned": 0,
        "reviewed": 0,
    }
    first = body["results"][0]
    assert first["rank"] == 5 and first["version"] == 1 and first["status"] == "pending"
    assert first["late"] is False and first["files"] == []


def test_a_unit_admin_sees_the_own_units_only(published, city, api_as):
    own = api_as(city.unit_admin).get(URL).json()
    assert [r["unit"]["id"] for r in own["results"]] == [city.unit_a.pk]
    assert own["counts"]["total"] == 1
    not_bottom = api_as(city.admin_c).get(URL)
    assert not_bottom.status_code == 200 and not_bottom.json()["results"] == []
    other = Explanation.objects.get(unit=city.unit_b)
    response = api_as(city.unit_admin).get(f"{URL}{other.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["secretary", "member_a1"])
def test_members_and_secretaries_are_refused(published, city, api_as, who):
    client = api_as(getattr(city, who))
    for response in (client.get(URL), client.post(URL, {"text": "说明"})):
        assert response.status_code == 403
        assert response.json()["code"] == "not_allowed"


def test_anonymous_is_refused(published, api):
    assert api.get(URL).status_code in (401, 403)


def test_a_quarter_not_published_or_no_quarter_is_404(published, city, api_as):
    client = api_as(city.city_admin)
    for url in ("/api/v1/assessments/2026-Q2/explanations/", "/api/v1/assessments/x/explanations/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "季度" in response.json()["detail"] or response.json()["code"]


def test_a_unit_not_at_the_bottom_is_403_not_required(published, city, api_as):
    response = api_as(city.admin_c).post(URL, {"text": "我们不在后三名"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_required"
    assert "说明" in response.json()["detail"]


def test_the_city_admin_does_not_file(published, city, api_as):
    response = api_as(city.city_admin).post(URL, {"text": "代为说明"})
    assert (response.status_code, response.json()["code"]) == (403, "not_allowed")


def test_the_bottom_units_admin_files_with_files_then_edits(published, city, api_as, settings):
    client = api_as(city.unit_admin)
    # when
    first = client.post(
        URL,
        {"text": "本季度排名靠后的原因：……", "files": [upload("整改方案.pdf", PDF)]},
        format="multipart",
    )
    # then
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "submitted" and body["late"] is False
    assert [f["title"] for f in body["files"]] == ["整改方案"]
    assert body["submitted_by"] == city.unit_admin.name
    filed_at = body["submitted_at"]
    # an edit before the review: new text, one more file, the first one removed
    file_id = body["files"][0]["id"]
    second = client.post(
        URL,
        {"text": "修改后的说明", "files": [upload("现场照片.png", PNG)], "remove": [file_id]},
        format="multipart",
    )
    assert second.status_code == 200, second.content
    assert second.json()["text"] == "修改后的说明"
    assert [f["title"] for f in second.json()["files"]] == ["现场照片"]
    assert second.json()["submitted_at"] == filed_at  # the first filing stays
    # the file is served to the city admin, not to another unit's admin
    url = second.json()["files"][0]["url"]
    page = client_page(city.city_admin).get(url)
    assert page.status_code == 200
    assert client_page(city.admin_b).get(url).status_code == 404


def client_page(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_empty_text_is_refused(published, city, api_as):
    response = api_as(city.unit_admin).post(URL, {"text": "  "})
    assert (response.status_code, response.json()["code"]) == (400, "text_required")
    assert Explanation.objects.get(unit=city.unit_a).status == "pending"


def test_filing_after_the_deadline_is_allowed_and_marked_late(city, api_as):
    publish(city.city_admin, city.order, published_at=timezone.now() - timedelta(days=20))
    client = api_as(city.city_admin)
    before = client.get(URL).json()
    assert before["counts"]["late"] == 3 and all(r["late"] for r in before["results"])
    response = api_as(city.unit_admin).post(URL, {"text": "逾期说明"})
    assert response.status_code == 201
    assert response.json()["late"] is True
    after = client.get(URL).json()
    assert after["counts"] == {
        "total": 3,
        "outstanding": 2,
        "late": 3,
        "submitted": 1,
        "returned": 0,
        "reviewed": 0,
    }
    only_late = client.get(URL, {"status": "late"}).json()["results"]
    assert len(only_late) == 3
    submitted = client.get(URL, {"status": "submitted"}).json()["results"]
    assert [r["unit"]["id"] for r in submitted] == [city.unit_a.pk]


def test_filed_on_time_stays_on_time_after_the_deadline(published, city, api_as):
    api_as(city.unit_admin).post(URL, {"text": "按时说明"})
    row = Explanation.objects.get(unit=city.unit_a)
    assert ex.is_late(row, now=row.due_at + timedelta(days=3)) is False
    pending = Explanation.objects.get(unit=city.unit_b)
    assert ex.is_late(pending, now=pending.due_at + timedelta(seconds=1)) is True


def test_return_then_file_again_then_review(published, city, api_as):
    unit, admin = api_as(city.unit_admin), api_as(city.city_admin)
    pk = unit.post(URL, {"text": "第一稿"}).json()["id"]
    detail = f"{URL}{pk}/"
    # the unit admin cannot decide on its own explanation
    assert unit.put(detail, {"action": "review"}, format="json").json()["code"] == "not_allowed"
    # returning needs a note
    no_note = admin.put(detail, {"action": "return", "note": ""}, format="json")
    assert (no_note.status_code, no_note.json()["code"]) == (400, "note_required")
    returned = admin.put(detail, {"action": "return", "note": "请补充整改时限"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_note"] == "请补充整改时限"
    # a returned one is not decided again until filed again
    again = admin.put(detail, {"action": "review"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_filed")
    assert admin.get(URL).json()["counts"]["returned"] == 1
    resubmitted = unit.post(URL, {"text": "第二稿：十二月底前完成整改"})
    assert resubmitted.status_code == 200
    assert resubmitted.json()["status"] == "submitted"
    reviewed = admin.put(detail, {"action": "review", "note": "同意"}, format="json")
    assert reviewed.status_code == 200
    body = reviewed.json()
    assert body["status"] == "reviewed" and body["reviewed_by"] == city.city_admin.name
    # final: no more edits, no second decision
    locked = unit.post(URL, {"text": "第三稿"})
    assert (locked.status_code, locked.json()["code"]) == (409, "reviewed")
    twice = admin.put(detail, {"action": "return", "note": "再改"}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "reviewed")
    assert admin.get(URL, {"status": "reviewed"}).json()["counts"]["reviewed"] == 1


def test_a_pending_one_cannot_be_reviewed(published, city, api_as):
    pk = Explanation.objects.get(unit=city.unit_b).pk
    response = api_as(city.city_admin).put(f"{URL}{pk}/", {"action": "review"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_filed")


def test_an_unknown_action_is_400(published, city, api_as):
    pk = Explanation.objects.get(unit=city.unit_b).pk
    response = api_as(city.city_admin).put(f"{URL}{pk}/", {"action": "delete"}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "name,data",
    [("setup.exe", EXE), ("说明.pdf", EXE), ("讲话录音.mp3", MP3), ("空.pdf", b"")],
)
def test_a_refused_file_writes_nothing(published, city, api_as, settings, name, data):
    response = api_as(city.unit_admin).post(
        URL,
        {"text": "说明正文", "files": [upload("好的.pdf", PDF), upload(name, data)]},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "file_refused"
    row = Explanation.objects.get(unit=city.unit_a)
    assert (row.status, row.text, row.submitted_at) == ("pending", "", None)
    assert not ExplanationFile.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_file_too_large_is_refused(published, city, api_as, settings):
    settings.LECTURE_ATTACHMENT_MAX_BYTES = 1024
    big = PNG + b"\0" * 2048
    response = api_as(city.unit_admin).post(
        URL, {"text": "说明", "files": [upload("大图.png", big)]}, format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (400, "file_refused")
    assert not ExplanationFile.objects.exists()


def test_the_list_takes_a_fixed_number_of_queries(city, api_as):
    AssessmentSetting.objects.create(year=2026, bottom_n=30)
    units = [make_unit(f"单位{i}") for i in range(40)]
    publish(city.city_admin, units)
    rows = Explanation.objects.all()[:10]
    for e in rows:
        ex.explanation_file(explanation=e, by=city.city_admin, text="说明")
    client = api_as(city.city_admin)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert len(response.json()["results"]) == 30
    assert len(queries) <= 8, [q["sql"] for q in queries]


# --- the pages ----------------------------------------------------------------------------


def test_the_unit_admin_files_on_the_page(published, city):
    client = client_page(city.unit_admin)
    pk = Explanation.objects.get(unit=city.unit_a).pk
    page = client.get(f"/supervision/explanations/{pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="file-form"' in html
    assert english_words(visible_text(html), allow=[city.unit_a.name]) == []
    response = client.post(
        f"/supervision/explanations/{pk}/",
        {"action": "file", "text": "页面上提交的说明", "files": [upload("照片.png", PNG)]},
    )
    assert response.status_code == 302
    row = Explanation.objects.get(pk=pk)
    assert row.status == "submitted" and row.files.count() == 1
    refused = client.post(
        f"/supervision/explanations/{pk}/",
        {"action": "file", "text": "再改", "files": [upload("病毒.exe", EXE)]},
    )
    assert refused.status_code == 400
    assert "form__error" in refused.content.decode()
    assert Explanation.objects.get(pk=pk).text == "页面上提交的说明"
    # the unit admin may not review
    assert client.post(f"/supervision/explanations/{pk}/", {"action": "review"}).status_code == 403


def test_the_city_admins_list_and_review_on_the_page(published, city):
    row = Explanation.objects.get(unit=city.unit_a)
    ex.explanation_file(explanation=row, by=city.unit_admin, text="说明正文")
    client = client_page(city.city_admin)
    page = client.get("/supervision/explanations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert english_words(visible_text(html), allow=["市财政局", "市委组织部", "市戊局"]) == []
    assert html.count("data-explanation=") == 3
    only = client.get("/supervision/explanations/", {"status": "submitted"}).content.decode()
    assert only.count("data-explanation=") == 1
    detail = client.get(f"/supervision/explanations/{row.pk}/").content.decode()
    assert 'data-testid="decide-form"' in detail
    assert english_words(visible_text(detail)) == []
    refused = client.post(f"/supervision/explanations/{row.pk}/", {"action": "return"})
    assert refused.status_code == 400
    done = client.post(f"/supervision/explanations/{row.pk}/", {"action": "review"})
    assert done.status_code == 302
    assert Explanation.objects.get(pk=row.pk).status == ExplanationStatus.REVIEWED


def test_pages_refuse_members_and_hide_other_units(published, city):
    assert client_page(city.member_a1).get("/supervision/explanations/").status_code == 403
    assert client_page(city.secretary).get("/supervision/explanations/").status_code == 403
    other = Explanation.objects.get(unit=city.unit_b).pk
    hidden = client_page(city.unit_admin).get(f"/supervision/explanations/{other}/")
    assert hidden.status_code == 404
    own_list = client_page(city.unit_admin).get("/supervision/explanations/").content.decode()
    assert own_list.count("data-explanation=") == 1


def test_the_home_page_of_a_bottom_units_admin_shows_the_card_until_filed(published, city):
    client = client_page(city.unit_admin)
    html = client.get("/").content.decode()
    assert 'data-testid="explanation-due"' in html
    row = Explanation.objects.get(unit=city.unit_a)
    assert f"/supervision/explanations/{row.pk}/" in html
    # (Excel: the administration card's "import members from Excel")
    assert english_words(visible_text(html), allow=[city.unit_a.name, "Excel"]) == []
    ex.explanation_file(explanation=row, by=city.unit_admin, text="说明")
    assert 'data-testid="explanation-due"' not in client.get("/").content.decode()
    ex.explanation_return(explanation=row, by=city.city_admin, note="请补充")
    assert 'data-testid="explanation-due"' in client.get("/").content.decode()
    for other in (city.admin_c, city.city_admin, city.member_a1):
        assert 'data-testid="explanation-due"' not in client_page(other).get("/").content.decode()


def test_the_demo_shows_every_state_once(published, city):
    ex.explanations_demo(published, reviewer=city.city_admin)
    states = dict(Explanation.objects.values_list("unit_id", "status"))
    assert states == {
        city.unit_b.pk: "reviewed",
        city.unit_a.pk: "returned",
        city.unit_e.pk: "pending",
    }
    ex.explanations_demo(published, reviewer=city.city_admin)  # idempotent
    assert dict(Explanation.objects.values_list("unit_id", "status")) == states


def test_the_city_admins_home_counts_the_explanations_waiting_for_review(published, city):
    row = Explanation.objects.get(unit=city.unit_a)
    ex.explanation_file(explanation=row, by=city.unit_admin, text="说明")
    assert ex.explanations_waiting_count(city.city_admin) == 1
    assert ex.explanations_waiting_count(city.unit_admin) is None
    html = client_page(city.city_admin).get("/").content.decode()
    link = html.split('data-testid="explanations-link"')[1].split("</a>")[0]
    assert '<span class="badge"' in link and ">1</span>" in link
    assert english_words(visible_text(html)) == []


def test_publishing_through_the_api_asks_the_units_and_they_file(city, api_as):
    # given: no data recorded, so the five units tie and all of them must explain
    url = "/api/v1/assessments/2025-Q4/"
    # when
    published = api_as(city.city_admin).post(url + "publish/")
    # then
    assert published.status_code in (200, 201), published.content
    listed = api_as(city.city_admin).get(url + "explanations/").json()
    assert listed["counts"]["outstanding"] == Explanation.objects.count() >= 3
    filed = api_as(city.unit_admin).post(url + "explanations/", {"text": "说明"})
    assert filed.status_code == 201, filed.content
    assert filed.json()["quarter"] == "2025-Q4"
