"""
One question, written by a person: the rules a question must meet (shared by the
question editor, its API and the Django admin's form) and saving it.

The fields are those of ``Question`` in the formats of ``quizzes.scoring``
(version 1): ``options`` a list of option texts (``options[0]`` is "A"),
``answer`` the answer key (letters; ``[true]``/``[false]``; one list of accepted
variants per blank), ``lecture`` a ``courses.Lecture`` (or its id) or None,
``passage`` the cited paragraph of that lecture (1, 2, …) or None.
"""

import html
import re

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from courses.models import Lecture

from . import scoring
from .models import Question, QuestionBank, QuestionKind
from .sources import paragraph_count

MAX_OPTIONS = 8
MIN_OPTIONS = {QuestionKind.SINGLE: 2, QuestionKind.MULTIPLE: 3}
MAX_STEM = 2000
MAX_OPTION = 500
MAX_EXPLANATION = 5000
MAX_CATEGORY = 50
MAX_SOURCE = 200
MAX_TAGS = 10
MAX_TAG = 30
LETTERS = "ABCDEFGH"
TAG_SEPARATOR = re.compile(r"[,，、;；]")

#: The fields ``question_validate`` reads and ``question_save`` writes.
FIELDS = (
    "kind",
    "stem",
    "options",
    "answer",
    "explanation",
    "difficulty",
    "category",
    "tags",
    "source",
    "lecture",
    "passage",
    "is_active",
)


def split_tags(text: str) -> list[str]:
    """``"组织制度，党员、纪律"`` → ``["组织制度", "党员", "纪律"]`` (empty parts dropped)."""
    return [tag.strip() for tag in TAG_SEPARATOR.split(text or "") if tag.strip()]


def _is_text_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_choices(kind, options, answer, errors):
    minimum = MIN_OPTIONS[kind]
    if not _is_text_list(options):
        errors["options"] = _("Give the options as a list of texts.")
        return
    if any(not option.strip() for option in options):
        errors["options"] = _("Options must be filled in without gaps.")
    elif len(options) < minimum:
        errors["options"] = _("A %(k)s question needs at least %(n)d options.") % {
            "k": QuestionKind(kind).label,
            "n": minimum,
        }
    elif len(options) > MAX_OPTIONS:
        errors["options"] = _("A question has at most %(n)d options.") % {"n": MAX_OPTIONS}
    elif any(len(option) > MAX_OPTION for option in options):
        errors["options"] = _("An option is longer than %(n)d characters.") % {"n": MAX_OPTION}
    keys = LETTERS[: len(options)]
    if not _is_text_list(answer) or not answer:
        errors["answer"] = _("Mark the right answer.")
    elif any(key not in keys for key in answer):
        errors["answer"] = _("The answer names an option that does not exist.")
    elif len(set(answer)) != len(answer):
        errors["answer"] = _("The answer repeats an option.")
    elif kind == QuestionKind.SINGLE and len(answer) != 1:
        errors["answer"] = _("A single-choice question has exactly one answer.")
    elif kind == QuestionKind.MULTIPLE and len(answer) < 2:
        errors["answer"] = _("A multiple-choice question has at least two answers.")


def _check_blanks(stem, answer, errors):
    expected = scoring.blank_count(stem)
    if expected == 0:
        errors.setdefault("stem", _("Mark each blank in the stem with （　）."))
    elif (
        not isinstance(answer, list)
        or not all(_is_text_list(variants) for variants in answer)
        or any(not [v for v in variants if v.strip()] for variants in answer)
    ):
        errors["answer"] = _("Every blank needs at least one accepted answer.")
    elif len(answer) != expected:
        errors["answer"] = _(
            "The stem has %(s)d blanks but the answer gives %(a)d; give one answer per blank."
        ) % {"s": expected, "a": len(answer)}


def _lecture(value) -> Lecture | bool | None:
    """The cited lecture, None for none, False for an id that names no lecture."""
    if value in (None, ""):
        return None
    if isinstance(value, Lecture):
        return value
    try:
        return Lecture.objects.only("id", "title", "body_html", "status").get(pk=int(value))
    except (TypeError, ValueError, Lecture.DoesNotExist):
        return False


def question_validate(fields: dict) -> dict:
    """
    Checks one question's fields (see ``FIELDS``) and returns them cleaned, with
    ``stem_key`` and ``lecture`` as a ``Lecture``; raises ``ValidationError`` with
    a message per field otherwise (all the problems at once). The rules are the
    importer's: options without gaps (2–8, a 多选 at least 3), answer letters that
    exist, one answer for 单选 and at least two for 多选, one answer list per blank
    for 填空, difficulty 1–5, a category of at most 50 characters, a paragraph only
    with a lecture and within its paragraphs.
    """
    errors: dict[str, str] = {}
    kind = fields.get("kind")
    if kind not in QuestionKind.values:
        errors["kind"] = _("Choose the kind of question.")
    stem = (fields.get("stem") or "").strip() if isinstance(fields.get("stem"), str) else ""
    if not stem:
        errors["stem"] = _("The stem is empty.")
    elif len(stem) > MAX_STEM:
        errors["stem"] = _("The stem is longer than %(n)d characters.") % {"n": MAX_STEM}
    options, answer = fields.get("options") or [], fields.get("answer")
    if kind in MIN_OPTIONS:
        if _is_text_list(options):
            options = [option.strip() for option in options]
        _check_choices(kind, options, answer, errors)
        if "answer" not in errors and _is_text_list(answer):
            answer = sorted(answer)
    elif kind == QuestionKind.TRUEFALSE:
        options = []
        if answer not in ([True], [False]):
            errors["answer"] = _("Choose right or wrong.")
    elif kind == QuestionKind.FILL:
        options = []
        _check_blanks(stem, answer, errors)
        if "answer" not in errors and isinstance(answer, list):
            answer = [[v.strip() for v in variants if v.strip()] for variants in answer]
    difficulty = fields.get("difficulty")
    try:
        difficulty = int(difficulty if difficulty not in (None, "") else 3)
    except (TypeError, ValueError):
        difficulty = 0
    if not 1 <= difficulty <= 5:
        errors["difficulty"] = _("Difficulty is a whole number from 1 to 5.")
    category = (fields.get("category") or "").strip()
    if not category:
        errors["category"] = _("The category is empty.")
    elif len(category) > MAX_CATEGORY:
        errors["category"] = _("The category is longer than 50 characters.")
    tags = fields.get("tags") or []
    if isinstance(tags, str):
        tags = split_tags(tags)
    if not _is_text_list(tags):
        errors["tags"] = _("Give the tags as a list of texts.")
    else:
        tags = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
        if len(tags) > MAX_TAGS:
            errors["tags"] = _("At most %(n)d tags.") % {"n": MAX_TAGS}
        elif any(len(tag) > MAX_TAG for tag in tags):
            errors["tags"] = _("A tag is longer than %(n)d characters.") % {"n": MAX_TAG}
    source = (fields.get("source") or "").strip()
    if len(source) > MAX_SOURCE:
        errors["source"] = _("The source is longer than %(n)d characters.") % {"n": MAX_SOURCE}
    explanation = (fields.get("explanation") or "").strip()
    if len(explanation) > MAX_EXPLANATION:
        errors["explanation"] = pgettext(
            "question", "The explanation is longer than %(n)d characters."
        ) % {"n": MAX_EXPLANATION}
    lecture = _lecture(fields.get("lecture"))
    if lecture is False:
        errors["lecture"] = _("This lecture does not exist.")
        lecture = None
    passage = fields.get("passage")
    try:
        passage = int(passage) if passage not in (None, "") else None
    except (TypeError, ValueError):
        errors["passage"] = _("A paragraph is a whole number from 1.")
        passage = None
    if passage is not None:
        if lecture is None:
            errors.setdefault("passage", _("Choose the lecture before its paragraph."))
        elif not 1 <= passage <= (count := paragraph_count(lecture.body_html)):
            message = _("%(title)s has %(n)d paragraphs; there is no paragraph %(p)d.")
            errors["passage"] = message % {"title": lecture.title, "n": count, "p": passage}
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "stem": stem,
        "stem_key": scoring.normalise_stem(stem)[:500],
        "options": options,
        "answer": answer,
        "explanation": explanation,
        "difficulty": difficulty,
        "category": category,
        "tags": tags,
        "source": source,
        "lecture": lecture,
        "passage": passage,
        "is_active": bool(fields.get("is_active", True)),
    }


@transaction.atomic
def question_save(
    *, bank: QuestionBank, fields: dict, question: Question | None = None, user
) -> Question:
    """Validates ``fields`` (``question_validate``: raises ``ValidationError``) and
    creates the question in ``bank`` or updates ``question`` (which must be in
    ``bank``; its answers, statistics and mistakes stay with it). ``user`` is the
    admin saving it; the caller has checked that the user manages ``bank``."""
    cleaned = question_validate(fields)
    if question is None:
        question = Question(bank=bank)
    elif question.bank_id != bank.pk:
        raise ValueError("the question is not in this bank")
    for name, value in cleaned.items():
        setattr(question, name, value)
    question.save()
    return question


def question_set_active(*, question: Question, active: bool, user) -> Question:
    """停用/启用: an inactive question is kept (with its answers) but no longer drawn."""
    question.is_active = active
    question.save(update_fields=["is_active"])
    return question


def question_has_answers(question: Question) -> bool:
    from .models import AttemptQuestion, QuizQuestion

    return (
        AttemptQuestion.objects.filter(question=question).exists()
        or QuizQuestion.objects.filter(question=question).exists()
    )


def question_delete(*, question: Question, user) -> bool:
    """Deletes a question nobody has answered and no paper lists; False (nothing
    done) otherwise: deactivate it instead."""
    if question_has_answers(question):
        return False
    question.delete()
    return True


def same_stem(question_or_key, *, bank: QuestionBank, exclude: int | None = None) -> QuerySet:
    """Other questions of ``bank`` with the same stem (``stem_key``): a warning,
    not an error (duplicates may be kept)."""
    key = question_or_key if isinstance(question_or_key, str) else question_or_key.stem_key
    found = Question.objects.filter(bank=bank, stem_key=key).only("id", "stem")
    return found.exclude(pk=exclude) if exclude else found


_PARAGRAPH = re.compile(r"<p[\s>].*?(?:</p>|(?=<p[\s>])|$)", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def lecture_passages(body_html: str) -> list[dict]:
    """The paragraphs of a lecture's HTML as ``[{n, text}]``: the n-th ``<p>`` in
    document order (as ``sources.paragraph_count`` counts), tags stripped."""
    return [
        {"n": n, "text": _SPACE.sub(" ", html.unescape(_TAG.sub("", match.group(0)))).strip()}
        for n, match in enumerate(_PARAGRAPH.finditer(body_html or ""), start=1)
    ]


def _with_tag(questions: QuerySet, tag: str) -> QuerySet:
    """Questions carrying ``tag`` (exactly). JSON containment where the database has
    it (PostgreSQL); SQLite looks through the list with ``json_each``."""
    if connection.features.supports_json_field_contains:
        return questions.filter(tags__contains=[tag])
    return questions.alias(
        has_tag=RawSQL(  # a constant statement; the tag is a parameter
            'EXISTS (SELECT 1 FROM json_each("quizzes_question"."tags") WHERE value = %s)',
            [tag],
            output_field=BooleanField(),
        )
    ).filter(has_tag=True)


def questions_filtered(
    questions: QuerySet,
    *,
    q: str = "",
    category: str = "",
    kind: str = "",
    difficulty: int | None = None,
    tag: str = "",
    active: bool | None = None,
    cited: bool | None = None,
) -> QuerySet:
    """The question list's filters (the editor's list page and ``GET /questions/``):
    ``q`` in the stem, explanation or 出处; ``cited``: cites a lecture or not."""
    if q:
        questions = questions.filter(
            Q(stem__icontains=q) | Q(explanation__icontains=q) | Q(source__icontains=q)
        )
    if category:
        questions = questions.filter(category=category)
    if kind:
        questions = questions.filter(kind=kind)
    if difficulty is not None:
        questions = questions.filter(difficulty=difficulty)
    if tag:
        questions = _with_tag(questions, tag)
    if active is not None:
        questions = questions.filter(is_active=active)
    if cited is not None:
        questions = questions.filter(lecture__isnull=not cited)
    return questions


def bank_categories(bank_ids) -> list[str]:
    return list(
        Question.objects.filter(bank_id__in=bank_ids)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def bank_tags(bank_ids) -> list[str]:
    tags: set[str] = set()
    for row in Question.objects.filter(bank_id__in=bank_ids).values_list("tags", flat=True):
        if isinstance(row, list):
            tags.update(tag for tag in row if isinstance(tag, str))
    return sorted(tags)
