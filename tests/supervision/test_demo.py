"""`seed_demo`: a year of activity with real differences, and the last quarter published
from it (every indicator valued for every unit); the ledger's totals equal a recount;
a second run adds nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from backend.accounts.models import Unit, User
from backend.points.models import PointBalance, PointEvent, PointTotal
from backend.points.totals import totals_verify
from contests.models import Contest, ContestResult, ContestStatus
from courses.models import LectureProgress, ReadingCheck
from orglife.compliance import period_of
from orglife.models import RulePeriod
from quizzes.models import Attempt, AttemptKind, Quiz, QuizPurpose
from supervision.assessment import latest
from supervision.indicators import KEYS
from supervision.models import Assessment

pytestmark = pytest.mark.django_db

COUNTED = (
    PointEvent,
    PointBalance,
    PointTotal,
    Attempt,
    Quiz,
    LectureProgress,
    ReadingCheck,
    Contest,
    ContestResult,
    Assessment,
)


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def months_back(n):
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


def test_seed_demo_gives_a_year_of_activity_and_publishes_the_last_quarter(api_as):
    # given / when
    call_command("seed_demo", password="demo-pass-1")
    first = counts()
    today = timezone.localdate()
    last = period_of(period_of(today, RulePeriod.QUARTER).start - timedelta(days=1), "quarter")

    # then: the last quarter is published, every indicator valued for every unit
    assessment = latest(last.label)
    assert assessment is not None and assessment.version == 1
    units = assessment.snapshot["units"]
    assert len(units) == Unit.objects.count() == 3
    for unit in units:
        assert {key for key, value in unit["values"].items() if value is None} == set(), unit
        assert set(KEYS) <= set(unit["values"])
    # the units differ, the weaker one last
    scores = [unit["score"] for unit in units]
    assert len(set(scores)) == 3
    assert min(units, key=lambda u: u["score"])["name"] == "市教育局"
    assert max(scores) - min(scores) >= 5

    # daily practice in each of the past 12 months, more in the stronger units
    daily = Attempt.objects.filter(kind=AttemptKind.DAILY)
    for n in range(1, 13):
        year, month = months_back(n)
        assert daily.filter(day__year=year, day__month=month).exists(), (year, month)
    per_member = {
        unit.name: daily.filter(member__unit=unit).count()
        / User.objects.filter(unit=unit, branch__isnull=False).count()
        for unit in Unit.objects.all()
    }
    assert per_member["市教育局"] < 0.75 * min(
        v for name, v in per_member.items() if name != "市教育局"
    )
    # an exam in each past quarter, taken with scores that differ; contests finished
    exams = Quiz.objects.filter(purpose=QuizPurpose.EXAM, closes_at__lt=timezone.now())
    assert exams.count() >= 4
    for exam in exams:
        taken = exam.attempts.exclude(score=None)
        assert taken.count() >= 30
        assert len(set(taken.values_list("score", flat=True))) >= 5
    finished = Contest.objects.filter(status=ContestStatus.FINISHED)
    assert finished.count() >= 6
    assert ContestResult.objects.filter(contest__in=finished).count() >= 100

    # the ledger: balances and per-period totals equal a recount
    assert totals_verify() == []
    sums = dict(PointEvent.objects.values_list("member_id").annotate(s=Sum("points")).order_by())
    balances = dict(PointBalance.objects.values_list("member_id", "total"))
    assert {m: s for m, s in sums.items() if s} == {m: t for m, t in balances.items() if t}
    assert first["PointEvent"] > 10_000

    # member001 ranks in every scope and period
    member = User.objects.get(username="member001")
    client = api_as(member)
    for scope in ("branch", "unit", "city"):
        for period in ("month", "quarter", "year", "all"):
            body = client.get("/api/v1/leaderboards/", {"scope": scope, "period": period}).json()
            assert body["results"], (scope, period)
            assert body["me"]["rank"] >= 1 and body["me"]["points"] > 0, (scope, period)
    units_board = client.get(
        "/api/v1/leaderboards/", {"scope": "city", "period": "year", "of": "units"}
    ).json()
    assert len({row["points"] for row in units_board["results"]}) == 3

    # a second run adds no rows and leaves the published quarter as it was
    call_command("seed_demo", password="demo-pass-2")
    assert counts() == first
    assert latest(last.label).pk == assessment.pk
    assert totals_verify() == []
