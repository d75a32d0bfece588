"""The import's plan and commit: real-shaped files from other systems, duplicates,
skipped kinds, the round trip of an edited export, all or nothing, query counts."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from quizzes import excel
from quizzes.importing import cells
from quizzes.importing.plan import questions_import
from quizzes.importing.read import ImportRefused
from quizzes.models import AttemptQuestion, Mistake, Question

from ..factories import make_bank, make_lecture, make_question, make_quiz
from .import_files import (
    GENERIC_ROWS,
    YF_EXAM_QUESTIONS,
    csv_bytes,
    generic_columns_xlsx,
    jiangtang_rows,
    jiangtang_xlsx,
    xlsx_bytes,
    yf_exam_xlsx,
)

pytestmark = pytest.mark.django_db

SINGLE = {
    "kind": "单选",
    "stem": "党的最高领导机关是（　）。",
    "options": ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处"],
    "answer": "A",
}


def single(n: int, **extra) -> dict:
    return {**SINGLE, "stem": f"第{n}题：党的最高领导机关是（　）。", **extra}


def run(bank, data, filename="bank.xlsx", **options):
    return questions_import(bank=bank, data=data, filename=filename, **options)


# --- files from other systems ---------------------------------------------------------


def test_yf_exam_row_per_option_template_imports_its_questions_and_skips_the_open_one():
    bank = make_bank()
    data = yf_exam_xlsx(YF_EXAM_QUESTIONS)
    preview = run(bank, data, filename="试题导入模板.xlsx")
    assert preview.layout == "yf_exam" and preview.header_row == 2
    assert (preview.created, preview.updated, len(preview.skipped)) == (3, 0, 1)
    assert "简答" in preview.skipped[0].reason and not preview.errors
    assert not preview.committed and not Question.objects.exists()

    report = run(bank, data, filename="试题导入模板.xlsx", dry_run=False)
    assert report.committed and report.created == 3
    by_kind = {q.kind: q for q in bank.questions.all()}
    assert by_kind["single"].answer == ["A"]
    assert by_kind["single"].options[1] == "中央政治局"
    assert by_kind["multiple"].answer == ["A", "B", "D"]
    assert by_kind["truefalse"].answer == [True] and by_kind["truefalse"].options == []
    assert by_kind["single"].category == "党章党规"
    assert [r.action for r in report.rows] == ["create", "create", "create", "skip"]
    assert all(r.question_id for r in report.rows if r.action == "create")


def test_generic_columns_sheet_reads_words_letters_and_answers_in_option_columns():
    bank = make_bank()
    report = run(bank, generic_columns_xlsx(GENERIC_ROWS, extra=("分类",)), dry_run=False)
    assert report.layout == "generic_columns"
    assert not report.errors, report.errors
    assert (report.created, len(report.skipped)) == (9, 1)
    assert "简答题" in report.skipped[0].reason
    questions = {q.stem: q for q in bank.questions.all()}
    assert questions["中国共产党的根本宗旨是（　）。"].difficulty == 1  # 简单
    assert questions["中国共产党的根本宗旨是（　）。"].category == "党章党规"
    assert questions["党的思想路线的核心是（　）。"].difficulty == 3  # 中等
    assert questions["党的思想路线的核心是（　）。"].category == "未分类"
    assert questions["下列属于党的纪律处分的有（　）。"].difficulty == 5  # 困难
    assert questions["下列属于党的纪律处分的有（　）。"].answer == ["A", "B", "C", "D", "E"]
    assert questions["党员享有表决权。"].answer == [True]  # A = 正确
    assert questions["预备党员有选举权。"].answer == [False]  # B = 错误
    fill = questions["党的最高理想和最终目标是实现（　）。"]
    assert fill.kind == "fill" and fill.answer == [["共产主义"]]
    two = next(q for q in questions.values() if q.stem.startswith("年满"))
    assert two.stem.count("（　）") == 2 and two.answer == [["十八"], ["一"]]
    assert len(questions["下列哪一项不是党的优良作风（　）。"].options) == 8


def test_header_in_row_three_without_the_optional_columns():
    bank = make_bank()
    rows = jiangtang_rows(
        [single(1), single(2, answer="B")],
        fields=["kind", "stem", "A", "B", "C", "answer"],
    )
    data = xlsx_bytes(rows, above=[["2026年党建知识题库"], []])
    report = run(bank, data, dry_run=False)
    assert report.header_row == 3 and report.layout == "jiangtang"
    assert report.created == 2 and not report.errors
    question = bank.questions.order_by("id").first()
    assert (question.difficulty, question.category, question.is_active) == (3, "未分类", True)


def test_gb18030_csv():
    bank = make_bank()
    rows = jiangtang_rows(
        [
            single(1, difficulty="较难", tags="党章、纪律", explanation="党章第十条"),
            {"kind": "判断", "stem": "党员应当遵守党的纪律。", "answer": "√"},
            {"kind": "填空", "stem": "党的最高理想是实现( )。", "answer": "共产主义"},
            {"kind": "多选", "stem": "三会包括", "options": ["甲", "乙", "丙"], "answer": "A、C"},
        ]
    )
    report = run(bank, csv_bytes(rows), filename="题库.csv", dry_run=False)
    assert report.created == 4, report.errors
    stems = {q.kind: q for q in bank.questions.all()}
    assert stems["single"].difficulty == 4 and stems["single"].tags == ["党章", "纪律"]
    assert stems["truefalse"].answer == [True]
    assert stems["fill"].stem == "党的最高理想是实现（　）。"
    assert stems["multiple"].answer == ["A", "C"]


def test_a_mapped_layout_is_remembered_by_the_bank():
    bank = make_bank()
    rows = [["类型", "内容", "甲", "乙", "对的"], ["单选", "问题一（　）", "是", "否", "A"]]
    with pytest.raises(ImportRefused) as refused:
        run(bank, xlsx_bytes(rows))
    assert refused.value.code == "mapping_required" and "内容" in refused.value.columns
    mapping = {"类型": "kind", "内容": "stem", "甲": "A", "乙": "B", "对的": "answer"}
    report = run(bank, xlsx_bytes(rows), mapping=mapping, dry_run=False)
    assert report.layout == "mapped" and report.created == 1
    bank.refresh_from_db()
    assert bank.import_mapping == {"version": 1, "columns": mapping}
    # the next file of that shape needs no mapping
    again = run(bank, xlsx_bytes([rows[0], ["单选", "问题二（　）", "是", "否", "B"]]))
    assert again.layout == "mapped" and again.created == 1


# --- duplicates and skipped kinds -----------------------------------------------------


def duplicate_file() -> bytes:
    return jiangtang_xlsx(
        [
            single(1),  # row 2
            {**single(1), "stem": "第1题：党的最高领导机关是 ( )"},  # row 3: row 2 again
            single(2),  # row 4: in the bank already
            {**single(3), "options": ["甲", "乙", "丙"]},  # row 5: same stem, other options
            {"kind": "简答", "stem": "简述党的性质。", "answer": "略"},  # row 6
        ]
    )


def test_duplicates_are_warnings_and_skipped_by_default():
    bank = make_bank()
    existing = make_question(bank, stem=single(2)["stem"], options=SINGLE["options"])
    make_question(bank, stem=single(3)["stem"], options=SINGLE["options"])
    report = run(bank, duplicate_file(), dry_run=False)
    assert report.committed and not report.errors
    assert (report.created, report.duplicates) == (2, 2)
    assert [(s.row, s.reason) for s in report.skipped] == [
        (3, "与第2行重复（题干和选项相同）。"),
        (4, f"题库中已有这道题（ID {existing.pk}）。"),
        (6, report.skipped[2].reason),
    ]
    assert "简答" in report.skipped[2].reason
    messages = {w.row: w.message for w in report.warnings}
    assert "题干相同" in messages[5] and "选项不同" in messages[5]
    assert bank.questions.count() == 4


def test_duplicates_kept_when_asked():
    bank = make_bank()
    make_question(bank, stem=single(2)["stem"], options=SINGLE["options"])
    report = run(bank, duplicate_file(), duplicates="keep", dry_run=False)
    assert (report.created, report.duplicates, len(report.skipped)) == (4, 2, 1)
    assert bank.questions.count() == 5
    assert {w.row for w in report.warnings} == {3, 4}


# --- round trip ---------------------------------------------------------------------


def edited(export: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(export))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    change(sheet, {title: index + 1 for index, title in enumerate(header)})
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_edited_export_updates_the_same_questions_and_keeps_their_history(org):
    bank = make_bank()
    first = make_question(bank, "single", tags=["党员"], source="《党章》")
    second = make_question(bank, "multiple")
    third = make_question(bank, "truefalse", answer=[False])
    fourth = make_question(
        bank, "fill", stem="年满（　）岁，预备期（　）年。", answer=[["十八"], ["一"]]
    )
    quiz = make_quiz([first, second])
    from quizzes import services

    attempt = services.attempt_start(member=org.member_a1, quiz=quiz)
    services.answer_save(
        attempt_id=attempt.pk,
        member=org.member_a1,
        question_id=first.pk,
        data={"choices": ["A"]},
    )
    services.attempt_submit(attempt_id=attempt.pk, member=org.member_a1)
    assert Mistake.objects.filter(question=first).exists()

    export = excel.bank_export_xlsx(bank=bank)
    assert load_workbook(io.BytesIO(export)).active["A1"].value == "ID"
    unchanged = run(bank, export)
    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 4)

    def change(sheet, column):
        sheet.cell(row=2, column=column["题干"], value="改过的题干（　）。")
        sheet.cell(row=3, column=column["答案"], value="ABD")
        sheet.delete_rows(4)  # the 判断 row is gone
        sheet.cell(row=6, column=column["题型"], value="单选")  # a new question, no ID
        sheet.cell(row=6, column=column["题干"], value="新加的题（　）。")
        for key in "ABC":
            sheet.cell(row=6, column=column[f"选项{key}"], value=f"新{key}")
        sheet.cell(row=6, column=column["答案"], value="C")

    data = edited(export, change)
    report = run(bank, data, dry_run=False)
    assert report.committed and not report.errors
    assert (report.created, report.updated, report.unchanged, report.deactivated) == (1, 2, 1, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stem == "改过的题干（　）。" and first.tags == ["党员"]
    assert first.stem_key == "改过的题干"
    assert second.answer == ["A", "B", "D"]
    assert AttemptQuestion.objects.filter(question=first, attempt=attempt).exists()
    assert Mistake.objects.filter(question=first).exists()
    third.refresh_from_db()
    assert third.is_active  # a deleted row deletes nothing unless asked
    fourth.refresh_from_db()
    assert fourth.answer == [["十八"], ["一"]]

    asked = run(bank, data, missing="deactivate", dry_run=False)
    assert (asked.updated, asked.unchanged, asked.deactivated) == (0, 3, 1)
    assert asked.duplicates == 1  # the new row is now in the bank (and so not missing)
    third.refresh_from_db()
    assert not third.is_active and Question.objects.filter(pk=third.pk).exists()


def test_an_id_of_another_bank_and_a_kind_change_of_an_answered_question_are_errors(org):
    bank, other = make_bank(), make_bank()
    answered = make_question(bank, "single")
    foreign = make_question(other, "single")
    quiz = make_quiz([answered])
    from quizzes import services

    services.attempt_start(member=org.member_a1, quiz=quiz)
    data = jiangtang_xlsx(
        [
            {**single(1), "id": foreign.pk},
            {"id": answered.pk, "kind": "多选", "stem": answered.stem,
             "options": answered.options, "answer": "AB"},
            {**single(2), "id": "x1"},
        ]
    )  # fmt: skip
    report = run(bank, data, dry_run=False)
    assert not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(2, "ID"), (3, "题型"), (4, "ID")]
    assert "ID" in report.errors[0].message and "作答" in report.errors[1].message
    answered.refresh_from_db()
    assert answered.kind == "single"


# --- all or nothing ------------------------------------------------------------------


def test_a_refused_import_changes_nothing():
    bank = make_bank()
    kept = make_question(bank, "single")
    before = list(Question.objects.values_list("id", "stem", "is_active"))
    data = jiangtang_xlsx(
        [
            {**single(1), "id": kept.pk, "stem": "要改的题干（　）"},
            single(2),
            single(3, answer="Z"),  # row 4
            single(4, difficulty="很高很高"),  # row 5
            {"kind": "判断", "stem": "也许吧", "answer": "也许"},  # row 6
            {"kind": "填空", "stem": "没有空的填空题", "answer": "甲"},  # row 7
        ]
    )
    report = run(bank, data, missing="deactivate", dry_run=False)
    assert not report.committed and report.created == report.updated == 0
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "答案"),
        (5, "难度"),
        (6, "答案"),
        (7, "题干"),
    ]
    assert "不存在" in report.errors[0].message
    assert list(Question.objects.values_list("id", "stem", "is_active")) == before
    assert report.as_dict()["detail"].startswith("没有导入")


def test_an_unreadable_file_is_refused_with_a_code():
    with pytest.raises(ImportRefused) as refused:
        run(make_bank(), b"PK\x03\x04 broken zip", dry_run=False)
    assert refused.value.code == "unreadable"
    assert not Question.objects.exists()


def test_dry_run_writes_nothing():
    bank = make_bank()
    rows = jiangtang_rows([single(1), single(2)], fields=["kind", "stem", "A", "B", "C", "answer"])
    mapping = {"题型": "kind", "题干": "stem", "选项A": "A", "选项B": "B", "选项C": "C"}
    mapping["答案"] = "answer"
    report = run(bank, xlsx_bytes(rows), mapping=mapping)
    assert report.created == 2 and not report.committed
    bank.refresh_from_db()
    assert not Question.objects.exists() and bank.import_mapping == {}


# --- 出处 → lecture passages -----------------------------------------------------------


def test_a_source_naming_a_lecture_passage_cites_it():
    lecture = make_lecture(
        month=date(2026, 11, 1), title="学习党章", body="第一段。\n\n第二段。\n\n第三段。"
    )
    bank = make_bank()
    data = jiangtang_xlsx(
        [
            single(1, source="2026年11月 机关大讲堂 第3段"),
            single(2, source="《学习党章》第9段"),
            single(3, source="《中国共产党章程》"),
        ]
    )
    report = run(bank, data, dry_run=False)
    assert report.created == 3
    cited = {q.source: (q.lecture_id, q.passage) for q in bank.questions.all()}
    assert cited["2026年11月 机关大讲堂 第3段"] == (lecture.pk, 3)
    assert cited["《学习党章》第9段"] == (lecture.pk, None)
    assert cited["《中国共产党章程》"] == (None, None)
    [warning] = report.warnings
    assert warning.row == 3 and "第9段" in warning.message


# --- cost -----------------------------------------------------------------------------


def test_a_500_row_import_takes_a_few_queries_whatever_its_size():
    make_lecture(month=date(2026, 11, 1), title="学习党章", body="一。\n\n二。")

    def queries(n: int) -> int:
        bank = make_bank()
        existing = [make_question(bank) for _ in range(3)]
        questions = [
            single(i, source="《学习党章》第1段", category=f"分类{i % 7}") for i in range(n)
        ]
        questions += [{**single(900 + i), "id": q.pk} for i, q in enumerate(existing)]
        data = jiangtang_xlsx(questions)
        with CaptureQueriesContext(connection) as captured:
            report = run(bank, data, missing="deactivate", dry_run=False)
        assert report.committed and report.created == n and report.updated == 3
        return len(captured)

    small, large = queries(20), queries(500)
    assert large == small and large <= 12


# --- cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        *[("", 3), ("1", 1), ("3.0", 3), ("5", 5), ("易", 1), ("较易", 2), ("中", 3)],
        *[("较难", 4), ("难", 5), ("简单", 1), ("中等", 3), ("困难", 5), ("★★", 2)],
        *[("6", None), ("很怪", None)],
    ],
)
def test_difficulty_words(text, level):
    assert cells.read_difficulty(text) == level


@pytest.mark.parametrize(
    ("answer", "options", "truth"),
    [
        ("对", [], True),
        ("错误", [], False),
        ("√", [], True),
        ("×", [], False),
        ("✓", [], True),
        ("✗", [], False),
        ("T", [], True),
        ("F", [], False),
        ("A", [], True),
        ("B", [], False),
        ("A", ["错误", "正确"], False),
        ("B", ["错", "对"], True),
        ("1", [], True),
        ("0", [], False),
    ],
)
def test_true_or_false_answers(answer, options, truth):
    row = {"kind": "判断题", "stem": "判断", "answer": answer}
    row.update(zip("ABCDEFGH", options, strict=False))
    parsed = cells.parse_row(row)
    assert parsed.fields["answer"] == [truth] and parsed.fields["options"] == []


@pytest.mark.parametrize("answer", ["ACD", "A,C,D", "A，C，D", "A C D", "A、C、D", "acd"])
def test_multiple_answers(answer):
    row = {"kind": "多项选择题", "stem": "多选", "A": "1", "B": "2", "C": "3", "D": "4"}
    assert cells.parse_row({**row, "answer": answer}).fields["answer"] == ["A", "C", "D"]


@pytest.mark.parametrize("marker", ["（　）", "()", "（）", "( )", "___", "________"])
def test_blank_markers_become_one_form(marker):
    parsed = cells.parse_row({"kind": "填空", "stem": f"年满{marker}岁", "answer": "十八/18"})
    assert parsed.fields["stem"] == "年满（　）岁" and parsed.fields["answer"] == [["十八", "18"]]


@pytest.mark.parametrize(
    ("stem", "answer", "expected"),
    [
        ("党的（1）是实现共产主义，党的（2）是全心全意为人民服务。", "最高理想|根本宗旨", 2),
        ("党的__1__是实现共产主义。", "最高理想", 1),
        ("第(1)条规定了入党年龄（　）岁。", "十八", 1),  # a numbered text beside a real blank
    ],
)
def test_numbered_blanks_when_they_match_the_answers(stem, answer, expected):
    parsed = cells.parse_row({"kind": "填空", "stem": stem, "answer": answer})
    assert not parsed.errors, parsed.errors
    assert parsed.fields["stem"].count("（　）") == expected


def test_numbers_that_are_not_blanks_stay_text():
    parsed = cells.parse_row({"kind": "填空", "stem": "（1）和（2）哪个对", "answer": "甲"})
    assert parsed.errors and parsed.errors[0][0] == "stem"


def test_kinds_read_and_skipped():
    assert cells.read_kind("单项选择题") == ("single", False)
    assert cells.read_kind("不定项") == ("indefinite", False)
    assert cells.read_kind("是非题") == ("truefalse", False)
    for word in ["简答题", "论述题", "问答", "材料分析题", "名词解释", "案例分析"]:
        assert cells.read_kind(word) == (None, True), word
    one = cells.parse_row({"kind": "不定项", "stem": "x", "A": "1", "B": "2", "answer": "B"})
    assert one.fields["kind"] == "single"
    missing = cells.parse_row({"kind": "填空", "stem": "没有空", "answer": "甲"})
    assert missing.errors and missing.errors[0][0] == "stem"
