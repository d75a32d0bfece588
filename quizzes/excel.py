"""
Question banks in Excel: the template and the export, in the format the importer
(``quizzes.importing``) reads back — export → edit → import updates the same
questions (the ``ID`` column), and a new row (ID left empty) adds one.

Columns: ID | 题型 | 题干 | 选项A … 选项H | 答案 | 解析 | 难度 | 分类 | 标签 | 出处 | 启用.
Answers: 单选 ``B``; 多选 ``ACD``; 判断 ``对``/``错``; 填空: blanks separated by ``|``,
accepted variants of one blank by ``/`` (``十八/18|预备党员``); blanks in the stem are
written ``（　）``. Only 题型, 题干 and 答案 are required; an empty 分类 is 未分类, an
empty 难度 3, an empty 启用 是.
"""

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from backend.common.xlsx import safe_cell, workbook_bytes

from .importing.cells import KIND_LABELS, OPTION_KEYS
from .importing.read import FIELD_KEYS, FIELD_LABELS
from .models import Question, QuestionBank, QuestionKind

OPTION_LETTERS = OPTION_KEYS
HEADER = [FIELD_LABELS[key] for key in FIELD_KEYS]
#: Notes on the header cells (shown when the pointer rests on them).
HEADER_NOTES = {
    "ID": "导出的题目编号。改好后重新导入，带 ID 的行会更新原题（统计和错题本保留）；新题请留空。",
    "题型": "单选、多选、判断或填空。",
    "答案": "单选 B；多选 ACD 或 A,C,D；判断 对/错；填空用 | 分隔各空，同一空的多个答案用 / 分隔。",
    "难度": "1–5，或 易/较易/中/较难/难，或 简单/中等/困难；留空为 3。",
    "分类": "留空为“未分类”。",
    "出处": "写“2026年11月 机关大讲堂 第3段”或“《讲座标题》第3段”，题目会链接到讲座的这一段。",
    "启用": "是或否；留空为是。",
}
#: The template's second sheet: how to fill it in.
TEMPLATE_NOTES = [
    "填写说明",
    "每行一道题。只有 题型、题干、答案 必填，其他列可以留空或删去。",
    "ID 列：新题留空。导出的题库带 ID，修改后重新导入会更新原题，不会重复添加。",
    "题型：单选、多选、判断、填空。简答、论述等题型不会导入（导入预览会列出跳过的行）。",
    "选项A…选项H：最多 8 个选项，依次填写，不要空缺。",
    "答案：单选 B；多选 ACD（也可写 A,C,D 或 A、C、D）；判断 对/错（也可写 正确/错误、√/×）；"
    "填空用 | 分隔各空，同一空的多个答案用 / 分隔，题干中的空用（　）或 ____ 标出。",
    "难度：1–5，或 易/较易/中/较难/难，或 简单/中等/困难；留空为 3。",
    "分类：留空为“未分类”。标签：用逗号或顿号分隔。",
    "出处：写“2026年11月 机关大讲堂 第3段”或“《讲座标题》第3段”，题目会链接到讲座的那一段。",
    "启用：是或否，留空为是。",
    "导入时先显示预览（新增、更新、不变、跳过和错误），确认后才写入；有任何错误的行则一行也不写入。",
]


def _answer_text(question: Question) -> str:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(question.answer)
    if question.kind == QuestionKind.TRUEFALSE:
        return "对" if question.answer[0] else "错"
    return "|".join("/".join(variants) for variants in question.answer)


def _row(question: Question) -> dict[str, object]:
    """A question under our field keys."""
    return {
        "id": question.pk or "",
        "kind": KIND_LABELS[question.kind],
        "stem": question.stem,
        **dict(zip(OPTION_KEYS, question.options, strict=False)),
        "answer": _answer_text(question),
        "explanation": question.explanation,
        "difficulty": question.difficulty,
        "category": question.category,
        "tags": "、".join(question.tags),
        "source": question.source,
        "active": "是" if question.is_active else "否",
    }


WIDTHS = {"id": 8, "kind": 8, "stem": 48, **dict.fromkeys(OPTION_KEYS, 18), "answer": 12}
WIDTHS |= {"explanation": 40, "difficulty": 6, "category": 12, "tags": 16, "source": 24}


def _sheet(rows: list[dict], *, notes: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDECEC")
        if cell.value in HEADER_NOTES:
            cell.comment = Comment(HEADER_NOTES[cell.value], "讲堂", width=260, height=110)
    for row in rows:
        sheet.append([safe_cell(row.get(key, "")) for key in FIELD_KEYS])
    for column, key in enumerate(FIELD_KEYS, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = WIDTHS.get(key, 6)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D2"
    if notes:
        help_sheet = workbook.create_sheet("填写说明")
        for line in notes:
            help_sheet.append([line])
        help_sheet["A1"].font = Font(bold=True)
        help_sheet.column_dimensions["A"].width = 120
    return workbook_bytes(workbook)


def questions_xlsx(questions) -> bytes:
    """``questions`` (saved or not: an unsaved one has no ID) as a sheet in the
    import format."""
    return _sheet([_row(question) for question in questions])


def bank_export_xlsx(*, bank: QuestionBank) -> bytes:
    return questions_xlsx(bank.questions.order_by("id"))


TEMPLATE_EXAMPLES = [
    {
        "kind": "单选",
        "stem": "党的最高领导机关是（　）。",
        "A": "党的全国代表大会和它所产生的中央委员会",
        "B": "中央政治局",
        "C": "中央书记处",
        "D": "中央纪律检查委员会",
        "answer": "A",
        "explanation": "党章规定，党的最高领导机关是党的全国代表大会和它所产生的中央委员会。",
        "difficulty": 2,
        "category": "党章党规",
        "tags": "组织制度",
        "source": "《中国共产党章程》第二章",
        "active": "是",
    },
    {
        "kind": "多选",
        "stem": "“三会一课”中的“三会”包括（　）。",
        "A": "支部党员大会",
        "B": "支部委员会",
        "C": "党小组会",
        "D": "党员代表大会",
        "answer": "ABC",
        "explanation": "“三会”指支部党员大会、支部委员会和党小组会。",
        "difficulty": 2,
        "category": "组织生活",
        "tags": "三会一课",
        "source": "《中国共产党支部工作条例（试行）》",
        "active": "是",
    },
    {
        "kind": "判断",
        "stem": "预备党员的预备期为一年。",
        "answer": "对",
        "explanation": "党章规定，预备党员的预备期为一年。",
        "difficulty": 1,
        "category": "党员管理",
        "source": "《中国共产党章程》第一章",
        "active": "是",
    },
    {
        "kind": "填空",
        "stem": "年满（　）岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，"
        "可以申请加入中国共产党。",
        "answer": "十八/18",
        "explanation": "党章第一章第一条规定了入党的年龄条件。",
        "difficulty": 1,
        "category": "党章党规",
        "tags": "党员",
        "source": "《中国共产党章程》第一章",
        "active": "是",
    },
]


def template_xlsx() -> bytes:
    """The header (ID empty: new questions), an example row per kind, and a sheet of
    notes on filling it in."""
    return _sheet(TEMPLATE_EXAMPLES, notes=TEMPLATE_NOTES)
