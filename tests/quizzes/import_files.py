"""
Question files shaped like the real ones other systems write, built in memory
(no committed copies of others' files). Every function returns the file's bytes.

- ``xlsx_bytes(rows)``, ``xls_bytes(rows)``, ``csv_bytes(rows)``: any table (lists of
  cells, the header first), as .xlsx, .xls (xlwt) or .csv (GB18030 by default);
- ``jiangtang_xlsx(questions)``: our own layout (the export's, with ``ID`` when the
  questions carry one), only the columns given;
- ``yf_exam_xlsx(questions)``: the 云帆 (yf-exam) template: the title row "试题", its
  header, one row per option;
- ``generic_columns_xlsx(rows)``: 题型｜问题内容｜难度｜正确选项｜A…H.

``YF_EXAM_QUESTIONS`` and ``GENERIC_ROWS`` are ready-made samples (单选, 多选, 判断,
简答 / 填空 in the option columns…).
"""

import csv
import io

from openpyxl import Workbook

from quizzes.importing import read

OPTION_KEYS = "".join(read.OPTION_KEYS)
JIANGTANG_HEADER = read.FIELD_LABELS  # our field key → our column header


def xlsx_bytes(rows, *, above=(), sheet_title="Sheet1", sheets_before=()) -> bytes:
    """A workbook whose sheet holds ``above`` (title rows, may be ``[]`` for a blank
    row) then ``rows``. ``sheets_before``: (title, rows) of sheets put first."""
    workbook = Workbook()
    first = workbook.active
    first.title = sheet_title
    for index, (title, other_rows) in enumerate(sheets_before):
        sheet = workbook.create_sheet(title, index=index)
        for row in other_rows:
            sheet.append(list(row))
    for row in [*above, *rows]:
        first.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls_bytes(rows, *, above=(), sheet_title="Sheet1") -> bytes:
    """The same as an Excel 97-2003 .xls (numbers stay numbers)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(sheet_title)
    for r, row in enumerate([*above, *rows]):
        for c, value in enumerate(row):
            if value is not None and value != "":
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, *, encoding="gb18030", delimiter=",", bom=False) -> bytes:
    """A .csv as Excel/WPS save it: GB18030 by default ("CSV (逗号分隔)" on Chinese
    Windows); ``encoding="utf-8", bom=True`` for "CSV UTF-8"; ``delimiter="\\t"`` for
    a tab-separated text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def jiangtang_rows(questions, *, fields=None) -> list[list]:
    """Header and rows of our layout. ``questions``: dicts of our field keys (an
    ``options`` list may stand for A…H); ``fields``: the columns, in order (default:
    every field some question has, in our order)."""
    expanded = []
    for question in questions:
        question = dict(question)
        for key, text in zip(OPTION_KEYS, question.pop("options", []), strict=False):
            question[key] = text
        expanded.append(question)
    if fields is None:
        fields = [key for key in JIANGTANG_HEADER if any(key in q for q in expanded)]
    header = [JIANGTANG_HEADER[key] for key in fields]
    return [header, *([q.get(key, "") for key in fields] for q in expanded)]


def jiangtang_xlsx(questions, *, fields=None, above=()) -> bytes:
    return xlsx_bytes(jiangtang_rows(questions, fields=fields), above=above)


YF_EXAM_HEADER = [
    "题目序号",
    "题目类型",
    "题目内容",
    "整体解析",
    "题目图片",
    "题目视频",
    "所属题库",
    "是否正确项",
    "选项内容",
    "选项解析",
    "选项图片",
]


def yf_exam_rows(questions, *, repeat_question=False, number_every_row=True) -> list[list]:
    """Header and rows of the yf-exam template. ``questions``: dicts with ``type``
    (1 单选, 2 多选, 3 判断, 4 简答, or a word), ``content``, ``analysis``, ``repo`` and
    ``options``: [(text, is_right, option analysis?)…], is_right as the file writes
    it (1/0, 是/否…), and ``source`` (an 出处 column is added, as a site may). The
    question's cells are on its first row only unless ``repeat_question``; the
    题目序号 is on every row unless not ``number_every_row``."""
    with_source = any("source" in question for question in questions)
    rows = [[*YF_EXAM_HEADER, *(["出处"] if with_source else [])]]
    for no, question in enumerate(questions, start=1):
        options = question.get("options") or [("", "", "")]
        for index, option in enumerate(options):
            text, is_right, analysis = (*option, "")[:3]
            first = index == 0 or repeat_question
            rows.append(
                [
                    no if (index == 0 or number_every_row) else "",
                    question["type"] if first else "",
                    question["content"] if first else "",
                    question.get("analysis", "") if first else "",
                    "",
                    "",
                    question.get("repo", "") if first else "",
                    is_right,
                    text,
                    analysis,
                    "",
                    *([question.get("source", "") if first else ""] if with_source else []),
                ]
            )
    return rows


def yf_exam_xlsx(questions, **options) -> bytes:
    """The yf-exam export/import template: the title row "试题" above its header."""
    return xlsx_bytes(yf_exam_rows(questions, **options), above=[["试题"]])


YF_EXAM_QUESTIONS = [
    {
        "type": 1,
        "content": "党的最高领导机关是（　）。",
        "analysis": "见党章第十条。",
        "repo": "党章党规",
        "options": [
            ("党的全国代表大会和它所产生的中央委员会", 1, "党章原文"),
            ("中央政治局", 0),
            ("中央书记处", 0),
            ("中央军事委员会", 0),
        ],
    },
    {
        "type": 2,
        "content": "党的纪律包括（　）。",
        "analysis": "六项纪律。",
        "repo": "党章党规",
        "options": [("政治纪律", 1), ("组织纪律", 1), ("财经纪律", 0), ("廉洁纪律", 1)],
    },
    {
        "type": 3,
        "content": "预备党员的预备期为一年。",
        "repo": "党章党规",
        "options": [("正确", 1), ("错误", 0)],
    },
    {
        "type": 4,
        "content": "简述新时代党的建设总要求。",
        "analysis": "略。",
        "repo": "党的理论",
        "options": [("坚持和加强党的全面领导……", 1)],
    },
]


GENERIC_HEADER = ["题型", "问题内容", "难度", "正确选项", *OPTION_KEYS]


def generic_columns_rows(rows, *, extra=()) -> list[list]:
    """Header and rows of the 题型｜问题内容｜难度｜正确选项｜A…H sheet. ``rows``: dicts
    with ``kind``, ``stem``, ``difficulty``, ``answer``, ``options`` (up to 8) and the
    ``extra`` columns' headers as keys (e.g. ``extra=("分类", "解析")``)."""
    table = [[*GENERIC_HEADER, *extra]]
    for row in rows:
        options = list(row.get("options", []))
        options += [""] * (len(OPTION_KEYS) - len(options))
        table.append(
            [
                row.get("kind", ""),
                row.get("stem", ""),
                row.get("difficulty", ""),
                row.get("answer", ""),
                *options,
                *(row.get(name, "") for name in extra),
            ]
        )
    return table


def generic_columns_xlsx(rows, *, extra=(), above=()) -> bytes:
    return xlsx_bytes(generic_columns_rows(rows, extra=extra), above=above)


# Ten rows as such banks have them: 难度 in words, 判断 answered with letters, 填空
# answers in the option columns with 正确选项 empty, a 简答题, up to 8 options.
GENERIC_ROWS = [
    {
        "kind": "单选题",
        "stem": "中国共产党的根本宗旨是（　）。",
        "difficulty": "简单",
        "answer": "B",
        "options": ["实现共产主义", "全心全意为人民服务", "解放生产力", "共同富裕"],
        "分类": "党章党规",
    },
    {
        "kind": "单选题",
        "stem": "党的思想路线的核心是（　）。",
        "difficulty": "中等",
        "answer": "C",
        "options": ["解放思想", "与时俱进", "实事求是", "求真务实"],
    },
    {
        "kind": "多选题",
        "stem": "“四个意识”包括（　）。",
        "difficulty": "中等",
        "answer": "ABCD",
        "options": ["政治意识", "大局意识", "核心意识", "看齐意识", "忧患意识"],
    },
    {
        "kind": "多选题",
        "stem": "下列属于党的纪律处分的有（　）。",
        "difficulty": "困难",
        "answer": "A,B,C,D,E",
        "options": ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍", "罚款", "降级"],
    },
    {
        "kind": "判断题",
        "stem": "党员享有表决权。",
        "difficulty": "简单",
        "answer": "A",
        "options": ["正确", "错误"],
    },
    {
        "kind": "判断题",
        "stem": "预备党员有选举权。",
        "difficulty": "简单",
        "answer": "B",
        "options": ["正确", "错误"],
    },
    {
        "kind": "填空题",
        "stem": "党的最高理想和最终目标是实现____。",
        "difficulty": "中等",
        "answer": "",
        "options": ["共产主义"],
    },
    {
        "kind": "填空题",
        "stem": "年满____岁的中国工人、农民……可以申请加入中国共产党，预备期为____年。",
        "difficulty": "中等",
        "answer": "",
        "options": ["十八", "一"],
    },
    {
        "kind": "简答题",
        "stem": "简述党员的八项义务。",
        "difficulty": "困难",
        "answer": "（略）",
    },
    {
        "kind": "单选题",
        "stem": "下列哪一项不是党的优良作风（　）。",
        "difficulty": "中等",
        "answer": "H",
        "options": [
            "理论联系实际",
            "密切联系群众",
            "批评与自我批评",
            "艰苦奋斗",
            "甲",
            "乙",
            "丙",
            "官僚主义",
        ],
    },
]
