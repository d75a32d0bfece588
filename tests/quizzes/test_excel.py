"""Question banks in Excel: template, all-or-nothing import, precise errors, round trip."""

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from quizzes import excel
from quizzes.models import Question

from ..factories import make_bank, make_question

pytestmark = pytest.mark.django_db


def sheet(rows, header=tuple(excel.HEADER)) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(kind="单选", stem="题干", options=("甲", "乙", "丙", "丁"), answer="B", **extra):
    options = list(options) + [""] * (6 - len(options))
    return [
        kind,
        stem,
        *options,
        answer,
        extra.get("explanation", "解析"),
        extra.get("difficulty", 2),
        extra.get("category", "党章党规"),
        extra.get("tags", "党员、纪律"),
        extra.get("source", "《中国共产党章程》"),
        extra.get("enabled", "是"),
    ]


def test_template_imports_cleanly():
    bank = make_bank()
    report = excel.questions_import_xlsx(bank=bank, data=excel.template_xlsx())
    assert report.ok and report.created == 4
    kinds = sorted(bank.questions.values_list("kind", flat=True))
    assert kinds == ["fill", "multiple", "single", "truefalse"]
    fill = bank.questions.get(kind="fill")
    assert fill.answer == [["十八", "18"]]


def test_fifty_rows_with_three_bad_give_three_errors_and_import_nothing():
    rows = [row(stem=f"第{n}题：党的最高领导机关是什么（　）。") for n in range(50)]
    rows[9] = row(stem="第十题", answer="E")  # row 11: an option that does not exist
    rows[24] = row(kind="判断", stem="第二十五题", options=(), answer="也许")  # row 26
    rows[39] = row(stem="第四十题", difficulty=9)  # row 41
    report = excel.questions_import_xlsx(bank=make_bank(), data=sheet(rows))
    assert [(e.row, e.column) for e in report.errors] == [(11, "答案"), (26, "答案"), (41, "难度")]
    assert "不存在" in report.errors[0].message
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("bad", "column", "fragment"),
    [
        (row(kind="问答"), "题型", "问答"),
        (row(stem=""), "题干", "题干为空"),
        (row(options=("甲", "", "丙")), "选项B", "不能有空缺"),
        (row(kind="单选", answer="AB"), "答案", "只有一个"),
        (row(kind="多选", answer="A"), "答案", "至少有两个"),
        (row(kind="多选", answer="AAB"), "答案", "重复"),
        (row(kind="填空", stem="没有空格的题", options=(), answer="x"), "题干", "（　）"),
        (row(kind="填空", stem="甲（　）乙（　）", options=(), answer="x"), "答案", "2"),
        (row(category=""), "分类", "分类为空"),
        (row(enabled="也许"), "启用", "是"),
    ],
)
def test_each_kind_of_problem_is_named(bad, column, fragment):
    report = excel.questions_import_xlsx(bank=make_bank(), data=sheet([bad]))
    [error] = report.errors
    assert (error.row, error.column) == (2, column)
    assert fragment in error.message


def test_duplicates_by_normalised_stem():
    bank = make_bank()
    make_question(bank, stem="党的最高领导机关是（　）。")
    rows = [
        row(stem="党的最高领导机关是 (  )"),  # the same question, other punctuation
        row(stem="预备党员的预备期为（　）。"),
        row(stem="预备党员的预备期为 ( )"),
    ]
    report = excel.questions_import_xlsx(bank=bank, data=sheet(rows))
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "题库中已有这道题。"),
        (4, "与第 3 行的题目重复。"),
    ]
    assert bank.questions.count() == 1


def test_round_trip_export_then_import_gives_the_same_bank():
    source = make_bank()
    make_question(source, "single", tags=["党员"], source="《党章》")
    make_question(source, "multiple")
    make_question(source, "truefalse", answer=[False], is_active=False)
    make_question(
        source, "fill", stem="年满（　）岁，预备期（　）年。", answer=[["十八", "18"], ["一", "1"]]
    )
    make_question(source, "single", stem="=1+1 是公式吗（　）？", explanation="-开头的解析")
    exported = excel.bank_export_xlsx(bank=source)
    cells = [c.value for c in load_workbook(io.BytesIO(exported)).active["B"]]
    assert "'=1+1 是公式吗（　）？" in cells  # escaped against formula injection
    target = make_bank()
    report = excel.questions_import_xlsx(bank=target, data=exported)
    assert report.ok, report.errors
    fields = ["kind", "stem", "options", "answer", "explanation", "difficulty"]
    fields += ["category", "tags", "source", "is_active"]
    assert list(target.questions.order_by("id").values(*fields)) == list(
        source.questions.order_by("id").values(*fields)
    )


def test_formulas_are_read_as_text():
    report = excel.questions_import_xlsx(
        bank=make_bank(), data=sheet([row(stem='=HYPERLINK("http://x","点我")')])
    )
    assert report.ok
    assert Question.objects.get().stem == '=HYPERLINK("http://x","点我")'


def test_malformed_file_is_refused():
    with pytest.raises(excel.ImportRefused, match="xlsx"):
        excel.questions_import_xlsx(bank=make_bank(), data=b"PK\x03\x04 broken zip")


def test_zip_bomb_is_refused_with_bounded_memory():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    data = bomb.getvalue()
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(excel.ImportRefused, match="50 MB"):
            excel.questions_import_xlsx(bank=make_bank(), data=data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024


def test_zip_bomb_through_the_api_is_400(org, api_as):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (100 * 1024 * 1024))
    bank = make_bank()
    response = api_as(org.city_admin).post(
        f"/api/v1/banks/{bank.pk}/import/", {"file": upload(bomb.getvalue())}, format="multipart"
    )
    assert response.status_code == 400 and "50 MB" in response.json()["detail"]
    assert not Question.objects.exists()


def test_xml_entities_are_refused():
    good = sheet([row()])
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
    with pytest.raises(excel.ImportRefused):
        excel.questions_import_xlsx(bank=make_bank(), data=out.getvalue())
    assert not Question.objects.exists()


# --- through the API ------------------------------------------------------------------


def upload(data: bytes, name="bank.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_api_import_report_and_success(org, api_as):
    bank = make_bank()
    client = api_as(org.city_admin)
    bad = client.post(
        f"/api/v1/banks/{bank.pk}/import/",
        {"file": upload(sheet([row(), row(stem="二", answer="Z")]))},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"row": 3, "column": "答案", "message": bad.json()["errors"][0]["message"]}
    ]
    assert not Question.objects.exists()
    good = client.post(
        f"/api/v1/banks/{bank.pk}/import/", {"file": upload(sheet([row()]))}, format="multipart"
    )
    assert good.status_code == 200 and good.json()["created"] == 1


def test_api_import_refuses_garbage_and_outsiders(org, api_as):
    bank = make_bank(unit=org.unit_b)
    response = api_as(org.city_admin).post(
        f"/api/v1/banks/{bank.pk}/import/",
        {"file": upload(b"not a spreadsheet")},
        format="multipart",
    )
    assert response.status_code == 400 and "xlsx" in response.json()["detail"]
    # a unit admin manages only the own unit's banks; members none
    assert (
        api_as(org.unit_admin)
        .post(f"/api/v1/banks/{bank.pk}/import/", {}, format="multipart")
        .status_code
        == 404
    )
    assert api_as(org.member_a1).get("/api/v1/banks/template/").status_code == 403
    export = api_as(org.city_admin).get(f"/api/v1/banks/{bank.pk}/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxml"
    )


def test_admin_import_page(org, client):
    bank = make_bank()
    client.force_login(org.city_admin)
    response = client.post(
        f"/admin/quizzes/questionbank/{bank.pk}/import/",
        {"file": upload(sheet([row(), row(stem="二", answer="Z")]))},
    )
    assert response.status_code == 200 and "import-errors" in response.content.decode()
    response = client.post(
        f"/admin/quizzes/questionbank/{bank.pk}/import/", {"file": upload(sheet([row()]))}
    )
    assert response.status_code == 302 and bank.questions.count() == 1


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
