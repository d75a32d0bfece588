"""The banks API (issue 15's contract): list and create in scope, the import with
its preview, refusals as ``{detail, code}``, the export and the template."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.models import Question, QuestionBank

from ..factories import make_bank, make_question
from .import_files import YF_EXAM_QUESTIONS, jiangtang_xlsx, xlsx_bytes, yf_exam_xlsx

pytestmark = pytest.mark.django_db


def upload(data: bytes, name="bank.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def post_import(client, bank, data, *, dry_run=False, name="bank.xlsx", **fields):
    url = f"/api/v1/banks/{bank.pk}/import/" + ("?dry_run=1" if dry_run else "")
    return client.post(url, {"file": upload(data, name), **fields}, format="multipart")


# --- the list and a new bank ----------------------------------------------------------


def test_the_list_shows_the_banks_each_admin_manages_in_one_query(org, api_as):
    city = make_bank("全市题库")
    own = make_bank("组织部题库", unit=org.unit_a)
    other = make_bank("财政局题库", unit=org.unit_b)
    for bank in (city, own, own, other):
        make_question(bank)
    client = api_as(org.city_admin)
    client.get("/api/v1/banks/")  # the session's first-call work out of the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/banks/")
    assert response.status_code == 200 and len(captured) <= 3
    rows = {row["name"]: row for row in response.json()}
    assert rows["全市题库"] == {
        "id": city.pk,
        "name": "全市题库",
        "scope": "city",
        "questions": 1,
        "unit": None,
    }
    assert rows["组织部题库"]["questions"] == 2 and rows["组织部题库"]["scope"] == "unit"
    assert rows["组织部题库"]["unit"] == {"id": org.unit_a.pk, "name": "市委组织部"}
    names = [row["name"] for row in api_as(org.unit_admin).get("/api/v1/banks/").json()]
    assert names == ["组织部题库"]
    for user in (org.member_a1, org.secretary):
        response = api_as(user).get("/api/v1/banks/")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_unit_admin_creates_banks_of_the_own_unit_only(org, api_as):
    client = api_as(org.unit_admin)
    response = client.post("/api/v1/banks/", {"name": " 支部题库 "}, format="json")
    assert response.status_code == 201
    assert response.json()["unit"] == {"id": org.unit_a.pk, "name": "市委组织部"}
    assert response.json()["name"] == "支部题库" and response.json()["questions"] == 0
    again = client.post("/api/v1/banks/", {"name": "支部题库"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate_name"
    assert "同名" in again.json()["detail"]
    for unit in (org.unit_b.pk, None):
        refused = client.post("/api/v1/banks/", {"name": "别人的", "unit": unit}, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "unit_not_allowed"
    assert QuestionBank.objects.count() == 1
    member = api_as(org.member_a1).post("/api/v1/banks/", {"name": "x"}, format="json")
    assert member.status_code == 403


def test_a_city_admin_creates_city_wide_or_unit_banks(org, api_as):
    client = api_as(org.city_admin)
    city = client.post("/api/v1/banks/", {"name": "全市题库"}, format="json")
    assert city.status_code == 201 and city.json()["scope"] == "city"
    unit = client.post("/api/v1/banks/", {"name": "全市题库", "unit": org.unit_b.pk}, format="json")
    assert unit.status_code == 201 and unit.json()["unit"]["id"] == org.unit_b.pk
    blank = client.post("/api/v1/banks/", {"name": "  "}, format="json")
    assert blank.status_code == 400 and blank.json()["detail"]


# --- the import -----------------------------------------------------------------------


def test_preview_then_import_of_a_yf_exam_file(org, api_as):
    bank = make_bank(unit=org.unit_a)
    client = api_as(org.unit_admin)
    data = yf_exam_xlsx(YF_EXAM_QUESTIONS)
    preview = post_import(client, bank, data, dry_run=True)
    assert preview.status_code == 200
    body = preview.json()
    assert (body["layout"], body["created"], body["updated"], body["unchanged"]) == (
        "yf_exam",
        3,
        0,
        0,
    )
    assert body["skipped"][0]["row"] > 2 and "简答" in body["skipped"][0]["reason"]
    assert body["errors"] == [] and body["committed"] is False
    assert body["detail"].startswith("将导入")
    assert not Question.objects.exists()
    done = post_import(client, bank, data)
    assert done.status_code == 200 and done.json()["committed"] is True
    assert done.json()["created"] == 3 and bank.questions.count() == 3
    again = post_import(client, bank, data, dry_run=True).json()
    assert again["created"] == 0 and again["duplicates"] == 3
    kept = post_import(client, bank, data, dry_run=True, duplicates="keep").json()
    assert kept["created"] == 3


def test_rows_in_error_are_a_400_and_nothing_is_written(org, api_as):
    bank = make_bank()
    client = api_as(org.city_admin)
    data = jiangtang_xlsx(
        [
            {"kind": "单选", "stem": "一（　）", "options": ["甲", "乙"], "answer": "A"},
            {"kind": "单选", "stem": "二（　）", "options": ["甲", "乙"], "answer": "Z"},
        ]
    )
    preview = post_import(client, bank, data, dry_run=True)
    assert preview.status_code == 200 and len(preview.json()["errors"]) == 1
    response = post_import(client, bank, data)
    assert response.status_code == 400
    body = response.json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "答案")]
    assert body["created"] == 0 and body["committed"] is False
    assert "不存在" in body["errors"][0]["message"] and body["detail"].startswith("没有导入")
    assert not Question.objects.exists()


def test_a_file_that_needs_a_mapping_then_the_mapping(org, api_as):
    bank = make_bank()
    client = api_as(org.city_admin)
    rows = [["类型", "内容", "甲", "乙", "对的"], ["单选", "问题一（　）", "是", "否", "A"]]
    refused = post_import(client, bank, xlsx_bytes(rows), dry_run=True)
    assert refused.status_code == 400
    assert refused.json()["code"] == "mapping_required"
    assert refused.json()["columns"] == rows[0]
    mapping = {"类型": "kind", "内容": "stem", "甲": "A", "乙": "B", "对的": "answer"}
    done = post_import(client, bank, xlsx_bytes(rows), mapping=json.dumps(mapping))
    assert done.status_code == 200 and done.json()["layout"] == "mapped"
    bank.refresh_from_db()
    assert bank.import_mapping == {"version": 1, "columns": mapping}
    bad = post_import(client, bank, xlsx_bytes(rows), mapping="{not json")
    assert bad.status_code == 400 and bad.json()["code"] == "mapping_invalid"
    wrong = post_import(client, bank, xlsx_bytes(rows), mapping=json.dumps({"类型": "nonsense"}))
    assert wrong.status_code == 400 and wrong.json()["code"] == "mapping_invalid"


def test_bad_requests_are_refused_in_chinese(org, api_as):
    bank = make_bank()
    client = api_as(org.city_admin)
    garbage = post_import(client, bank, b"not a spreadsheet\x00\x01", dry_run=True)
    assert garbage.status_code == 400 and garbage.json()["code"] == "unreadable"
    no_file = client.post(f"/api/v1/banks/{bank.pk}/import/", {}, format="multipart")
    assert no_file.status_code == 400 and "file" in no_file.json()["detail"]
    data = jiangtang_xlsx([{"kind": "判断", "stem": "对吗", "answer": "对"}])
    choice = post_import(client, bank, data, duplicates="maybe")
    assert choice.status_code == 400 and choice.json()["code"] == "invalid"
    flag = client.post(
        f"/api/v1/banks/{bank.pk}/import/?dry_run=perhaps",
        {"file": upload(data)},
        format="multipart",
    )
    assert flag.status_code == 400
    assert not Question.objects.exists()


def test_scope_of_the_import_export_and_template(org, api_as):
    other = make_bank(unit=org.unit_b)
    data = jiangtang_xlsx([{"kind": "判断", "stem": "对吗", "answer": "对"}])
    assert post_import(api_as(org.unit_admin), other, data).status_code == 404
    assert post_import(api_as(org.member_a1), other, data).status_code == 403
    assert post_import(api_as(org.secretary), other, data).status_code == 403
    assert api_as(org.unit_admin).get(f"/api/v1/banks/{other.pk}/export/").status_code == 404
    assert api_as(org.member_a1).get("/api/v1/banks/template/").status_code == 403
    assert not Question.objects.exists()
    export = api_as(org.city_admin).get(f"/api/v1/banks/{other.pk}/export/")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxml")
    template = api_as(org.unit_admin).get("/api/v1/banks/template/")
    assert template.status_code == 200


def test_export_edit_import_round_trips_through_the_api(org, api_as):
    from openpyxl import load_workbook

    bank = make_bank(unit=org.unit_a)
    question = make_question(bank, "single")
    client = api_as(org.unit_admin)
    exported = client.get(f"/api/v1/banks/{bank.pk}/export/").content
    workbook = load_workbook(io.BytesIO(exported))
    workbook.active["C2"] = "改过的题干（　）"
    out = io.BytesIO()
    workbook.save(out)
    response = post_import(client, bank, out.getvalue())
    assert response.status_code == 200
    assert (response.json()["updated"], response.json()["created"]) == (1, 0)
    assert response.json()["rows"][0]["question"] == question.pk
    question.refresh_from_db()
    assert question.stem == "改过的题干（　）"


def test_imports_are_throttled(org, api_as, monkeypatch):
    from quizzes.api_banks import BankImportThrottle

    monkeypatch.setattr(BankImportThrottle, "rate", "2/min")
    bank = make_bank()
    client = api_as(org.city_admin)
    data = jiangtang_xlsx([{"kind": "判断", "stem": "对吗", "answer": "对"}])
    for _ in range(2):
        assert post_import(client, bank, data, dry_run=True).status_code == 200
    throttled = post_import(client, bank, data, dry_run=True)
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert api_as(org.unit_admin).get("/api/v1/banks/").status_code == 200  # others go on
