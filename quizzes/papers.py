"""
Papers (组卷): whether a quiz's banks can fill its paper, what the banks offer to
the rule editor, and publishing, which refuses a paper that cannot be filled.

The arithmetic is ``quizzes.rules`` (pure); this module reads the banks' active
questions — one query for the candidate rows (id, kind, category, difficulty,
tags) — and words the problems for people. A drawn paper can no longer be filled
when questions were deactivated or moved after it was made; a fixed paper when
one of its questions is inactive or it has none. ``fill_problems`` finds those
for a page of quizzes in a fixed number of queries (the admin list and the
builder's list flag them).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend.accounts.models import User

from . import rules as drawing
from . import scope
from .models import Question, QuestionBank, Quiz, QuizQuestion, QuizStatus
from .services import QuizError


class PaperError(QuizError):
    """A refused paper action: ``unfillable`` (publishing a paper the banks
    cannot fill) or ``not_found``."""


@dataclass(frozen=True)
class RuleResult:
    """One rule's check: how many active questions of the banks it matches, and
    what is wrong with it ("" when nothing) with a code for programs: ``invalid``
    (``errors``: the parser's, by field), ``unknown_category``, ``unknown_tag``,
    ``none`` (nothing matches), ``too_few``, ``shared`` (rules that compete for the
    same questions)."""

    available: int
    problem: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    code: str = ""

    @property
    def fixable_by_questions(self) -> bool:
        """A problem that more questions in the banks would solve (a draft may be
        saved with it); the others are mistakes in the rule itself."""
        return self.code in ("none", "too_few", "shared")


@dataclass(frozen=True)
class RuleCheck:
    rules: list[RuleResult]
    feasible: bool
    problem: str
    total_questions: int
    total_points: int


BanksLike = QuerySet[QuestionBank] | Iterable[QuestionBank | int]


def _bank_ids_or_query(banks: BanksLike):
    if isinstance(banks, QuerySet):
        return banks.values("pk")
    return [bank if isinstance(bank, int) else bank.pk for bank in banks]


def candidate_rows(*, banks: BanksLike) -> list[tuple[int, drawing.Candidate]]:
    """(bank id, candidate) of every active question of ``banks``, by id: one query."""
    rows = (
        Question.objects.filter(bank__in=_bank_ids_or_query(banks), is_active=True)
        .order_by("pk")
        .values_list("bank_id", "pk", "kind", "category", "difficulty", "tags")
    )
    return [
        (bank_id, drawing.Candidate(pk, kind, category, difficulty, _tags(tags)))
        for bank_id, pk, kind, category, difficulty, tags in rows
    ]


def candidates(*, banks: BanksLike) -> list[drawing.Candidate]:
    return [candidate for _bank, candidate in candidate_rows(banks=banks)]


def _tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(tag) for tag in value if isinstance(tag, str | int))


# --- the check ---


def _parsed(rules: Sequence[drawing.Rule] | Any):
    """(rules or None each, errors each, a problem with the list) from parsed rules
    or their JSON."""
    if isinstance(rules, list | tuple) and all(isinstance(r, drawing.Rule) for r in rules):
        return list(rules), [{} for _r in rules], ""
    return drawing.parse_each(rules)


def _rules_list(indexes: Sequence[int]) -> str:
    return "、".join(str(i + 1) for i in indexes)


def check(
    rules: Sequence[drawing.Rule | None],
    errors: Sequence[dict[str, str]],
    candidates: Sequence[drawing.Candidate],
    *,
    general: str = "",
    has_banks: bool = True,
) -> RuleCheck:
    """The check of parsed ``rules`` against ``candidates`` (no query)."""
    parsed = [rule for rule in rules if rule is not None]
    total_questions = sum(rule.count for rule in parsed)
    total_points = sum(rule.count * rule.points for rule in parsed)
    categories = {c.category for c in candidates}
    tags = {tag for c in candidates for tag in c.tags}
    results: list[RuleResult] = []
    for rule, rule_errors in zip(rules, errors, strict=True):
        if rule is None:
            message = "；".join(rule_errors.values())
            results.append(RuleResult(0, message, dict(rule_errors), "invalid"))
            continue
        available = sum(1 for c in candidates if rule.matches(c))
        problem = code = ""
        if rule.category is not None and rule.category not in categories:
            code = "unknown_category"
            problem = _("The banks have no category “%(category)s”.") % {"category": rule.category}
        elif rule.tag is not None and rule.tag not in tags:
            code = "unknown_tag"
            problem = _("The banks have no tag “%(tag)s”.") % {"tag": rule.tag}
        elif available == 0:
            code = "none"
            problem = _("No question of the banks matches this rule.")
        elif available < rule.count:
            code = "too_few"
            problem = _(
                "Only %(available)d questions of the banks match this rule; it asks for %(count)d."
            ) % {"available": available, "count": rule.count}
        results.append(RuleResult(available, problem, code=code))
    if not general and not rules:
        general = _("Add at least one rule.")
    if not general and not has_banks:
        general = _("Choose at least one question bank.")
    if not general and all(not r.problem for r in results):
        classes = drawing.sizes(drawing.classify(parsed, candidates))
        short = drawing.shortage([rule.count for rule in parsed], classes)
        if short is not None:
            message = _(
                "Rules %(rules)s draw from the same questions: together they need "
                "%(needed)d, the banks have %(available)d."
            ) % {
                "rules": _rules_list(short.rules),
                "needed": short.needed,
                "available": short.available,
            }
            results = [
                RuleResult(r.available, message, r.errors, "shared") if i in short.rules else r
                for i, r in enumerate(results)
            ]
            general = message
    if not general:
        for index, result in enumerate(results):
            if result.problem:
                general = _("%(rule)s: %(problem)s") % {
                    "rule": drawing.rule_label(index),
                    "problem": result.problem,
                }
                break
    return RuleCheck(
        rules=results,
        feasible=not general,
        problem=general,
        total_questions=total_questions,
        total_points=total_points,
    )


def rules_check(*, banks: BanksLike, rules: Sequence[drawing.Rule] | Any) -> RuleCheck:
    """
    Whether ``banks`` can fill ``rules`` (parsed rules or their JSON, version 1),
    rule by rule: the questions each can draw from and its problem (a field the
    parser refuses, a category or tag none of the banks has, too few questions,
    rules that compete for the same questions). One query.
    """
    parsed, errors, general = _parsed(rules)
    if not isinstance(banks, QuerySet):
        banks = list(banks)
        has_banks = bool(banks)
    else:
        has_banks = True
    rows = candidates(banks=banks) if has_banks else []
    if isinstance(banks, QuerySet) and not rows:
        has_banks = banks.exists()
    return check(parsed, errors, rows, general=general, has_banks=has_banks)


def fill_problems(quizzes: Sequence[Quiz]) -> dict[int, str]:
    """
    ``{quiz id: problem}`` for each of ``quizzes`` ("" when its paper can be
    filled): a drawn paper its banks can no longer fill, a fixed paper with no
    questions or with inactive ones. Three queries whatever the number of quizzes.
    """
    quizzes = list(quizzes)
    ids = [quiz.pk for quiz in quizzes]
    banks_of: dict[int, list[int]] = {pk: [] for pk in ids}
    for quiz_id, bank_id in Quiz.banks.through.objects.filter(quiz_id__in=ids).values_list(
        "quiz_id", "questionbank_id"
    ):
        banks_of[quiz_id].append(bank_id)
    drawn = [quiz for quiz in quizzes if quiz.rules]
    fixed = [quiz.pk for quiz in quizzes if not quiz.rules]
    by_bank: dict[int, list[drawing.Candidate]] = {}
    if drawn:
        wanted = {bank for quiz in drawn for bank in banks_of[quiz.pk]}
        for bank_id, candidate in candidate_rows(banks=sorted(wanted)):
            by_bank.setdefault(bank_id, []).append(candidate)
    items: dict[int, Counter] = {pk: Counter() for pk in fixed}
    if fixed:
        for quiz_id, active in QuizQuestion.objects.filter(quiz_id__in=fixed).values_list(
            "quiz_id", "question__is_active"
        ):
            items[quiz_id][active] += 1
    problems: dict[int, str] = {}
    for quiz in quizzes:
        if quiz.rules:
            pool = sorted(
                (c for bank in banks_of[quiz.pk] for c in by_bank.get(bank, ())),
                key=lambda c: c.id,
            )
            rules, errors, general = drawing.parse_each(quiz.rules)
            problems[quiz.pk] = check(
                rules, errors, pool, general=general, has_banks=bool(banks_of[quiz.pk])
            ).problem
        elif not items[quiz.pk]:
            problems[quiz.pk] = _("The paper has no questions.")
        elif items[quiz.pk][False]:
            problems[quiz.pk] = _("%(n)d questions of the paper are no longer active.") % {
                "n": items[quiz.pk][False]
            }
        else:
            problems[quiz.pk] = ""
    return problems


def facets(*, banks: BanksLike) -> dict[str, Any]:
    """What the banks' active questions offer the rule editor's selects (one query):
    ``categories`` and ``tags`` (``[{name, count}]``, most questions first) and
    ``kinds`` (``{kind: {difficulty: count}}``, every kind and difficulty 1–5)."""
    rows = candidates(banks=banks)
    categories = Counter(c.category for c in rows)
    tags = Counter(tag for c in rows for tag in c.tags)
    kinds = {kind: dict.fromkeys(range(1, 6), 0) for kind in drawing.KINDS}
    for c in rows:
        if c.kind in kinds and c.difficulty in kinds[c.kind]:
            kinds[c.kind][c.difficulty] += 1

    def ranked(counter: Counter) -> list[dict[str, Any]]:
        return [
            {"name": name, "count": count}
            for name, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    return {"categories": ranked(categories), "tags": ranked(tags), "kinds": kinds}


# --- publishing ---


def _managed(quiz: Quiz, user: User) -> Quiz:
    locked = (
        scope.quizzes_manageable_by(user).select_for_update(of=("self",)).filter(pk=quiz.pk).first()
        if quiz.pk
        else None
    )
    if locked is None:
        raise PaperError("not_found", _("No such quiz."))
    return locked


@transaction.atomic
def quiz_publish(*, quiz: Quiz, user: User) -> Quiz:
    """Publishes ``quiz`` for its audience; refuses (``unfillable``) a paper its
    banks cannot fill, saying why. ``user`` must manage the quiz."""
    locked = _managed(quiz, user)
    problem = fill_problems([locked])[locked.pk]
    if problem:
        raise PaperError(
            "unfillable",
            _("This paper cannot be published: %(problem)s") % {"problem": problem},
        )
    if locked.status != QuizStatus.PUBLISHED:
        locked.status = QuizStatus.PUBLISHED
        locked.save(update_fields=["status"])
    quiz.status = locked.status
    return quiz


@transaction.atomic
def quiz_unpublish(*, quiz: Quiz, user: User) -> Quiz:
    """Takes ``quiz`` back to a draft: members no longer see it (attempts already
    started can still be submitted)."""
    locked = _managed(quiz, user)
    if locked.status != QuizStatus.DRAFT:
        locked.status = QuizStatus.DRAFT
        locked.save(update_fields=["status"])
    quiz.status = locked.status
    return quiz
