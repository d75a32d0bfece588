"""Question banks in Excel: the template and the export, read back by the importer."""

import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quizzes import excel
from quizzes.importing.plan import questions_import
from quizzes.importing.read import ImportRefused
from quizzes.models import Question

from ..factories import make_bank, make_question
from .import_files import jiangtang_xlsx

pytestmark = pytest.mark.django_db


def run(bank, data: bytes, **options):
    return questions_import(bank=bank, data=data, filename="bank.xlsx", **options)


def test_template_imports_cleanly_and_explains_itself():
    bank = make_bank()
    template = excel.template_xlsx()
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["ID", "题型", "题干"] and "选项H" in header
    assert all(row[0].value is None for row in sheet.iter_rows(min_row=2))  # no IDs
    assert "新题请留空" in sheet["A1"].comment.text
    assert any("ID 列：新题留空" in (row[0].value or "") for row in workbook["填写说明"].rows)
    report = run(bank, template, dry_run=False)
    assert report.committed and report.created == 4 and not report.warnings
    kinds = sorted(bank.questions.values_list("kind", flat=True))
    assert kinds == ["fill", "multiple", "single", "truefalse"]
    fill = bank.questions.get(kind="fill")
    assert fill.answer == [["十八", "18"]]


def test_export_carries_ids_and_eight_options_and_imports_back_unchanged():
    source = make_bank()
    make_question(source, "single", tags=["党员"], source="《党章》")
    make_question(source, "multiple", options=[f"选项{n}" for n in range(8)], answer=["A", "H"])
    make_question(source, "truefalse", answer=[False], is_active=False)
    make_question(
        source, "fill", stem="年满（　）岁，预备期（　）年。", answer=[["十八", "18"], ["一", "1"]]
    )
    make_question(source, "single", stem="=1+1 是公式吗（　）？", explanation="-开头的解析")
    exported = excel.bank_export_xlsx(bank=source)
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [cell.value for cell in sheet[1]]
    assert header == excel.HEADER and header[0] == "ID"
    ids = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert ids == list(source.questions.order_by("id").values_list("id", flat=True))
    stems = [c.value for c in sheet["C"]]
    assert "'=1+1 是公式吗（　）？" in stems  # escaped against formula injection
    report = run(source, exported, dry_run=False)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5), report.errors


def test_an_export_without_its_ids_copies_a_bank():
    source = make_bank()
    make_question(source, "single", tags=["党员"], source="《党章》")
    make_question(source, "truefalse", answer=[False], is_active=False)
    make_question(source, "fill", stem="年满（　）岁。", answer=[["十八", "18"]])
    workbook = load_workbook(io.BytesIO(excel.bank_export_xlsx(bank=source)))
    workbook.active.delete_cols(1)
    out = io.BytesIO()
    workbook.save(out)
    target = make_bank()
    report = run(target, out.getvalue(), dry_run=False)
    assert report.created == 3, report.errors
    fields = ["kind", "stem", "options", "answer", "explanation", "difficulty"]
    fields += ["category", "tags", "source", "is_active"]
    assert list(target.questions.order_by("id").values(*fields)) == list(
        source.questions.order_by("id").values(*fields)
    )


def test_formulas_are_read_as_text():
    data = jiangtang_xlsx(
        [{"kind": "单选", "stem": '=HYPERLINK("http://x","点我")', "options": ["甲", "乙"]}
         | {"answer": "A"}]
    )  # fmt: skip
    report = run(make_bank(), data, dry_run=False)
    assert report.committed
    assert Question.objects.get().stem == '=HYPERLINK("http://x","点我")'


def test_malformed_file_is_refused():
    with pytest.raises(ImportRefused) as refused:
        run(make_bank(), b"PK\x03\x04 broken zip")
    assert refused.value.code == "unreadable"


def test_zip_bomb_is_refused_with_bounded_memory():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    data = bomb.getvalue()
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused):
            run(make_bank(), data, dry_run=False)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024


def test_xml_entities_are_refused():
    good = jiangtang_xlsx([{"kind": "判断", "stem": "对吗", "answer": "对"}])
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"<worksheet",
                    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet',
                    1,
                )
            target.writestr(info, content)
    with pytest.raises(ImportRefused):
        run(make_bank(), out.getvalue(), dry_run=False)
    assert not Question.objects.exists()


def test_admin_import_page_leads_to_the_authoring_import(org, client):
    bank = make_bank()
    client.force_login(org.city_admin)
    response = client.get(f"/admin/quizzes/questionbank/{bank.pk}/import/")
    assert response.status_code == 302
    assert response["Location"] == reverse("authoring:bank_import", args=[bank.pk])
    client.force_login(org.unit_admin)  # a city-wide bank: not this unit admin's
    assert client.get(f"/admin/quizzes/questionbank/{bank.pk}/import/").status_code == 404


def test_admin_question_form_checks_the_answer_format(org, client):
    bank = make_bank()
    client.force_login(org.city_admin)
    base = {
        "bank": bank.pk,
        "stem": "年满（　）岁可以申请入党。",
        "options": "[]",
        "explanation": "",
        "difficulty": 2,
        "category": "党章党规",
        "tags": "[]",
        "source": "",
        "is_active": "on",
    }
    bad = client.post(
        "/admin/quizzes/question/add/", {**base, "kind": "fill", "answer": '["十八"]'}
    )
    assert bad.status_code == 200 and "answer" in bad.context["adminform"].form.errors
    good = client.post(
        "/admin/quizzes/question/add/", {**base, "kind": "fill", "answer": '[["十八", "18"]]'}
    )
    assert good.status_code == 302
    assert Question.objects.get().stem_key
