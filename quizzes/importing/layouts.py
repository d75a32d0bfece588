"""
The question-file layouts we recognise by their header row, and how each becomes
rows under our field keys.

A layout names, for each header text it knows (compared after ``header_key``), the
field it holds. Three layouts are known:

- ``jiangtang``: ours (the export and the template), one row per question, with
  common synonyms for each column and only 题型, 题干 and 答案 required;
- ``generic_columns``: 题型｜问题内容｜难度｜正确选项｜A…H, common in banks exported from
  other systems; a 填空 row there often leaves 正确选项 empty and writes the blanks'
  answers in the option columns, which becomes a normal fill row (answers joined by "|");
- ``yf_exam``: the 云帆 (yf-exam) template, one row per option under a title row
  "试题": 题目序号｜题目类型｜题目内容｜整体解析｜题目图片｜题目视频｜所属题库｜
  是否正确项｜选项内容｜选项解析｜选项图片. Its rows are pivoted into one row per
  question, the options in order as A, B, … and the answer as the letters of the
  options marked correct.

A layout only moves texts to our fields; what a cell means (a 难度 word, a 判断
answer) is for the planner.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

OPTION_KEYS = ["A", "B", "C", "D", "E", "F", "G", "H"]
FIELD_KEYS = [
    "id",
    "kind",
    "stem",
    *OPTION_KEYS,
    "answer",
    "explanation",
    "difficulty",
    "category",
    "tags",
    "source",
    "active",
]
# Our column headers (the export's and template's), also the mapping step's choices.
FIELD_LABELS = {
    "id": "ID",
    "kind": "题型",
    "stem": "题干",
    **{key: f"选项{key}" for key in OPTION_KEYS},
    "answer": "答案",
    "explanation": "解析",
    "difficulty": "难度",
    "category": "分类",
    "tags": "标签",
    "source": "出处",
    "active": "启用",
}
REQUIRED = {"kind", "stem", "answer"}

# Decorations a header may carry: "*题干", "题干（必填）", "难度(1-5)", "答案：".
_DECORATION = re.compile(r"(\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>)$")


def header_key(text: str) -> str:
    """A header text as compared: NFKC, no spaces, no ``*`` or trailing ``:``, no
    bracketed decoration at the end (``(必填)``, ``【选填】``, ``(1-5)``), case-folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[\s*:\u200b-\u200d\ufeff]+", "", text)
    while True:
        stripped = _DECORATION.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    return text.casefold()


def _words(pairs: dict[str, list[str]]) -> dict[str, tuple[str, int]]:
    """header → (field, rank): where two columns name one field, the word listed
    first wins (题干 over 题目, which may be a short title)."""
    return {
        header_key(word): (key, rank)
        for key, words in pairs.items()
        for rank, word in enumerate(words)
    }


def _option_words(letter: str, number: int) -> list[str]:
    return [f"选项{letter}", f"{letter}选项", f"选项{number}", letter]


_COMMON_OPTIONAL = {
    "explanation": [
        "解析",
        "答案解析",
        "试题解析",
        "题目解析",
        "答题解析",
        "explanation",
        "analysis",
    ],
    "difficulty": ["难度", "难易程度", "难易度", "难度等级", "题目难度", "试题难度", "difficulty"],
    "category": [
        "分类",
        "题目分类",
        "试题分类",
        "知识点",
        "知识点名称",
        "类别",
        "所属分类",
        "章节",
        "category",
    ],
    "tags": ["标签", "关键词", "tags"],
    "source": ["出处", "来源", "题目出处", "题目来源", "试题来源", "source"],
    "active": ["启用", "是否启用"],
}


@dataclass(frozen=True)
class Layout:
    """A recognised file shape: ``words`` maps a header (as ``header_key`` gives it)
    to the field it holds and the word's rank among that field's words;
    ``signature`` holds the headers that must all be there for the file to be this
    layout, ``required`` the fields that must be found."""

    name: str
    words: dict[str, tuple[str, int]]
    signature: frozenset[str]
    required: frozenset[str]
    convert: Callable[[list[tuple[int, dict[str, str]]]], tuple[list, list]] = field(repr=False)

    def columns(self, header: list[str], *, assume=frozenset()) -> dict[int, str] | None:
        """The header's column positions → field keys, or None when this header is
        not this layout. A field named by two columns takes the better-ranked word's
        column, or the first one. ``assume``: required fields given otherwise."""
        keys = [header_key(text) for text in header]
        if not self.signature <= set(keys):
            return None
        best: dict[str, tuple[int, int]] = {}  # field → (rank, position)
        for position, key in enumerate(keys):
            if key in self.words:
                field_key, rank = self.words[key]
                if field_key not in best or rank < best[field_key][0]:
                    best[field_key] = (rank, position)
        if not self.required <= set(best) | assume:
            return None
        return {
            position: field_key
            for field_key, (_rank, position) in sorted(best.items(), key=lambda item: item[1][1])
        }


def _plain_rows(rows):
    """One row per question already: keep the rows, drop empty fields."""
    return [(number, {k: v for k, v in cells.items() if v}) for number, cells in rows], []


def _generic_rows(rows):
    """Like ``_plain_rows``; a 填空 row with 正确选项 empty and the blanks' answers in
    the option columns becomes a fill row (answers joined with "|", no options)."""
    out = []
    for number, cells in rows:
        cells = {k: v for k, v in cells.items() if v}
        options = [cells[key] for key in OPTION_KEYS if cells.get(key)]
        if not cells.get("answer") and "填空" in cells.get("kind", "") and options:
            cells["answer"] = "|".join(options)
            for key in OPTION_KEYS:
                cells.pop(key, None)
        out.append((number, cells))
    return out, []


# yf-exam's 题目类型 numbers (its QuType: 1 radio, 2 multi, 3 judge; 4 the 简答 of later
# versions); words pass through as written.
YF_KINDS = {"1": "单选", "2": "多选", "3": "判断", "4": "简答"}
YF_TRUE = {"1", "是", "正确", "对", "true", "t", "y", "yes", "√", "✓", "✔"}
_OPEN_KINDS = ("简答", "论述", "问答")


def _yf_rows(rows):
    """Pivot yf-exam's option rows into questions. A question starts at a row whose
    题目序号 differs from the current one's (or, with no 题目序号, whose 题目内容 does);
    the rows after it with the same or a blank 题目序号 and no new 题目内容 are its options."""
    questions: list[tuple[int, dict, list]] = []
    notes: list[tuple[int, str]] = []
    current_no = None
    for number, cells in rows:
        no, stem = cells.get("_no", ""), cells.get("stem", "")
        starts = (no and no != current_no) or (
            not no and stem and (not questions or stem != questions[-1][1].get("stem"))
        )
        if starts:
            current_no = no or None
            head = {k: v for k, v in cells.items() if v and not k.startswith("_")}
            questions.append((number, head, []))
        elif not questions:
            notes.append((number, _("An option row before any question; skipped.")))
            continue
        if cells.get("_option") or cells.get("_is_right"):
            questions[-1][2].append((number, cells))
    out = []
    for number, head, option_rows in questions:
        kind = YF_KINDS.get(head.get("kind", ""), head.get("kind", ""))
        if kind:
            head["kind"] = kind
        if len(option_rows) > len(OPTION_KEYS):
            notes.append(
                (
                    option_rows[len(OPTION_KEYS)][0],
                    _("More than %(n)d options; the ones after %(last)s were left out.")
                    % {"n": len(OPTION_KEYS), "last": OPTION_KEYS[-1]},
                )
            )
            option_rows = option_rows[: len(OPTION_KEYS)]
        correct, explained = [], []
        for letter, (_row, cells) in zip(OPTION_KEYS, option_rows, strict=False):
            is_right = unicodedata.normalize("NFKC", cells.get("_is_right", "")).casefold()
            if is_right in YF_TRUE:
                correct.append((letter, cells.get("_option", "")))
            head[letter] = cells.get("_option", "")
            if cells.get("_option_explanation"):
                explained.append(f"{letter}：{cells['_option_explanation']}")
        if kind.startswith(_OPEN_KINDS):
            # An open question's "option" is its reference answer: no options.
            for letter in OPTION_KEYS:
                head.pop(letter, None)
            head["answer"] = "\n".join(text for _letter, text in correct if text)
        else:
            head["answer"] = "".join(letter for letter, _text in correct)
        if explained:
            head["explanation"] = "\n".join(filter(None, [head.get("explanation"), *explained]))
        out.append((number, {k: v for k, v in head.items() if v}))
    return out, notes


JIANGTANG = Layout(
    name="jiangtang",
    words=_words(
        {
            "id": ["ID"],
            "kind": ["题型", "试题类型", "题目类型", "type"],
            "stem": [
                "题干",
                "题目内容",
                "试题内容",
                "问题内容",
                "题目题干",
                "试题题干",
                "题目",
                "试题",
                "问题",
                "stem",
                "question",
            ],
            **{key: _option_words(key, n) for n, key in enumerate(OPTION_KEYS, start=1)},
            # 正确选项 without 问题内容 (a sheet that is not generic_columns) is an answer too
            "answer": [
                "答案",
                "正确答案",
                "参考答案",
                "标准答案",
                "试题答案",
                "正确选项",
                "answer",
            ],
            **_COMMON_OPTIONAL,
        }
    ),
    signature=frozenset(),
    required=frozenset(REQUIRED),
    convert=_plain_rows,
)

GENERIC_COLUMNS = Layout(
    name="generic_columns",
    words=_words(
        {
            "id": ["ID"],
            "kind": ["题型", "试题类型", "题目类型"],
            "stem": ["问题内容"],
            **{key: [key, f"选项{key}"] for key in OPTION_KEYS},
            "answer": ["正确选项"],
            **_COMMON_OPTIONAL,
        }
    ),
    signature=frozenset({header_key("问题内容"), header_key("正确选项")}),
    required=frozenset(REQUIRED),
    convert=_generic_rows,
)

YF_EXAM = Layout(
    name="yf_exam",
    words=_words(
        {
            "_no": ["题目序号", "序号"],
            "kind": ["题目类型", "题型"],
            "stem": ["题目内容", "题干"],
            "explanation": ["整体解析", "题目解析"],
            "category": ["所属题库", "题目分类", "所属分类"],
            "difficulty": ["难度", "难易程度", "难度等级"],
            "tags": ["标签"],
            "source": ["出处", "来源"],
            "_is_right": ["是否正确项", "是否正确", "正确项"],
            "_option": ["选项内容"],
            "_option_explanation": ["选项解析"],
        }
    ),
    signature=frozenset({header_key("是否正确项"), header_key("选项内容")}),
    required=frozenset({"kind", "stem", "_is_right", "_option"}),
    convert=_yf_rows,
)

# Most specific first: a header that two layouts accept is the earlier one's.
LAYOUTS = [YF_EXAM, GENERIC_COLUMNS, JIANGTANG]
# Every header word any layout knows, to find the header row among title rows.
KNOWN_HEADERS = frozenset(word for layout in LAYOUTS for word in layout.words)


# A sheet named for a kind (one sheet per kind, with no 题型 column): "单选题"…
SHEET_KINDS = frozenset(
    header_key(word)
    for stem in ["单选", "单项选择", "多选", "多项选择", "不定项选择", "判断", "是非", "填空"]
    for word in (stem, stem + "题")
)


def sheet_kind(title: str) -> str | None:
    """The kind a sheet's name gives its questions, if it names one."""
    title = (title or "").strip()
    return title if header_key(title) in SHEET_KINDS else None
