"""Reading question files as other systems write them: file kinds, the header row,
the known layouts, the column mapping, and the refusals a page can tell apart."""

import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import excel
from quizzes.importing import read
from quizzes.importing.read import ImportRefused, read_questions

from .import_files import (
    GENERIC_ROWS,
    YF_EXAM_QUESTIONS,
    csv_bytes,
    generic_columns_rows,
    generic_columns_xlsx,
    jiangtang_rows,
    jiangtang_xlsx,
    xls_bytes,
    xlsx_bytes,
    yf_exam_rows,
    yf_exam_xlsx,
)

MINIMAL = [
    {
        "kind": "单选",
        "stem": "党的根本宗旨是（　）。",
        "options": ["甲", "全心全意为人民服务", "丙", "丁"],
        "answer": "B",
    },
    {"kind": "判断", "stem": "党员享有表决权。", "answer": "对"},
]


def refused(**kwargs) -> ImportRefused:
    kwargs.setdefault("filename", "题库.xlsx")
    with pytest.raises(ImportRefused) as caught:
        read_questions(**kwargs)
    return caught.value


# yf-exam: one row per option under a title row


def test_yf_exam_template_is_pivoted_into_questions():
    result = read_questions(data=yf_exam_xlsx(YF_EXAM_QUESTIONS), filename="试题导出.xlsx")

    assert result.layout == "yf_exam"
    assert result.header_row == 2  # row 1 is the title "试题"
    assert result.columns[:3] == ["题目序号", "题目类型", "题目内容"]
    assert result.mapping == {
        "题目类型": "kind",
        "题目内容": "stem",
        "整体解析": "explanation",
        "所属题库": "category",
    }
    single, multiple, truefalse, essay = result.rows
    # each question's row is the row of its first option line: 3, then 3+4, 7+4, 11+2
    assert [r.row for r in result.rows] == [3, 7, 11, 13]
    assert single.cells == {
        "kind": "单选",
        "stem": "党的最高领导机关是（　）。",
        "explanation": "见党章第十条。\nA：党章原文",
        "category": "党章党规",
        "A": "党的全国代表大会和它所产生的中央委员会",
        "B": "中央政治局",
        "C": "中央书记处",
        "D": "中央军事委员会",
        "answer": "A",
    }
    assert multiple.cells["kind"] == "多选" and multiple.cells["answer"] == "ABD"
    assert [multiple.cells[k] for k in "ABCD"] == ["政治纪律", "组织纪律", "财经纪律", "廉洁纪律"]
    # 判断 keeps its 正确/错误 rows as options A/B; the planner maps the letter
    assert truefalse.cells["kind"] == "判断"
    assert (truefalse.cells["A"], truefalse.cells["B"], truefalse.cells["answer"]) == (
        "正确",
        "错误",
        "A",
    )
    # 简答: the kind as a word (the planner skips it), its reference answer, no options
    assert essay.cells["kind"] == "简答"
    assert essay.cells["answer"] == "坚持和加强党的全面领导……"
    assert "A" not in essay.cells
    assert result.notes == []


def test_yf_exam_with_words_blank_numbers_and_repeated_question_cells():
    questions = [
        {
            "type": "单选题",
            "content": "党的三大优良作风不包括（　）。",
            "options": [("理论联系实际", "否"), ("密切联系群众", "否"), ("官僚主义", "是")],
        },
        {
            "type": "判断题",
            "content": "党员可以参加两个支部。",
            "options": [("正确", "否"), ("错误", "是")],
        },
    ]
    rows = yf_exam_rows(questions, repeat_question=True, number_every_row=False)

    result = read_questions(data=xlsx_bytes(rows, above=[["试题"]]), filename="a.xlsx")

    assert [(r.row, r.cells["kind"], r.cells["answer"]) for r in result.rows] == [
        (3, "单选题", "C"),
        (6, "判断题", "B"),
    ]
    assert result.rows[0].cells["C"] == "官僚主义"


def test_yf_exam_numbered_rows_left_blank_at_the_end_are_skipped():
    rows = yf_exam_rows(YF_EXAM_QUESTIONS[:1])
    rows += [[n, "", "", "", "", "", "", "", "", "", ""] for n in (2, 3)]

    result = read_questions(data=xlsx_bytes(rows, above=[["试题"]]), filename="a.xlsx")

    assert len(result.rows) == 1
    assert [row for row, _message in result.notes] == [7, 8]


def test_yf_exam_with_an_added_source_column():
    question = {**YF_EXAM_QUESTIONS[0], "source": "2026年11月 机关大讲堂 第3段"}

    result = read_questions(data=yf_exam_xlsx([question]), filename="a.xlsx")

    assert result.rows[0].cells["source"] == "2026年11月 机关大讲堂 第3段"
    assert result.mapping["出处"] == "source"


def test_yf_exam_more_than_eight_options_are_cut_with_a_note():
    options = [(f"选项{n}", 1 if n == 1 else 0) for n in range(1, 11)]
    data = yf_exam_xlsx([{"type": 1, "content": "十个选项的题", "options": options}])

    result = read_questions(data=data, filename="a.xlsx")

    (question,) = result.rows
    assert question.cells["H"] == "选项8" and "I" not in question.cells
    assert question.cells["answer"] == "A"
    assert [row for row, _message in result.notes] == [11]  # the ninth option's row


# 题型｜问题内容｜难度｜正确选项｜A…H


def test_generic_columns_sheet_with_fill_answers_in_the_option_columns():
    data = generic_columns_xlsx(GENERIC_ROWS, extra=("分类", "解析"))

    result = read_questions(data=data, filename="题库.xlsx")

    assert result.layout == "generic_columns"
    assert result.header_row == 1
    assert result.mapping["问题内容"] == "stem" and result.mapping["正确选项"] == "answer"
    assert result.mapping["H"] == "H" and result.mapping["分类"] == "category"
    rows = {r.row: r.cells for r in result.rows}
    assert len(rows) == 10 and min(rows) == 2
    assert rows[2] == {
        "kind": "单选题",
        "stem": "中国共产党的根本宗旨是（　）。",
        "difficulty": "简单",
        "answer": "B",
        "A": "实现共产主义",
        "B": "全心全意为人民服务",
        "C": "解放生产力",
        "D": "共同富裕",
        "category": "党章党规",
    }
    assert rows[5]["answer"] == "A,B,C,D,E" and rows[5]["G"] == "降级"
    assert rows[6]["answer"] == "A"  # 判断 with a letter: left to the planner
    # 填空: the option columns were the blanks' answers
    assert rows[8]["answer"] == "共产主义" and "A" not in rows[8]
    assert rows[9]["answer"] == "十八|一" and "B" not in rows[9]
    assert rows[10]["kind"] == "简答题"
    assert rows[11]["H"] == "官僚主义" and rows[11]["answer"] == "H"


# Our own layout, wherever its header is


def test_header_in_row_three_without_the_optional_columns():
    fields = ["kind", "stem", "A", "B", "C", "D", "answer"]
    data = jiangtang_xlsx(MINIMAL, fields=fields, above=[["2024年党史知识题库"], []])

    result = read_questions(data=data, filename="题库.xlsx")

    assert result.layout == "jiangtang"
    assert result.header_row == 3
    assert result.columns == ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案"]
    assert [r.row for r in result.rows] == [4, 5]
    assert result.rows[0].cells == {
        "kind": "单选",
        "stem": "党的根本宗旨是（　）。",
        "A": "甲",
        "B": "全心全意为人民服务",
        "C": "丙",
        "D": "丁",
        "answer": "B",
    }
    assert result.rows[1].cells == {"kind": "判断", "stem": "党员享有表决权。", "answer": "对"}


def test_our_export_shape_with_id_and_every_column():
    questions = [
        {
            "id": 41,
            "kind": "多选",
            "stem": "党的纪律包括（　）。",
            "options": [
                "政治纪律",
                "组织纪律",
                "群众纪律",
                "工作纪律",
                "廉洁纪律",
                "生活纪律",
                "七",
                "八",
            ],
            "answer": "ABCDEF",
            "explanation": "六项纪律",
            "difficulty": 3,
            "category": "党章党规",
            "tags": "纪律、党章",
            "source": "2026年11月 机关大讲堂 第3段",
            "active": "是",
        }
    ]

    result = read_questions(data=jiangtang_xlsx(questions), filename="导出.xlsx")

    assert result.layout == "jiangtang"
    assert result.columns[0] == "ID" and result.mapping["ID"] == "id"
    cells = result.rows[0].cells
    assert cells["id"] == "41" and cells["difficulty"] == "3"  # whole numbers without ".0"
    assert cells["H"] == "八" and cells["source"] == "2026年11月 机关大讲堂 第3段"
    assert set(cells) == set(read.FIELD_KEYS)


def test_our_template_reads_as_our_layout():
    result = read_questions(data=excel.template_xlsx(), filename="模板.xlsx")

    assert result.layout == "jiangtang"
    assert {"kind", "stem", "answer"} <= set(result.mapping.values())
    assert len(result.rows) >= 4


def test_decorated_headers_and_synonyms():
    rows = [
        [
            "*试题类型",
            "题目内容（必填）",
            "选项1",
            "选项2",
            "选项3",
            "正确答案(必填)",
            "难易程度(1-5)",
            "知识点",
            "来源",
        ],
        ["单选", "题一", "甲", "乙", "丙", "A", 2, "党史", "《党史》"],
    ]

    result = read_questions(data=xlsx_bytes(rows), filename="a.xlsx")

    assert result.layout == "jiangtang"
    assert result.rows[0].cells == {
        "kind": "单选",
        "stem": "题一",
        "A": "甲",
        "B": "乙",
        "C": "丙",
        "answer": "A",
        "difficulty": "2",
        "category": "党史",
        "source": "《党史》",
    }


def test_required_marks_and_zero_width_spaces_in_headers():
    rows = [
        [
            "\ufeff题型（0单选，1判断，2多选）",
            "题目（必填）",
            "选项A（必填）",
            "选项B（必填）",
            "正确选项（必填）",
            "解析",
        ],
        ["单选", "题一", "甲", "乙", "B", ""],
    ]

    result = read_questions(data=xlsx_bytes(rows), filename="a.xlsx")

    assert result.layout == "jiangtang"  # 正确选项 without 问题内容: our layout's answer
    assert result.rows[0].cells == {
        "kind": "单选",
        "stem": "题一",
        "A": "甲",
        "B": "乙",
        "answer": "B",
    }


def test_the_better_word_wins_when_two_columns_name_one_field():
    rows = [
        ["题目", "题型", "题目内容", "正确答案", "答案"],
        ["第一题（标题）", "判断", "党员享有表决权。", "错", "对"],
    ]

    result = read_questions(data=xlsx_bytes(rows), filename="a.xlsx")

    assert result.rows[0].cells == {"kind": "判断", "stem": "党员享有表决权。", "answer": "对"}
    assert result.mapping == {"题型": "kind", "题目内容": "stem", "答案": "answer"}


def test_empty_rows_are_skipped_and_the_row_numbers_kept():
    table = jiangtang_rows(MINIMAL, fields=["kind", "stem", "answer"])
    table.insert(2, ["", None, ""])

    result = read_questions(data=xlsx_bytes(table), filename="a.xlsx")

    assert [r.row for r in result.rows] == [2, 4]


def test_a_row_with_text_only_outside_the_question_columns_is_noted():
    table = jiangtang_rows(MINIMAL, fields=["kind", "stem", "answer"])
    table[0].append("备注")
    table.append(["", "", "", "共2题"])

    result = read_questions(data=xlsx_bytes(table), filename="a.xlsx")

    assert len(result.rows) == 2
    assert [row for row, _message in result.notes] == [4]


def rewritten_xlsx(data: bytes, *, sheet=None, parts=None, added=()) -> bytes:
    """The workbook with its sheets' XML passed through ``sheet``, other parts
    through ``parts`` (name, content → content), and ``added`` (name, content) parts."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = sheet(content) if sheet else content
            elif parts:
                content = parts(item.filename, content)
            target.writestr(item, content)
        for name, content in added:
            target.writestr(name, content)
    return out.getvalue()


def test_a_workbook_that_states_a_wrong_size_is_read_whole():
    data = rewritten_xlsx(
        xlsx_bytes(jiangtang_rows(MINIMAL), above=[["题库"]]),
        sheet=lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', xml),
    )

    result = read_questions(data=data, filename="a.xlsx")

    assert result.header_row == 2 and len(result.rows) == 2
    assert result.rows[0].cells["B"] == "全心全意为人民服务"


def test_the_first_sheet_with_a_header_is_read():
    data = xlsx_bytes(
        jiangtang_rows(MINIMAL, fields=["kind", "stem", "answer"]),
        sheet_title="题目",
        sheets_before=[("说明", [["填写说明"], ["题型写单选、多选、判断或填空"]])],
    )

    result = read_questions(data=data, filename="a.xlsx")

    assert len(result.rows) == 2


def test_a_sheet_per_kind_without_a_kind_column():
    single = [
        ["题目（必填）", "选项A（必填）", "选项B（必填）", "正确选项（必填）"],
        ["题一", "甲", "乙", "B"],
    ]
    truefalse = [["题目（必填）", "正确答案"], ["党员享有表决权。", "对"]]
    data = xlsx_bytes(
        truefalse,
        sheet_title="判断题",
        sheets_before=[("说明", [["每个工作表一种题型"]]), ("单选题", single)],
    )

    result = read_questions(data=data, filename="a.xlsx")

    assert result.layout == "jiangtang"
    assert result.rows[0].cells == {
        "kind": "单选题",
        "stem": "题一",
        "A": "甲",
        "B": "乙",
        "answer": "B",
    }
    assert [row for row, _message in result.notes] == [0, 0]
    assert "“判断题”" in result.notes[0][1]  # not read: a file of its own
    assert "“单选题”" in result.notes[1][1]  # the kind is the sheet's name


def test_a_sheet_named_for_no_kind_still_needs_the_kind_column():
    data = xlsx_bytes([["题目", "正确答案"], ["题一", "B"]], sheet_title="Sheet1")

    assert refused(data=data).code == "mapping_required"


def test_other_sheets_with_questions_are_noted_not_read():
    table = jiangtang_rows(MINIMAL, fields=["kind", "stem", "answer"])
    data = xlsx_bytes(table, sheet_title="第二批", sheets_before=[("第一批", table[:2])])

    result = read_questions(data=data, filename="a.xlsx")

    assert len(result.rows) == 1
    assert result.notes == [(0, result.notes[0][1])] and "“第二批”" in result.notes[0][1]


# File kinds: .csv in GB18030 or UTF-8, .xls, decided by the bytes


def test_csv_in_gb18030():
    data = csv_bytes(generic_columns_rows(GENERIC_ROWS), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    result = read_questions(data=data, filename="题库.csv")

    assert result.layout == "generic_columns"
    assert result.rows[0].cells["stem"] == "中国共产党的根本宗旨是（　）。"


def test_csv_in_utf8_with_bom_and_tab_separated():
    table = jiangtang_rows(MINIMAL)
    for data in (
        csv_bytes(table, encoding="utf-8", bom=True),
        csv_bytes(table, encoding="utf-8", delimiter="\t"),
        csv_bytes(table, encoding="utf-16"),  # Excel's "Unicode text"
    ):
        result = read_questions(data=data, filename="题库.csv")
        assert result.layout == "jiangtang"
        assert result.columns[0] == "题型"  # no BOM left on the first header
        assert result.rows[0].cells["B"] == "全心全意为人民服务"


def test_csv_cells_with_commas_and_line_breaks():
    table = [
        ["题型", "题干", "答案", "解析"],
        ["填空", "党的宗旨，是____。", "全心全意为人民服务", "第一行\n第二行"],
    ]

    result = read_questions(data=csv_bytes(table, encoding="utf-8"), filename="a.csv")

    assert result.rows[0].cells["explanation"] == "第一行\n第二行"


def test_xls():
    table = jiangtang_rows(MINIMAL, fields=["kind", "stem", "A", "B", "answer", "difficulty"])
    table.append(["单选", "题三", "甲", "乙", "A", 2])
    data = xls_bytes(table, above=[["题库"]])

    result = read_questions(data=data, filename="题库.xls")

    assert result.layout == "jiangtang" and result.header_row == 2
    assert result.rows[-1].cells == {
        "kind": "单选",
        "stem": "题三",
        "A": "甲",
        "B": "乙",
        "answer": "A",
        "difficulty": "2",
    }


def test_yf_exam_as_xls():
    data = xls_bytes(yf_exam_rows(YF_EXAM_QUESTIONS), above=[["试题"]])

    result = read_questions(data=data, filename="试题.xls")

    assert result.layout == "yf_exam"
    assert [r.cells["answer"] for r in result.rows][:3] == ["A", "ABD", "A"]


def test_the_content_decides_not_the_name():
    table = jiangtang_rows(MINIMAL)
    assert read_questions(data=csv_bytes(table), filename="题库.xls").layout == "jiangtang"
    assert read_questions(data=xlsx_bytes(table), filename="题库.csv").layout == "jiangtang"


# The column mapping


ODD_TABLE = [
    ["序", "题目描述", "类别", "备选项一", "备选项二", "参考答", "备注"],
    [1, "党的宗旨是（　）。", "单选", "为人民服务", "发展经济", "A", ""],
    [2, "党员有表决权。", "判断", "", "", "对", "无"],
]
ODD_MAPPING = {
    "题目描述": "stem",
    "类别": "kind",
    "备选项一": "A",
    "备选项二": "B",
    "参考答": "answer",
}


def test_an_unknown_layout_asks_for_a_mapping_with_its_columns():
    error = refused(data=xlsx_bytes(ODD_TABLE, above=[["某系统导出"]]))

    assert error.code == "mapping_required"
    assert error.columns == ODD_TABLE[0]


def test_a_mapping_reads_an_unknown_layout():
    result = read_questions(
        data=xlsx_bytes(ODD_TABLE, above=[["某系统导出"]]), filename="a.xlsx", mapping=ODD_MAPPING
    )

    assert result.layout == "mapped"
    assert result.header_row == 2
    assert result.mapping == ODD_MAPPING
    assert result.rows[0].cells == {
        "stem": "党的宗旨是（　）。",
        "kind": "单选",
        "A": "为人民服务",
        "B": "发展经济",
        "answer": "A",
    }
    assert result.rows[1].cells == {"stem": "党员有表决权。", "kind": "判断", "answer": "对"}


def test_the_remembered_mapping_is_used_when_the_file_has_its_columns():
    data = xlsx_bytes(ODD_TABLE)

    assert read_questions(data=data, filename="a.xlsx", remembered=ODD_MAPPING).layout == "mapped"
    # a remembered mapping for other columns does not apply
    other = {**ODD_MAPPING, "另一列": "explanation"}
    assert refused(data=data, remembered=other).code == "mapping_required"
    # a recognised layout does not need it
    ours = jiangtang_xlsx(MINIMAL)
    assert (
        read_questions(data=ours, filename="a.xlsx", remembered=ODD_MAPPING).layout == "jiangtang"
    )


def test_a_given_mapping_wins_over_recognition():
    data = jiangtang_xlsx(MINIMAL, fields=["kind", "stem", "answer", "explanation"])
    # the admin says 解析 is really the answer and 答案 the explanation
    mapping = {"题型": "kind", "题干": "stem", "解析": "answer", "答案": "explanation"}

    result = read_questions(data=data, filename="a.xlsx", mapping=mapping)

    assert result.layout == "mapped"
    assert result.rows[0].cells == {
        "kind": "单选",
        "stem": "党的根本宗旨是（　）。",
        "explanation": "B",
    }


@pytest.mark.parametrize(
    "mapping",
    [
        {"题目描述": "stem", "类别": "kind"},  # no 答案
        {"题目描述": "stem", "类别": "kind", "参考答": "answer", "备注": "answer"},  # twice
        {"题目描述": "stem", "类别": "kind", "参考答": "answer", "备注": "notes"},  # not ours
        {
            "题目描述": "stem",
            "类别": "kind",
            "参考答": "answer",
            "没有这列": "tags",
        },  # not in the file
        ["题目描述"],
    ],
)
def test_a_mapping_that_does_not_fit_is_refused(mapping):
    error = refused(data=xlsx_bytes(ODD_TABLE), mapping=mapping)

    assert error.code == "mapping_invalid"
    assert str(error)


# Refusals


def test_unreadable_files():
    broken_zip = io.BytesIO()
    with zipfile.ZipFile(broken_zip, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    for data in (
        b"\x00\x01\x02garbage\xff\xfe\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # an OLE header and nothing
        broken_zip.getvalue(),
        "<html><table><tr><td>题型</td></tr></table></html>".encode(),
        bytes(range(256)) * 10,
    ):
        error = refused(data=data)
        assert error.code == "unreadable", data[:20]
        assert ".xlsx" in str(error)


def shared_strings_xlsx(data: bytes) -> bytes:
    """The same workbook with its texts in xl/sharedStrings.xml, as Excel and WPS
    write them (openpyxl writes inline strings)."""
    strings = []

    def shared(match):
        strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), len(strings) - 1)

    inline = rb'<c r="([A-Z]+\d+)" t="inlineStr"><is>(<t[^>]*>.*?</t>)</is></c>'
    ns = b"http://schemas.openxmlformats.org"

    def parts(name, content):
        if name == "[Content_Types].xml":
            return content.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Type="%s/officeDocument/2006/relationships/'
                b'sharedStrings" Target="sharedStrings.xml"/></Relationships>' % ns,
            )
        return content

    # the sheets are rewritten (and the strings gathered) before the table is added
    rewritten = rewritten_xlsx(data, sheet=lambda xml: re.sub(inline, shared, xml), parts=parts)
    assert strings
    table = b'<sst xmlns="%s/spreadsheetml/2006/main">%s</sst>' % (
        ns,
        b"".join(b"<si>%s</si>" % text for text in strings),
    )
    return rewritten_xlsx(rewritten, added=[("xl/sharedStrings.xml", table)])


def test_shared_strings_read_as_inline_ones():
    for data in (yf_exam_xlsx(YF_EXAM_QUESTIONS), generic_columns_xlsx(GENERIC_ROWS)):
        inline = read_questions(data=data, filename="a.xlsx")
        shared = read_questions(data=shared_strings_xlsx(data), filename="a.xlsx")

        assert shared.rows == inline.rows and shared.columns == inline.columns


def test_a_sheet_declaring_entities_is_refused():
    """A sheet declaring entities (a billion laughs) is refused, not expanded: openpyxl
    parses with defusedxml."""
    data = xlsx_bytes(jiangtang_rows(MINIMAL))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
            for n in range(1, 10)
        )
        + b"]>"
    )
    data = rewritten_xlsx(
        data,
        sheet=lambda xml: (
            laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", xml).replace(b"<v>", b"<v>&lol9;", 1)
        ),
    )

    assert refused(data=data).code == "unreadable"


def test_empty_files():
    assert refused(data=b"").code == "empty"
    assert refused(data=xlsx_bytes([])).code == "empty"
    assert refused(data=xlsx_bytes([["题型", "题干", "答案"]])).code == "empty"


def test_a_single_column_file_has_no_header():
    error = refused(data=csv_bytes([["党的宗旨是什么"], ["为人民服务"]]), filename="a.csv")

    assert error.code == "no_header"


def test_too_big(monkeypatch):
    assert refused(data=b"x" * (read.MAX_BYTES + 1)).code == "too_big"

    monkeypatch.setattr(read, "MAX_QUESTIONS", 3)
    table = jiangtang_rows(MINIMAL * 2, fields=["kind", "stem", "answer"])
    assert refused(data=csv_bytes(table), filename="a.csv").code == "too_big"
    questions = YF_EXAM_QUESTIONS[:1] * 4
    assert refused(data=yf_exam_xlsx(questions)).code == "too_big"


def test_refusals_are_the_common_import_refusal():
    from backend.common.xlsx import ImportRefused as CommonRefused

    assert isinstance(refused(data=b""), CommonRefused)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=2000),
    prefix=st.sampled_from([b"", b"PK\x03\x04", read.OLE_MAGIC, "题型,题干,答案\n".encode()]),
)
def test_any_bytes_give_rows_or_a_refusal(data, prefix):
    try:
        result = read_questions(data=prefix + data, filename="题库.xlsx")
    except ImportRefused as error:
        assert error.code in {"unreadable", "too_big", "empty", "no_header", "mapping_required"}
        assert str(error)
    else:
        assert all(isinstance(text, str) for row in result.rows for text in row.cells.values())
