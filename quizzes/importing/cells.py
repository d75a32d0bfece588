"""
One imported row's cells (under our field keys, as ``quizzes.importing.read`` gives
them) read as a question's fields: plain Python, no ORM.

What real files write and how it is read:

- 题型: 单选(题), 单项选择(题), 多选(题), 多项选择(题), 不定项(选择题) (a multiple choice,
  or a single one when it has one answer), 判断(题), 是非题, 填空(题), and the English keys
  (``single``…). Open questions (简答, 论述, 问答, 材料分析, 名词解释, 案例…) are *skipped*
  with a reason. An empty 题型 is inferred from the answer (a warning says so).
- 难度: 1–5 (also ``3.0``, ★★★); 易/较易/中/较难/难 → 1/2/3/4/5; 简单/中等/困难 and
  低/中/高 → 1/3/5; empty → 3.
- 答案 of a choice: ``ACD``, ``A,C,D``, ``A，C，D``, ``A C D``, ``A、C、D``, or the text of
  the one right option. 判断: 对/错, 正确/错误, √/×, ✓/✗, T/F, 是/否, or A/B (read
  through the row's option texts when they say 正确/错误 or 对/错, else A = 对, B = 错),
  1/0.
- 填空: blanks in the stem written ``（　）``, ``()``, ``( )``, ``（）`` or ``___`` become
  ``（　）`` (numbered ones, ``（1）`` or ``__1__``, too when there are as many as
  answers); the answer gives the blanks separated by ``|`` (or ``；``, ``，``, spaces
  when that matches the number of blanks), variants of one blank by ``/``; answers
  written in the option columns are read as one blank each.
- 分类 empty → 未分类; 标签 split on ``,，、;；``; 启用 是/否 (empty: 是).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from quizzes import scoring

OPTION_KEYS = "ABCDEFGH"
SINGLE, MULTIPLE, TRUEFALSE, FILL = "single", "multiple", "truefalse", "fill"
#: 不定项: one or more answers; read as a multiple choice, or a single one.
INDEFINITE = "indefinite"
UNCATEGORISED = "未分类"
MAX_STEM = 2000
MAX_CATEGORY = 50
MAX_SOURCE = 200
MAX_TAGS = 10

_KINDS = {
    SINGLE: ["单选", "单项选择", "单选择", "单项", "single", "singlechoice", "radio"],
    MULTIPLE: ["多选", "多项选择", "多项", "多选择", "multiple", "multi", "multiplechoice"],
    INDEFINITE: ["不定项", "不定项选择", "不定选择", "不定项选"],
    TRUEFALSE: ["判断", "是非", "对错", "正误", "truefalse", "judge", "tf", "判断正误"],
    FILL: ["填空", "fill", "blank", "fillblank"],
}
KIND_WORDS = {word: kind for kind, words in _KINDS.items() for word in words}
#: Kinds a participant answers in words, which the platform cannot grade: skipped.
OPEN_KIND_MARKERS = (
    "简答", "论述", "问答", "材料", "名词解释", "案例", "分析", "主观", "作文", "综合",
    "辨析", "阐述", "写作", "计算", "解答", "思考", "essay", "shortanswer", "subjective",
)  # fmt: skip
KIND_LABELS = {SINGLE: "单选", MULTIPLE: "多选", TRUEFALSE: "判断", FILL: "填空"}

TRUE_WORDS = {"对", "正确", "√", "✓", "✔", "t", "true", "是", "y", "yes", "right", "o", "○"}
FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "x", "f", "false", "否", "n", "no", "wrong", "不对"}
YES_WORDS = {"", "是", "y", "yes", "true", "1", "启用", "正常", "有效", "√"}
NO_WORDS = {"否", "n", "no", "false", "0", "停用", "禁用", "无效", "×"}
DIFFICULTY_WORDS = {
    **dict.fromkeys(["易", "容易", "简单", "低", "很简单", "非常简单"], 1),
    **dict.fromkeys(["较易", "较简单", "偏易", "较低", "比较简单", "中低"], 2),
    **dict.fromkeys(["中", "中等", "一般", "适中", "普通", "中档"], 3),
    **dict.fromkeys(["较难", "偏难", "较困难", "较高", "比较难", "中高"], 4),
    **dict.fromkeys(["难", "困难", "高", "很难", "非常难"], 5),
}
TAG_SEPARATORS = re.compile(r"[,，、;；]")
_ANSWER_SEPARATORS = set(",，、;；/|.．。 \t\u3000")
_VARIANTS = re.compile(r"[/／]")
_BLANKS = [re.compile(r"[|｜]"), re.compile(r"[;；]"), re.compile(r"[,，、]"), re.compile(r"\s+")]


@dataclass
class ParsedRow:
    """A row read: ``fields`` (a Question's, without bank and lecture) when it is valid,
    else ``errors`` as ``[(our key, message)]``; ``skip`` says why a row is not imported
    at all (an open question); ``warnings`` do not stop it."""

    fields: dict | None = None
    question_id: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skip: str = ""
    kind_text: str = ""


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _word(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", _plain(text)).lower()


def read_kind(text: str) -> tuple[str | None, bool]:
    """(our kind or None, whether it is an open question to skip)."""
    word = _word(text)
    for candidate in (word, word.removesuffix("题"), word.removesuffix("题型")):
        if candidate in KIND_WORDS:
            return KIND_WORDS[candidate], False
    if word and any(marker in word for marker in OPEN_KIND_MARKERS):
        return None, True
    return None, False


def read_difficulty(text: str) -> int | None:
    """1–5, or None when the text says nothing we know; empty is 3."""
    word = _word(text)
    if not word:
        return 3
    try:
        number = float(word)
    except ValueError:
        pass
    else:
        return int(number) if number.is_integer() and 1 <= number <= 5 else None
    if set(word) <= {"★", "☆"} and 1 <= word.count("★") <= 5:
        return word.count("★")
    return DIFFICULTY_WORDS.get(word.removesuffix("度").removesuffix("等"))


def read_id(text: str) -> tuple[int | None, bool]:
    """(the question id or None, whether the text is valid)."""
    word = _word(text)
    if not word:
        return None, True
    try:
        number = float(word)
    except ValueError:
        return None, False
    if not number.is_integer() or number < 1 or number > 2**31:
        return None, False
    return int(number), True


def answer_letters(text: str) -> list[str] | None:
    """``ACD``, ``A,C,D``, ``A C D``, ``a、c、d`` → ["A", "C", "D"]; None when the text
    is anything but letters and separators."""
    letters = []
    for ch in _plain(text).upper():
        if "A" <= ch <= "Z":
            letters.append(ch)
        elif ch not in _ANSWER_SEPARATORS:
            return None
    return letters


def read_truth(text: str) -> bool | None:
    word = _word(text).rstrip("。.")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def normalise_blanks(stem: str) -> str:
    """Every blank marker (``()``, ``（ ）``, ``___``…) written ``（　）``."""
    return scoring.BLANK_PATTERN.sub(scoring.BLANK, stem)


def split_tags(text: str) -> list[str]:
    return [tag.strip()[:30] for tag in TAG_SEPARATORS.split(text or "") if tag.strip()][:MAX_TAGS]


def _options(cells: dict[str, str]) -> list[str]:
    options = [(cells.get(key) or "").strip() for key in OPTION_KEYS]
    while options and not options[-1]:
        options.pop()
    return options


def _infer_kind(answer: str, options: list[str], stem: str) -> str | None:
    letters = answer_letters(answer)
    if options and letters:
        return SINGLE if len(set(letters)) == 1 else MULTIPLE
    if read_truth(answer) is not None and not options:
        return TRUEFALSE
    if scoring.blank_count(stem) and answer and not options:
        return FILL
    return None


def parse_row(cells: dict[str, str]) -> ParsedRow:
    """Reads one row (``cells`` under our keys: id, kind, stem, A…H, answer, explanation,
    difficulty, category, tags, source, active). Validates everything: each problem is
    an error on the field it concerns."""
    result = ParsedRow(kind_text=(cells.get("kind") or "").strip())

    def error(key: str, message: str) -> None:
        result.errors.append((key, message))

    question_id, valid_id = read_id(cells.get("id") or "")
    if not valid_id:
        error("id", _("The ID is a question number from the export; leave it empty for a new one."))
    result.question_id = question_id
    stem = (cells.get("stem") or "").strip()
    options = _options(cells)
    answer_text = (cells.get("answer") or "").strip()
    kind, open_question = read_kind(result.kind_text)
    if open_question:
        result.skip = _(
            "%(kind)s questions are not imported: only 单选, 多选, 判断 and 填空 are graded."
        ) % {"kind": result.kind_text}
        return result
    if kind is None and not result.kind_text:
        kind = _infer_kind(answer_text, options, stem)
        if kind is not None:
            result.warnings.append(
                _("No kind given; read as %(kind)s from the answer.") % {"kind": KIND_LABELS[kind]}
            )
    if kind is None:
        error(
            "kind",
            _("Unknown kind %(k)s; use 单选, 多选, 判断 or 填空.") % {"k": result.kind_text or "∅"},
        )
    if not stem:
        error("stem", _("The stem is empty."))
    elif len(stem) > MAX_STEM:
        error("stem", _("The stem is longer than 2000 characters."))

    answer = None
    if kind in (SINGLE, MULTIPLE, INDEFINITE):
        kind, answer = _choice(kind, options, answer_text, error)
    elif kind == TRUEFALSE:
        answer = _truefalse(options, answer_text, error)
        options = []
    elif kind == FILL:
        stem = normalise_blanks(_numbered_blanks(stem, answer_text, options))
        answer = _fill(stem, options, answer_text, error)
        options = []

    difficulty = read_difficulty(cells.get("difficulty") or "")
    if difficulty is None:
        error(
            "difficulty",
            _("Difficulty is 1 to 5, or 易/较易/中/较难/难, or 简单/中等/困难."),
        )
    category = (cells.get("category") or "").strip() or UNCATEGORISED
    if len(category) > MAX_CATEGORY:
        error("category", _("The category is longer than 50 characters."))
    enabled = _word(cells.get("active") or "")
    if enabled not in YES_WORDS | NO_WORDS:
        error("active", _("Write 是 or 否."))
    if result.errors:
        return result
    result.fields = {
        "kind": kind,
        "stem": stem,
        "stem_key": scoring.normalise_stem(stem)[:500],
        "options": options,
        "answer": answer,
        "explanation": (cells.get("explanation") or "").strip(),
        "difficulty": difficulty,
        "category": category,
        "tags": split_tags(cells.get("tags") or ""),
        "source": (cells.get("source") or "").strip()[:MAX_SOURCE],
        "is_active": enabled not in NO_WORDS,
    }
    return result


def _choice(kind, options, answer_text, error):
    """(kind, answer) of a single, multiple or 不定项 choice."""
    if "" in options:
        missing = OPTION_KEYS[options.index("")]
        error(missing, _("Options must be filled in without gaps."))
        return kind, None
    letters = answer_letters(answer_text)
    if letters is None:
        # the text of the one right option, written out
        wanted = scoring.normalise_text(answer_text)
        matches = [i for i, text in enumerate(options) if scoring.normalise_text(text) == wanted]
        letters = [OPTION_KEYS[matches[0]]] if len(matches) == 1 else None
    if kind == INDEFINITE:
        kind = SINGLE if letters is not None and len(set(letters)) == 1 else MULTIPLE
    minimum = 2 if kind == SINGLE else 3
    if len(options) < minimum:
        error(
            "A",
            _("A %(k)s question needs at least %(n)d options.")
            % {"k": KIND_LABELS[kind], "n": minimum},
        )
        return kind, None
    valid = OPTION_KEYS[: len(options)]
    if not answer_text:
        error("answer", _("The answer is empty."))
    elif letters is None or not letters:
        error(
            "answer",
            _("Write the answer as option letters (A, ACD or A,C,D), not %(a)s.")
            % {"a": answer_text},
        )
    elif any(letter not in valid for letter in letters):
        error(
            "answer",
            _("The answer %(a)s names an option that does not exist.") % {"a": answer_text},
        )
    elif len(set(letters)) != len(letters):
        error("answer", _("The answer repeats an option."))
    elif kind == SINGLE and len(letters) != 1:
        error("answer", _("A single-choice question has exactly one answer."))
    elif kind == MULTIPLE and len(letters) < 2:
        error("answer", _("A multiple-choice question has at least two answers."))
    else:
        return kind, sorted(letters)
    return kind, None


def _truefalse(options, answer_text, error):
    truth = read_truth(answer_text)
    if truth is None and _word(answer_text) in ("1", "0"):
        truth = _word(answer_text) == "1"  # as systems that store a boolean write it
    letters = answer_letters(answer_text)
    if truth is None and letters in (["A"], ["B"]):
        meaning = [read_truth(text) for text in options[:2]]
        if len(meaning) == 2 and None not in meaning and meaning[0] != meaning[1]:
            truth = meaning["AB".index(letters[0])]
        else:
            truth = letters == ["A"]  # A = 对, B = 错
    if truth is None:
        error("answer", _("Answer a true-or-false question with 对 or 错 (or A/B)."))
        return None
    return [truth]


def _fill(stem, options, answer_text, error):
    expected = scoring.blank_count(stem)
    if answer_text:
        blanks = _blanks(answer_text, expected)
    else:
        blanks = [[v.strip() for v in _VARIANTS.split(text) if v.strip()] for text in options]
    if not blanks or any(not variants for variants in blanks):
        error("answer", _("Every blank needs at least one accepted answer."))
    elif expected == 0:
        error("stem", _("Mark each blank in the stem with （　） or ____."))
    elif len(blanks) != expected:
        error(
            "answer",
            _("The stem has %(s)d blanks but the answer gives %(a)d (separate blanks with |).")
            % {"s": expected, "a": len(blanks)},
        )
    else:
        return blanks
    return None


_NUMBERED_BLANK = re.compile(r"[（(【\[]\s*\d{1,2}\s*[）)】\]]|_+\s*\d{1,2}\s*_+")


def _numbered_blanks(stem: str, answer_text: str, options: list[str]) -> str:
    """A fill stem whose blanks are numbered (``（1）``, ``__1__``) written with ``（　）``
    — only when there are as many numbers as answers (else the numbers are text)."""
    numbered = len(_NUMBERED_BLANK.findall(stem))
    if not numbered:
        return stem
    total = numbered + scoring.blank_count(_NUMBERED_BLANK.sub("", stem))
    answers = len(_blanks(answer_text, total)) if answer_text else len(options)
    return _NUMBERED_BLANK.sub(scoring.BLANK, stem) if answers == total else stem


def _blanks(answer_text: str, expected: int) -> list[list[str]]:
    """Blanks separated by ``|``; other separators only when they give exactly the
    stem's number of blanks (``十八；一`` for two blanks)."""
    text = answer_text.strip()
    parts = _BLANKS[0].split(text)
    if len(parts) != expected and expected > 1:
        for separator in _BLANKS[1:]:
            candidate = separator.split(text)
            if len(candidate) == expected:
                parts = candidate
                break
    return [[v.strip() for v in _VARIANTS.split(part) if v.strip()] for part in parts]
