"""Every indicator on hand-built data (2025-Q3), per branch and per unit; the
units add their branches' numerators and denominators; a fixed query count."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import Role
from backend.points.services import points_correct
from backend.points.totals import totals_verify
from contests.models import Contest, ContestResult, ContestStatus
from courses.models import Lecture, LectureProgress
from orglife.models import ComplianceRule, MakeupStatus, MakeupTask, Record, Session
from orglife.services import SessionInput, session_create
from quizzes.models import Attempt, AttemptKind, AttemptStatus
from supervision import indicators
from supervision.models import DEFAULT_INDICATORS, Indicator, indicators_for_year
from tests.factories import make_branch, make_lecture, make_quiz, make_unit, make_user

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
Q3 = indicators.quarter_of("2025-Q3")


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


class Tree:
    """U1: B1 (m1, m2), B2 (m3); U2: B3 (m4) and its admin (no branch)."""

    def __init__(self):
        self.u1, self.u2 = make_unit("一号单位"), make_unit("二号单位")
        self.b1, self.b2 = make_branch(self.u1, "一支部"), make_branch(self.u1, "二支部")
        self.b3 = make_branch(self.u2, "三支部")
        self.m1 = make_user(branch=self.b1)
        self.m2 = make_user(Role.SECRETARY, branch=self.b1)
        self.m3 = make_user(branch=self.b2)
        self.m4 = make_user(branch=self.b3)
        self.admin2 = make_user(Role.UNIT_ADMIN, unit=self.u2)
        self.city = make_user(Role.CITY_ADMIN)
        # Not counted anywhere: inactive, or without a branch.
        make_user(branch=self.b1, is_active=False)


@pytest.fixture
def t(db):
    return Tree()


def test_defaults_are_created_once_and_weigh_100():
    rows = indicators_for_year(2025)
    assert [r.key for r in rows] == [key for key, *_ in DEFAULT_INDICATORS]
    assert sum(r.weight for r in rows) == 100
    indicators_for_year(2025)
    assert Indicator.objects.filter(year=2025).count() == len(DEFAULT_INDICATORS)
    assert rows[0].display_name  # a translated default name


def lecture(month: int):
    lec = make_lecture(month=date(2025, month, 1))
    Lecture.objects.filter(pk=lec.pk).update(published_at=at(f"2025-{month:02d}-01 08:00"))
    return lec


def done(member, lec, when):
    LectureProgress.objects.create(
        member=member, lecture=lec, seconds_read=600, reached_end=True, completed_at=at(when)
    )


def test_lecture_completion(t):
    july, august = lecture(7), lecture(8)
    lecture(10)  # the next quarter's
    make_lecture(month=date(2025, 9, 1), is_featured=False)  # extra reading: not counted
    done(t.m1, july, "2025-07-10 10:00")
    done(t.m1, august, "2025-08-10 10:00")
    done(t.m2, july, "2025-07-11 10:00")
    done(t.m2, august, "2025-10-02 10:00")  # after the quarter
    branches = indicators.compute(Q3, level="branch")
    assert branches[t.b1.pk]["lecture_completion"] == 75.0  # 3 of 2 members × 2 lectures
    assert branches[t.b2.pk]["lecture_completion"] == 0.0
    units = indicators.compute(Q3, level="unit")
    assert units[t.u1.pk]["lecture_completion"] == 50.0  # 3 of 3 × 2
    assert units[t.u2.pk]["lecture_completion"] == 0.0


def test_no_lecture_is_no_value(t):
    assert indicators.compute(Q3, level="unit")[t.u1.pk]["lecture_completion"] is None


def hold(branch, kind, when, *, by):
    data = SessionInput(kind=kind, title=f"会议{next(_n)}", starts_at=at(when), branch=branch)
    session = session_create(by=by, data=data)
    Record.objects.create(session=session, signed_at=session.ends_at, signed_by=by)
    return session


def test_compliance_and_makeup(t):
    ComplianceRule.objects.exclude(kind="committee").update(is_active=False)
    ComplianceRule.objects.filter(kind="committee").update(per="month", times=1, is_active=True)
    for month in (7, 8, 9):
        hold(t.b1, "committee", f"2025-{month:02d}-05 09:00", by=t.city)
    first = hold(t.b2, "committee", "2025-07-05 09:00", by=t.city)
    session = Session.objects.filter(branch=t.b1).first()
    MakeupTask.objects.create(session=session, member=t.m1, status=MakeupStatus.DONE)
    MakeupTask.objects.create(session=first, member=t.m3)
    MakeupTask.objects.create(session=first, member=t.m1)
    branches = indicators.compute(Q3, level="branch")
    assert branches[t.b1.pk]["orglife_compliance"] == 100.0
    assert branches[t.b2.pk]["orglife_compliance"] == 0.0
    assert branches[t.b3.pk]["orglife_compliance"] == 0.0
    assert branches[t.b1.pk]["makeup_completion"] == 100.0
    assert branches[t.b2.pk]["makeup_completion"] == 0.0
    assert branches[t.b3.pk]["makeup_completion"] is None  # no task: nothing to measure
    units = indicators.compute(Q3, level="unit")
    assert units[t.u1.pk]["orglife_compliance"] == 50.0  # the mean of its branches
    assert units[t.u1.pk]["makeup_completion"] == pytest.approx(33.3)  # 1 of 3 tasks


def attempt(member, quiz, score, *, when="2025-08-01 10:00", status=AttemptStatus.SUBMITTED):
    return Attempt.objects.create(
        member=member,
        kind=AttemptKind.QUIZ,
        quiz=quiz,
        seed=1,
        status=status,
        finished_at=at(when),
        score=Decimal(score),
        max_score=Decimal(10),
    )


def test_exam_participation_and_average(t):
    city_exam = make_quiz(purpose="exam", closes_at=at("2025-09-20 18:00"))
    unit2_exam = make_quiz(purpose="exam", closes_at=at("2025-08-10 18:00"), audience_unit=t.u2)
    later = make_quiz(purpose="exam", closes_at=at("2025-10-20 18:00"))  # next quarter
    practice = make_quiz(purpose="practice", closes_at=at("2025-09-20 18:00"))
    attempt(t.m1, city_exam, 8)
    attempt(t.m1, city_exam, 9)  # the best counts
    attempt(t.m2, city_exam, 6)
    attempt(t.m2, later, 10, when="2025-10-19 10:00")
    attempt(t.m3, practice, 10)
    attempt(t.m3, city_exam, 10, status=AttemptStatus.OPEN)  # not finished
    attempt(t.m4, city_exam, 10)
    attempt(t.m4, unit2_exam, 5)
    attempt(t.m1, unit2_exam, 10)  # outside the exam's audience: not counted
    branches = indicators.compute(Q3, level="branch")
    assert branches[t.b1.pk]["exam_participation"] == 100.0
    assert branches[t.b1.pk]["exam_average"] == 75.0
    assert branches[t.b2.pk]["exam_participation"] == 0.0
    assert branches[t.b2.pk]["exam_average"] is None
    assert branches[t.b3.pk]["exam_participation"] == 100.0  # both exams apply to B3
    assert branches[t.b3.pk]["exam_average"] == 75.0
    units = indicators.compute(Q3, level="unit")
    assert units[t.u1.pk]["exam_participation"] == pytest.approx(66.7)  # 2 of 3 pairs
    assert units[t.u1.pk]["exam_average"] == 75.0


def test_practice_activity(t):
    start = date(2025, 7, 1)
    Attempt.objects.bulk_create(
        [
            Attempt(member=t.m1, kind=AttemptKind.DAILY, day=start + timedelta(days=i), seed=i,
                    status=AttemptStatus.SUBMITTED)
            for i in range(46)
        ]
        + [
            Attempt(member=t.m4, kind=AttemptKind.DAILY, day=date(2025, 10, 1), seed=1,
                    status=AttemptStatus.SUBMITTED),
            Attempt(member=t.m3, kind=AttemptKind.DAILY, day=date(2025, 9, 1), seed=1,
                    status=AttemptStatus.OPEN),
        ]
    )  # fmt: skip
    branches = indicators.compute(Q3, level="branch")
    assert branches[t.b1.pk]["practice_activity"] == 25.0  # 46 of 2 × 92 days
    assert branches[t.b2.pk]["practice_activity"] == 0.0
    assert branches[t.b3.pk]["practice_activity"] == 0.0
    units = indicators.compute(Q3, level="unit")
    assert units[t.u1.pk]["practice_activity"] == pytest.approx(16.7)  # 46 of 3 × 92


def contest(host, finished, players=(), status=ContestStatus.FINISHED):
    quiz = make_quiz(purpose="contest")
    c = Contest.objects.create(
        quiz=quiz,
        host=host,
        title="知识竞赛",
        pin=f"{next(_n):06d}",
        status=status,
        finished_at=at(finished),
    )
    for rank, member in enumerate(players, start=1):
        ContestResult.objects.create(
            contest=c, player=f"p{member.pk}", member=member, name=member.name, rank=rank,
            score=100, correct=1, answered=1,
        )  # fmt: skip
    return c


def test_contests_held_and_joined(t):
    contest(t.m1, "2025-08-15 15:00", players=[t.m1, t.m3])
    contest(t.m1, "2025-09-15 15:00", players=[t.m1])  # m1 counted once
    contest(t.admin2, "2025-09-01 15:00")  # a unit admin without a branch: the unit's
    contest(t.m4, "2025-10-15 15:00", players=[t.m4])  # next quarter
    contest(t.m4, "2025-09-15 15:00", players=[t.m4], status=ContestStatus.RUNNING)
    branches = indicators.compute(Q3, level="branch")
    assert branches[t.b1.pk]["contests_held"] == 2
    assert branches[t.b2.pk]["contests_held"] == 0
    assert branches[t.b3.pk]["contests_held"] == 0
    assert branches[t.b1.pk]["contest_participation"] == 50.0
    assert branches[t.b2.pk]["contest_participation"] == 100.0
    assert branches[t.b3.pk]["contest_participation"] == 0.0
    units = indicators.compute(Q3, level="unit")
    assert units[t.u1.pk]["contests_held"] == 2
    assert units[t.u2.pk]["contests_held"] == 1
    assert units[t.u1.pk]["contest_participation"] == pytest.approx(66.7)


def test_points_per_member(t):
    def entry(member, points, day):
        points_correct(
            member=member, points=points, reason="测试", by=None,
            now=timezone.make_aware(datetime(day.year, day.month, day.day, 12)),
        )  # fmt: skip

    entry(t.m1, 30, date(2025, 8, 3))
    entry(t.m1, 100, date(2025, 10, 3))  # next quarter
    entry(t.m2, 15, date(2025, 9, 30))
    entry(t.m2, -5, date(2025, 9, 30))  # a correction counts
    entry(t.m4, 7, date(2025, 7, 1))
    branches = indicators.compute(Q3, level="branch")
    assert branches[t.b1.pk]["points_per_member"] == 20.0
    assert branches[t.b2.pk]["points_per_member"] == 0.0
    assert branches[t.b3.pk]["points_per_member"] == 7.0
    units = indicators.compute(Q3, level="unit")
    assert units[t.u1.pk]["points_per_member"] == pytest.approx(13.3)
    assert totals_verify() == []  # the totals read are the ledger's


def test_ids_limit_the_entities(t):
    assert set(indicators.compute(Q3, level="unit", ids=[t.u2.pk])) == {t.u2.pk}
    assert set(indicators.compute(Q3, level="branch", ids=[t.b1.pk, t.b3.pk])) == {
        t.b1.pk,
        t.b3.pk,
    }
    assert set(indicators.compute(Q3, level="unit")) == {t.u1.pk, t.u2.pk}


def test_a_fixed_number_of_queries(t):
    lec = lecture(7)
    exam = make_quiz(purpose="exam", closes_at=at("2025-09-20 18:00"))
    with CaptureQueriesContext(connection) as few:
        indicators.compute(Q3, level="unit")
    more_units = [make_unit(f"单位N{i}") for i in range(6)]
    for u in more_units:
        for j in range(3):
            b = make_branch(u, f"支部{j}")
            m = make_user(branch=b)
            done(m, lec, "2025-07-20 10:00")
            attempt(m, exam, 7)
            contest(m, "2025-08-15 15:00", players=[m])
    with CaptureQueriesContext(connection) as many:
        result = indicators.compute(Q3, level="unit")
    assert len(result) == 8
    assert len(many) == len(few) <= 18
