"""
A quiz's results per person (成绩单): who in the caller's scope was expected to take
it, who took it (best score, attempts, time used on the best attempt, passed), and
who has not; as the page, the API and the workbook show them.

- **Which quizzes**: a secretary those addressed to the whole city, the own unit or
  the own branch; a unit admin those addressed to the city, the own unit or one of
  its branches; a city admin every quiz. Contest papers (竞赛题) are not taken as
  quizzes and have no results here (their contests do: ``contests.participants``).
- **Expected**: the people in the caller's scope who are expected to study
  (``scope.study_audience_visible_to``) and to whom the quiz is addressed (its
  audience unit or branch; a quiz for everyone: all of them).
- **Taken**: at least one closed attempt (submitted, or closed at its deadline). The
  best attempt is the highest score, the quicker one of equal scores; ``seconds``
  is its time from start to finish. ``attempts`` counts every attempt started, the
  one in progress included; someone with only an attempt in progress is listed
  under ``not_taken`` with ``in_progress``. Someone in scope who took it without
  being expected now (moved to another branch since) is listed all the same.

Two queries whatever the number of people (the expected people; every attempt at
the quiz in scope with its member), plus the caller's quiz lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from openpyxl import Workbook

from backend.accounts import scope
from backend.accounts.models import Role, User
from backend.accounts.people import PERSON_FIELDS, Person, person_dict, person_from
from backend.common.xlsx import header_row, safe_cell, workbook_bytes

from .models import Attempt, AttemptKind, AttemptStatus, Quiz, QuizPurpose

CLOSED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def quizzes_reportable_to(user) -> QuerySet[Quiz]:
    """The quizzes whose results the user may read (none for a member)."""
    if not scope.can_view_study_reports(user):
        return Quiz.objects.none()
    quizzes = Quiz.objects.exclude(purpose=QuizPurpose.CONTEST)
    if scope.is_city_admin(user):
        return quizzes
    everyone = Q(audience_unit__isnull=True, audience_branch__isnull=True)
    if user.role == Role.UNIT_ADMIN:
        return quizzes.filter(
            everyone | Q(audience_unit_id=user.unit_id) | Q(audience_branch__unit_id=user.unit_id)
        )
    if user.branch_id is None:
        return Quiz.objects.none()
    return quizzes.filter(
        everyone | Q(audience_unit_id=user.unit_id) | Q(audience_branch_id=user.branch_id)
    )


@dataclass
class PersonResult:
    person: Person
    best_score: Decimal
    max_score: Decimal
    attempts: int
    passed: bool
    seconds: int | None
    finished_at: object

    @property
    def percent(self) -> float:
        if not self.max_score:
            return 0.0
        return round(float(self.best_score) * 100 / float(self.max_score), 1)

    @property
    def duration(self) -> str:
        return duration_text(self.seconds)


@dataclass
class NotTaken:
    person: Person
    in_progress: bool


@dataclass
class BranchSummary:
    branch_id: int | None
    branch: str
    unit: str
    expected: int = 0
    taken: int = 0
    passed: int = 0


@dataclass
class QuizResults:
    quiz: Quiz
    expected: int
    results: list[PersonResult]
    not_taken: list[NotTaken]
    branches: list[BranchSummary] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(1 for row in self.results if row.passed)


def expected_people(*, user, quiz: Quiz) -> QuerySet[User]:
    people = scope.study_audience_visible_to(user)
    if quiz.audience_branch_id is not None:
        people = people.filter(branch_id=quiz.audience_branch_id)
    elif quiz.audience_unit_id is not None:
        people = people.filter(unit_id=quiz.audience_unit_id)
    return people


def _or_last(seconds: int | None) -> float:
    return seconds if seconds is not None else 1e12


def _best(attempts: list[dict]) -> dict:
    def seconds(a):
        return (a["finished_at"] - a["started_at"]).total_seconds() if a["finished_at"] else 1e12

    return min(attempts, key=lambda a: (-(a["score"] or 0), seconds(a), a["started_at"]))


def quiz_results(*, user, quiz: Quiz, branch_id: int | None = None) -> QuizResults:
    """The results of ``quiz`` in the user's scope (optionally one branch of it: a
    branch outside the scope is a 404)."""
    expected = expected_people(user=user, quiz=quiz)
    in_scope = scope.members_visible_to(user)
    if branch_id is not None:
        get_object_or_404(scope.branches_visible_to(user), pk=branch_id)
        expected = expected.filter(branch_id=branch_id)
        in_scope = in_scope.filter(branch_id=branch_id)
    people = {
        row["pk"]: person_from(row)
        for row in expected.order_by(
            "unit__position", "unit__name", "branch__position", "branch__name", "username"
        ).values(*PERSON_FIELDS)
    }
    member_fields = tuple(f"member__{name}" for name in PERSON_FIELDS[1:])
    rows = (
        Attempt.objects.filter(quiz=quiz, kind=AttemptKind.QUIZ, member__in=in_scope)
        .order_by()
        .values(
            "member_id", "status", "score", "max_score", "passed", "started_at", "finished_at",
            *member_fields,
        )
    )  # fmt: skip
    by_member: dict[int, list[dict]] = {}
    for row in rows:
        by_member.setdefault(row["member_id"], []).append(row)

    results, started = [], set()
    for member_id, attempts in by_member.items():
        closed = [a for a in attempts if a["status"] in CLOSED]
        if not closed:
            started.add(member_id)
            continue
        best = _best(closed)
        # someone who took it without being expected now: from the attempt's row
        person = people.get(member_id) or person_from(best, prefix="member__")
        results.append(
            PersonResult(
                person=person,
                best_score=best["score"] or Decimal(0),
                max_score=best["max_score"],
                attempts=len(attempts),
                passed=any(a["passed"] for a in closed),
                seconds=int((best["finished_at"] - best["started_at"]).total_seconds())
                if best["finished_at"]
                else None,
                finished_at=best["finished_at"],
            )
        )
    results.sort(key=lambda r: (-r.percent, _or_last(r.seconds), r.person.username))
    taken_ids = {r.person.id for r in results}
    not_taken = [
        NotTaken(person=person, in_progress=pk in started)
        for pk, person in people.items()
        if pk not in taken_ids
    ]
    return QuizResults(
        quiz=quiz,
        expected=len(people),
        results=results,
        not_taken=not_taken,
        branches=_by_branch(people, results),
    )


def _by_branch(people: dict[int, Person], results: list[PersonResult]) -> list[BranchSummary]:
    """Per branch of the expected people: expected, taken and passed, lowest share
    taken first (where to look first)."""
    summaries: dict[int | None, BranchSummary] = {}
    for person in people.values():
        summary = summaries.setdefault(
            person.branch_id, BranchSummary(person.branch_id, person.branch, person.unit)
        )
        summary.expected += 1
    for row in results:
        summary = summaries.get(row.person.branch_id)
        if summary is not None and row.person.id in people:
            summary.taken += 1
            summary.passed += row.passed
    return sorted(
        summaries.values(),
        key=lambda s: (s.taken / s.expected if s.expected else 1, s.unit, s.branch),
    )


# --- as JSON and as a workbook ----------------------------------------------------


def as_dict(report: QuizResults) -> dict:
    quiz = report.quiz
    return {
        "quiz": {
            "id": quiz.pk,
            "title": quiz.title,
            "purpose": quiz.purpose,
            "pass_percent": quiz.pass_percent,
            "max_attempts": quiz.max_attempts,
            "opens_at": quiz.opens_at,
            "closes_at": quiz.closes_at,
        },
        "expected": report.expected,
        "taken": report.taken,
        "passed": report.passed,
        "results": [
            {
                **person_dict(row.person),
                "best_score": float(row.best_score),
                "max_score": float(row.max_score),
                "percent": row.percent,
                "attempts": row.attempts,
                "passed": row.passed,
                "seconds": row.seconds,
                "finished_at": row.finished_at,
            }
            for row in report.results
        ],
        "not_taken": [
            {**person_dict(row.person), "in_progress": row.in_progress} for row in report.not_taken
        ],
    }


def duration_text(seconds: int | None) -> str:
    """12:05 (minutes:seconds), 1:02:05 past an hour; "" when unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def results_xlsx(report: QuizResults) -> bytes:
    """Two sheets with the page's numbers: 成绩 (who took it) and 未参加 (who has not)."""
    workbook = Workbook()
    taken = workbook.active
    taken.title = "成绩"
    header_row(
        taken,
        ["姓名", "用户名", "单位", "党支部", "最高分", "满分", "得分率(%)", "作答次数",
         "用时(秒)", "用时", "是否及格", "交卷时间"],
    )  # fmt: skip
    for row in report.results:
        p = row.person
        finished = (
            timezone.localtime(row.finished_at).strftime("%Y-%m-%d %H:%M")
            if row.finished_at
            else ""
        )
        taken.append(
            [
                safe_cell(p.name), safe_cell(p.username), safe_cell(p.unit), safe_cell(p.branch),
                float(row.best_score), float(row.max_score), row.percent, row.attempts,
                row.seconds, duration_text(row.seconds), "是" if row.passed else "否", finished,
            ]
        )  # fmt: skip
    missing = workbook.create_sheet("未参加")
    header_row(missing, ["姓名", "用户名", "单位", "党支部", "状态"])
    for row in report.not_taken:
        p = row.person
        missing.append(
            [
                safe_cell(p.name), safe_cell(p.username), safe_cell(p.unit), safe_cell(p.branch),
                "作答中" if row.in_progress else "未参加",
            ]
        )  # fmt: skip
    summary = workbook.create_sheet("汇总")
    header_row(summary, ["试卷", "应参加", "已参加", "及格", "未参加"])
    summary.append(
        [
            safe_cell(report.quiz.title), report.expected, report.taken, report.passed,
            len(report.not_taken),
        ]
    )  # fmt: skip
    for sheet in (taken, missing):
        sheet.column_dimensions["C"].width = 20
        sheet.column_dimensions["D"].width = 20
    summary.column_dimensions["A"].width = 30
    return workbook_bytes(workbook)
