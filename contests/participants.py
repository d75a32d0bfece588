"""
A contest's results per person in the caller's scope (参赛名单): who of the people
the contest was meant for joined it, with rank, score and right answers, and who
did not; as the page, the API and the workbook show them. The numbers are the
stored final results (``ContestResult``: what ``selectors.contest_results`` reads),
never a recount of their own.

- **Which contests**: a secretary or admin reads those they may see as hosts
  (``api.visible_contests``: their own, and for admins those of the hosts they
  manage) and every contest someone of their scope played; a city admin every one.
- **Meant for**: the people in the caller's scope expected to study
  (``scope.study_audience_visible_to``) who are also within the host's reach (a
  secretary's contest: the branch; a unit admin's: the unit; a city admin's: the
  city), narrowed to the paper's audience when it has one.
- **Joined**: a member with a result row (guests have no account and are not
  listed; the contest's own results page shows them).

Three queries whatever the number of people (the contest, the people, the results).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from openpyxl import Workbook

from backend.accounts import scope
from backend.accounts.people import PERSON_FIELDS, Person, person_dict, person_from
from backend.common.xlsx import header_row, safe_cell, workbook_bytes

from .api import visible_contests
from .models import Contest, ContestResult


def contests_reportable_to(user) -> QuerySet[Contest]:
    if not scope.can_view_study_reports(user):
        return Contest.objects.none()
    if scope.is_city_admin(user):
        return Contest.objects.all()
    played_in_scope = ContestResult.objects.filter(
        member__in=scope.members_visible_to(user)
    ).values("contest_id")
    return Contest.objects.filter(
        Q(pk__in=visible_contests(user).values("pk")) | Q(pk__in=played_in_scope)
    )


@dataclass
class Joined:
    person: Person
    rank: int
    score: int
    correct: int
    answered: int
    asked: int


@dataclass
class BranchSummary:
    branch_id: int | None
    branch: str
    unit: str
    expected: int = 0
    joined: int = 0


@dataclass
class ContestPeople:
    contest: Contest
    expected: int
    results: list[Joined]
    not_joined: list[Person]
    branches: list[BranchSummary] = field(default_factory=list)

    @property
    def joined(self) -> int:
        return len(self.results)


def meant_for(*, user, contest: Contest):
    people = scope.study_audience_visible_to(user).filter(
        pk__in=scope.members_visible_to(contest.host).values("pk")
    )
    quiz = contest.quiz
    if quiz.audience_branch_id is not None:
        people = people.filter(branch_id=quiz.audience_branch_id)
    elif quiz.audience_unit_id is not None:
        people = people.filter(unit_id=quiz.audience_unit_id)
    return people


def contest_people(*, user, contest: Contest, branch_id: int | None = None) -> ContestPeople:
    """``contest`` (with its host and quiz loaded) for the user's scope, optionally
    one branch of it (a branch outside the scope: 404)."""
    people_qs = meant_for(user=user, contest=contest)
    in_scope = scope.members_visible_to(user)
    if branch_id is not None:
        get_object_or_404(scope.branches_visible_to(user), pk=branch_id)
        people_qs = people_qs.filter(branch_id=branch_id)
        in_scope = in_scope.filter(branch_id=branch_id)
    people = {
        row["pk"]: person_from(row)
        for row in people_qs.order_by(
            "unit__position", "unit__name", "branch__position", "branch__name", "username"
        ).values(*PERSON_FIELDS)
    }
    rows = (
        ContestResult.objects.filter(contest=contest, member__in=in_scope)
        .order_by("rank", "name")
        .values(
            "member_id", "rank", "score", "correct", "answered", "asked",
            *(f"member__{name}" for name in PERSON_FIELDS[1:]),
        )
    )  # fmt: skip
    results = [
        Joined(
            person=people.get(row["member_id"]) or person_from(row, prefix="member__"),
            rank=row["rank"],
            score=row["score"],
            correct=row["correct"],
            answered=row["answered"],
            asked=row["asked"],
        )
        for row in rows
    ]
    joined_ids = {row.person.id for row in results}
    summaries: dict[int | None, BranchSummary] = {}
    for person in people.values():
        summary = summaries.setdefault(
            person.branch_id, BranchSummary(person.branch_id, person.branch, person.unit)
        )
        summary.expected += 1
        summary.joined += person.id in joined_ids
    return ContestPeople(
        contest=contest,
        expected=len(people),
        results=results,
        not_joined=[person for pk, person in people.items() if pk not in joined_ids],
        branches=sorted(
            summaries.values(),
            key=lambda s: (s.joined / s.expected if s.expected else 1, s.unit, s.branch),
        ),
    )


def as_dict(report: ContestPeople) -> dict:
    contest = report.contest
    return {
        "contest": {
            "id": contest.pk,
            "title": contest.title,
            "format": contest.format,
            "status": contest.status,
            "finished_at": contest.finished_at,
            "host": contest.host.name,
        },
        "expected": report.expected,
        "joined": report.joined,
        "results": [
            {
                **person_dict(row.person),
                "rank": row.rank,
                "score": row.score,
                "correct": row.correct,
                "answered": row.answered,
                "asked": row.asked,
            }
            for row in report.results
        ],
        "not_joined": [person_dict(person) for person in report.not_joined],
    }


def people_xlsx(report: ContestPeople) -> bytes:
    """参赛 (who joined, by rank) and 未参赛 (who did not), as the page shows them."""
    workbook = Workbook()
    joined = workbook.active
    joined.title = "参赛"
    header_row(
        joined,
        ["名次", "姓名", "用户名", "单位", "党支部", "得分", "答对题数", "作答题数", "出题数"],
    )
    for row in report.results:
        p = row.person
        joined.append(
            [
                row.rank, safe_cell(p.name), safe_cell(p.username), safe_cell(p.unit),
                safe_cell(p.branch), row.score, row.correct, row.answered, row.asked,
            ]
        )  # fmt: skip
    missing = workbook.create_sheet("未参赛")
    header_row(missing, ["姓名", "用户名", "单位", "党支部"])
    for p in report.not_joined:
        missing.append(
            [safe_cell(p.name), safe_cell(p.username), safe_cell(p.unit), safe_cell(p.branch)]
        )
    summary = workbook.create_sheet("汇总")
    header_row(summary, ["竞赛", "结束时间", "应参赛", "已参赛", "未参赛"])
    finished = report.contest.finished_at
    summary.append(
        [
            safe_cell(report.contest.title),
            timezone.localtime(finished).strftime("%Y-%m-%d %H:%M") if finished else "",
            report.expected, report.joined, len(report.not_joined),
        ]
    )  # fmt: skip
    for sheet in (joined, missing):
        sheet.column_dimensions["D"].width = 20
        sheet.column_dimensions["E"].width = 20
    summary.column_dimensions["A"].width = 30
    return workbook_bytes(workbook)
