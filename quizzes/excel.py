"""
Question banks in Excel: the template, the all-or-nothing import with a
row-by-row report, and the export in the same format (export → import gives
the same bank).

Columns: 题型 | 题干 | 选项A … 选项F | 答案 | 解析 | 难度 | 分类 | 标签 | 出处 | 启用.
Answers: 单选 ``B``; 多选 ``ACD``; 判断 ``对``/``错``; 填空: blanks separated by ``|``,
accepted variants of one blank by ``/`` (``十八/18|预备党员``); blanks in the stem are
written ``（　）``.
"""

import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from backend.common.xlsx import ImportRefused, RowError, read_sheet, safe_cell, workbook_bytes

from . import scoring
from .models import Question, QuestionBank, QuestionKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
OPTION_LETTERS = "ABCDEF"
HEADER = [
    "题型",
    "题干",
    *[f"选项{letter}" for letter in OPTION_LETTERS],
    "答案",
    "解析",
    "难度",
    "分类",
    "标签",
    "出处",
    "启用",
]
KIND_WORDS = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "single": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "multiple": QuestionKind.MULTIPLE,
    "判断": QuestionKind.TRUEFALSE,
    "判断题": QuestionKind.TRUEFALSE,
    "truefalse": QuestionKind.TRUEFALSE,
    "填空": QuestionKind.FILL,
    "填空题": QuestionKind.FILL,
    "fill": QuestionKind.FILL,
}
KIND_LABELS = {
    QuestionKind.SINGLE: "单选",
    QuestionKind.MULTIPLE: "多选",
    QuestionKind.TRUEFALSE: "判断",
    QuestionKind.FILL: "填空",
}
TRUE_WORDS = {"对", "正确", "√", "✓", "t", "true", "是", "y", "yes"}
FALSE_WORDS = {"错", "错误", "×", "✗", "x", "f", "false", "否", "n", "no"}
YES_WORDS = {"", "是", "y", "yes", "true", "1", "启用"}
NO_WORDS = {"否", "n", "no", "false", "0", "停用"}
TAG_SEPARATORS = [",", "，", "、", ";", "；"]


@dataclass
class ImportReport:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _letters(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).upper()
    return [ch for ch in text if ch.isalpha()]


def _split(text: str, separators: list[str]) -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [part.strip() for part in text.split(separators[0])]


def parse_row(cells: dict[str, str], error) -> dict | None:
    """Validates one row (``cells`` by header); reports each problem through
    ``error(column, message)``; returns the question's fields when it is valid."""
    problems_before = error.count
    kind = KIND_WORDS.get(cells["题型"].lower())
    if kind is None:
        error(
            "题型",
            _("Unknown kind %(k)s; use 单选, 多选, 判断 or 填空.") % {"k": cells["题型"] or "∅"},
        )
    stem = cells["题干"]
    if not stem:
        error("题干", _("The stem is empty."))
    elif len(stem) > 2000:
        error("题干", _("The stem is longer than 2000 characters."))
    options = [cells[f"选项{letter}"] for letter in OPTION_LETTERS]
    while options and not options[-1]:
        options.pop()
    answer_text = cells["答案"]
    answer = None
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        minimum = 2 if kind == QuestionKind.SINGLE else 3
        if "" in options:
            missing = OPTION_LETTERS[options.index("")]
            error(f"选项{missing}", _("Options must be filled in without gaps."))
        elif len(options) < minimum:
            error(
                "选项A",
                _("A %(k)s question needs at least %(n)d options.")
                % {"k": KIND_LABELS[kind], "n": minimum},
            )
        keys = _letters(answer_text)
        valid = OPTION_LETTERS[: len(options)]
        if not keys:
            error("答案", _("The answer is empty."))
        elif any(key not in valid for key in keys):
            error(
                "答案",
                _("The answer %(a)s names an option that does not exist.") % {"a": answer_text},
            )
        elif len(set(keys)) != len(keys):
            error("答案", _("The answer repeats an option."))
        elif kind == QuestionKind.SINGLE and len(keys) != 1:
            error("答案", _("A single-choice question has exactly one answer."))
        elif kind == QuestionKind.MULTIPLE and len(keys) < 2:
            error("答案", _("A multiple-choice question has at least two answers."))
        else:
            answer = sorted(keys)
    elif kind == QuestionKind.TRUEFALSE:
        options = []
        word = unicodedata.normalize("NFKC", answer_text).strip().lower()
        if word in TRUE_WORDS:
            answer = [True]
        elif word in FALSE_WORDS:
            answer = [False]
        else:
            error("答案", _("Answer a true-or-false question with 对 or 错."))
    elif kind == QuestionKind.FILL:
        options = []
        blanks = [
            [variant for variant in _split(blank, ["/", "／"]) if variant]
            for blank in _split(answer_text, ["|", "｜"])
        ]
        expected = scoring.blank_count(stem)
        if not answer_text or any(not variants for variants in blanks):
            error("答案", _("Every blank needs at least one accepted answer."))
        elif expected == 0:
            error("题干", _("Mark each blank in the stem with （　）."))
        elif len(blanks) != expected:
            error(
                "答案",
                _("The stem has %(s)d blanks but the answer gives %(a)d (separate blanks with |).")
                % {"s": expected, "a": len(blanks)},
            )
        else:
            answer = blanks
    difficulty_text = cells["难度"] or "3"
    difficulty = int(difficulty_text) if difficulty_text.isdigit() else 0
    if not 1 <= difficulty <= 5:
        error("难度", _("Difficulty is a whole number from 1 to 5."))
    category = cells["分类"]
    if not category:
        error("分类", _("The category is empty."))
    elif len(category) > 50:
        error("分类", _("The category is longer than 50 characters."))
    enabled = cells["启用"].lower()
    if enabled not in YES_WORDS | NO_WORDS:
        error("启用", _("Write 是 or 否."))
    if error.count > problems_before:
        return None
    return {
        "kind": kind,
        "stem": stem,
        "stem_key": scoring.normalise_stem(stem)[:500],
        "options": options,
        "answer": answer,
        "explanation": cells["解析"],
        "difficulty": difficulty,
        "category": category,
        "tags": [tag for tag in _split(cells["标签"], TAG_SEPARATORS) if tag][:10],
        "source": cells["出处"][:200],
        "is_active": enabled not in NO_WORDS,
    }


class _ErrorSink:
    def __init__(self, report: ImportReport):
        self.report = report
        self.row = 0
        self.count = 0

    def __call__(self, column: str, message: str):
        self.report.errors.append(RowError(self.row, column, message))
        self.count += 1


def questions_import_xlsx(*, bank: QuestionBank, data: bytes) -> ImportReport:
    """
    Validates every row, then adds all questions to ``bank`` in one transaction,
    or none when any row is wrong. A stem that repeats one already in the bank,
    or one earlier in the file (compared without spaces and punctuation), is an
    error on that row.
    """
    header, body = read_sheet(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    missing = [title for title in HEADER if title not in header and title != "启用"]
    if missing:
        raise ImportRefused(
            _("The header row lacks the column(s): %(columns)s. Download the template.")
            % {"columns": "、".join(missing)}
        )
    index = {title: header.index(title) for title in HEADER if title in header}
    report = ImportReport()
    error = _ErrorSink(report)
    existing = set(bank.questions.values_list("stem_key", flat=True))
    seen: dict[str, int] = {}
    questions: list[Question] = []
    for number, texts in body:
        error.row = number
        cells = {
            title: (texts[position] if position < len(texts) else "")
            for title, position in index.items()
        }
        cells.setdefault("启用", "")
        fields = parse_row(cells, error)
        if fields is None:
            continue
        key = fields["stem_key"]
        if key in existing:
            error("题干", _("The bank already has this question."))
        elif key in seen:
            error("题干", _("The same question is on row %(row)d.") % {"row": seen[key]})
        else:
            seen[key] = number
            questions.append(Question(bank=bank, **fields))
    if report.errors:
        return report
    if not questions:
        raise ImportRefused(_("The sheet has a header but no questions."))
    try:
        with transaction.atomic():
            Question.objects.bulk_create(questions, batch_size=500)
    except IntegrityError:
        report.errors.append(
            RowError(0, "", _("Another import added some of these questions just now; try again."))
        )
        return report
    report.created = len(questions)
    return report


def _answer_text(question: Question) -> str:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(question.answer)
    if question.kind == QuestionKind.TRUEFALSE:
        return "对" if question.answer[0] else "错"
    return "|".join("/".join(variants) for variants in question.answer)


def _row(question: Question) -> list:
    options = list(question.options) + [""] * (len(OPTION_LETTERS) - len(question.options))
    return [
        KIND_LABELS[question.kind],
        question.stem,
        *options,
        _answer_text(question),
        question.explanation,
        question.difficulty,
        question.category,
        "、".join(question.tags),
        question.source,
        "是" if question.is_active else "否",
    ]


def _sheet(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDECEC")
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    widths = [8, 48, *[18] * len(OPTION_LETTERS), 12, 40, 6, 12, 16, 24, 6]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    return workbook_bytes(workbook)


def questions_xlsx(questions) -> bytes:
    """``questions`` (saved or not) as a sheet in the import format."""
    return _sheet([_row(question) for question in questions])


def bank_export_xlsx(*, bank: QuestionBank) -> bytes:
    return questions_xlsx(bank.questions.order_by("id"))


def template_xlsx() -> bytes:
    examples = [
        ["单选", "党的最高领导机关是（　）。", "党的全国代表大会和它所产生的中央委员会",
         "中央政治局", "中央书记处", "中央纪律检查委员会", "", "", "A",
         "党章规定，党的最高领导机关是党的全国代表大会和它所产生的中央委员会。",
         2, "党章党规", "组织制度", "《中国共产党章程》第二章", "是"],
        ["多选", "“三会一课”中的“三会”包括（　）。", "支部党员大会", "支部委员会",
         "党小组会", "党员代表大会", "", "", "ABC",
         "“三会”指支部党员大会、支部委员会和党小组会。", 2, "组织生活", "三会一课",
         "《中国共产党支部工作条例（试行）》", "是"],
        ["判断", "预备党员的预备期为一年。", "", "", "", "", "", "", "对",
         "党章规定，预备党员的预备期为一年。", 1, "党员管理", "", "《中国共产党章程》第一章", "是"],
        ["填空", "年满（　）岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，"
         "可以申请加入中国共产党。",
         "", "", "", "", "", "", "十八/18", "党章第一章第一条规定了入党的年龄条件。",
         1, "党章党规", "党员", "《中国共产党章程》第一章", "是"],
    ]  # fmt: skip
    return _sheet(examples)
