"""
The assessment's indicators, computed per branch or unit for a quarter from the
data already recorded (lecture progress, sessions, attempts, contests, the points
ledger). Nothing is stored here: ``supervision.assessment`` scores and freezes.

**Who counts as a member.** Active people with a branch (``study_audience``):
members and secretaries, and a unit admin who also belongs to a branch. A
branch's members are those in it *now*: the org tree keeps no history, so a
member who moved counts with the new branch (as the leaderboards do).

**Grain.** Every indicator is computed per *branch* as a numerator and a
denominator (``Measure``); a unit's value is the sum of its active branches'
numerators over the sum of their denominators — so a unit of 50 is not
outweighed by a unit of 5, and no unit is favoured for its size. Organisational-
life compliance is the exception: a unit's value is the mean of its branches'
(each branch is one unit of account there).

**No data, no value.** When there is nothing to divide (no lecture in the
quarter, no make-up task, no member), the value is ``None``, never 0: the
scoring leaves that indicator out for that entity (see ``assessment``).

**The quarter.** ``Period`` (``orglife.compliance``) of grain quarter. For a
quarter that is still running, everything is counted up to now (the days of
daily practice included), so a preview never asks for what could not be done yet.

**Queries.** A fixed number whatever the number of units, branches, members and
ledger rows: each indicator is one or two ``GROUP BY`` queries (grouped by the
member's branch), and compliance is ``orglife.compliance.compliance_report``
(six queries). ``compute`` asks about 17 in all (tests pin it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import Branch, User
from backend.points.models import PointTotal
from contests.models import Contest, ContestResult, ContestStatus
from courses.models import Lecture, LectureProgress, LectureStatus
from orglife.compliance import Period, compliance_report, period_of
from orglife.models import RulePeriod
from quizzes.models import Attempt, AttemptKind, AttemptStatus, Quiz, QuizPurpose, QuizStatus

from .models import DEFAULT_INDICATORS

#: Every key an indicator can have, in the default order.
KEYS = tuple(key for key, *_rest in DEFAULT_INDICATORS)

#: Attempts that count as taken (an open one is not finished yet).
FINISHED_ATTEMPTS = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


@dataclass
class Measure:
    """A value as numerator / denominator, so branches add up into their unit."""

    num: float = 0.0
    den: float = 0.0

    def add(self, other: Measure) -> None:
        self.num += other.num
        self.den += other.den

    def percent(self) -> float | None:
        return None if not self.den else round(self.num * 100 / self.den, 1)

    def ratio(self) -> float | None:
        return None if not self.den else round(self.num / self.den, 1)


@dataclass
class Context:
    """What every indicator function gets: the quarter, the branches, their members."""

    quarter: Period
    now: datetime
    #: branch id → unit id (active branches in scope)
    branches: dict[int, int]
    #: branch id → number of members
    members: dict[int, int]
    #: unit id → contests hosted by the unit's people without a branch (its admins)
    unit_extra_contests: dict[int, float] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return self.quarter.starts_at()

    @property
    def end(self) -> datetime:
        """The end of what is counted: the quarter's end, or now while it runs."""
        return min(self.quarter.ends_at(), self.now)

    def member_filter(self, prefix: str = "member__") -> Q:
        return Q(
            **{
                f"{prefix}is_active": True,
                f"{prefix}branch_id__in": list(self.branches),
            }
        )


# --- the indicators (each: branch id → Measure) ---------------------------------------


def lecture_completion(ctx: Context) -> dict[int, Measure]:
    """
    Lecture completion rate (%): of the quarter's lectures of the month (featured,
    published by the end of what is counted, ``month`` inside the quarter), the
    share that the branch's members completed (``LectureProgress.completed_at``
    before the end counted), out of members × lectures. Two queries.
    """
    lectures = list(
        Lecture.objects.filter(
            is_featured=True,
            status=LectureStatus.PUBLISHED,
            published_at__lt=ctx.end,
            month__gte=ctx.quarter.start,
            month__lt=ctx.quarter.end,
        ).values_list("pk", flat=True)
    )
    done = (
        dict(
            LectureProgress.objects.filter(
                ctx.member_filter(),
                lecture_id__in=lectures,
                completed_at__isnull=False,
                completed_at__lt=ctx.end,
            )
            .values_list("member__branch_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if lectures
        else {}
    )
    return {b: Measure(done.get(b, 0), len(lectures) * ctx.members.get(b, 0)) for b in ctx.branches}


def orglife_compliance(ctx: Context, report) -> dict[int, Measure]:
    """
    Organisational-life compliance (%): the share of the branch's required kinds
    (the active ``ComplianceRule`` rows that apply to it and ask something of it
    in the quarter) that it held as due (``held ≥ due``, what ``orglife.compliance``
    counts for its light). A branch asked nothing has no value. A unit's value is
    the mean of its branches' values (``Measure`` of percentages / branches).
    """
    out = {}
    for row in report.branches:
        kinds = [k for k in row.kinds if k.due]
        if kinds:
            met = sum(1 for k in kinds if k.complete)
            out[row.branch.pk] = Measure(met / len(kinds), 1)
        else:
            out[row.branch.pk] = Measure(0, 0)
    return out


def makeup_completion(ctx: Context, report) -> dict[int, Measure]:
    """
    Make-up completion rate (%): of the make-up tasks of the branch's sessions
    held in the quarter (as ``orglife.compliance`` counts them), the share done.
    """
    return {row.branch.pk: Measure(row.makeup_done, row.makeup_total) for row in report.branches}


def _exam_ids(ctx: Context) -> list[tuple[int, int | None, int | None]]:
    """The quarter's exams: published, purpose exam, whose day (closing, else
    opening, else creation) falls inside the quarter and before the end counted;
    with their audience (unit, branch; both empty: the whole city)."""
    return list(
        Quiz.objects.filter(purpose=QuizPurpose.EXAM, status=QuizStatus.PUBLISHED)
        .annotate(day=Coalesce("closes_at", "opens_at", "created_at"))
        .filter(day__gte=ctx.start, day__lt=ctx.end)
        .values_list("pk", "audience_unit_id", "audience_branch_id")
    )


def exams(ctx: Context) -> tuple[dict[int, Measure], dict[int, Measure]]:
    """
    Exam participation rate (%): of the pairs (member, exam of the quarter whose
    audience includes the member's branch), the share with a finished attempt
    (submitted or closed at the deadline).

    Exam average score (points, 0–100): the mean, over those pairs taken, of the
    member's best score in percent of the paper's maximum. Two queries.
    """
    quizzes = _exam_ids(ctx)
    participation = {b: Measure() for b in ctx.branches}
    average = {b: Measure() for b in ctx.branches}
    if not quizzes:
        return participation, average
    for b, unit in ctx.branches.items():
        n = sum(1 for _q, u, br in quizzes if (br == b) or (br is None and u in (None, unit)))
        participation[b].den = n * ctx.members.get(b, 0)
    audience = {q: (u, br) for q, u, br in quizzes}
    rows = (
        Attempt.objects.filter(
            ctx.member_filter(),
            kind=AttemptKind.QUIZ,
            quiz_id__in=list(audience),
            status__in=FINISHED_ATTEMPTS,
            finished_at__lt=ctx.end,
            max_score__gt=0,
        )
        .values_list("member__branch_id", "member_id", "quiz_id")
        .annotate(best=Max(F("score") * 100 / F("max_score")))
        .order_by()
    )
    for b, _member, quiz, best in rows:
        unit_id, branch_id = audience[quiz]
        if branch_id not in (None, b) or unit_id not in (None, ctx.branches[b]):
            continue  # taken by someone outside the exam's audience: not counted
        participation[b].num += 1
        average[b].num += float(best or 0)
        average[b].den += 1
    return participation, average


def practice_activity(ctx: Context) -> dict[int, Measure]:
    """
    Daily-practice activity (%): the days on which the branch's members did the
    daily practice (a finished ``daily`` attempt of that day), out of members ×
    days of the quarter counted (up to today while it runs). One query.
    """
    today = timezone.localdate(ctx.now)
    days = max(0, (min(ctx.quarter.end, today + timedelta(days=1)) - ctx.quarter.start).days)
    done = dict(
        Attempt.objects.filter(
            ctx.member_filter(),
            kind=AttemptKind.DAILY,
            status__in=FINISHED_ATTEMPTS,
            day__gte=ctx.quarter.start,
            day__lt=ctx.quarter.end,
            day__lte=today,
        )
        .values_list("member__branch_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {b: Measure(done.get(b, 0), days * ctx.members.get(b, 0)) for b in ctx.branches}


def contests_held(ctx: Context) -> dict[int, Measure]:
    """
    Contests held (count): finished live contests of the quarter (``finished_at``
    inside it) hosted by someone of the branch; a unit's value is its branches'
    sum plus those hosted by its unit admins (who may have no branch). One query.
    A value per *entity*, not per member: the denominator is 1.
    """
    rows = (
        Contest.objects.filter(
            status=ContestStatus.FINISHED,
            finished_at__gte=ctx.start,
            finished_at__lt=ctx.end,
            host__unit_id__in=set(ctx.branches.values()),
        )
        .values_list("host__branch_id", "host__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = {b: Measure(0, 1) for b in ctx.branches}
    # Contests by someone of the unit but no branch (its admin) count for the unit only.
    out_unit: dict[int, float] = defaultdict(float)
    for branch_id, unit_id, n in rows:
        if branch_id in out:
            out[branch_id].num += n
        else:
            out_unit[unit_id] += n
    ctx.unit_extra_contests = dict(out_unit)
    return out


def contest_participation(ctx: Context) -> dict[int, Measure]:
    """
    Contest participation rate (%): the share of the branch's members who played
    in at least one live contest finished in the quarter (a ``ContestResult``
    naming them). One query.
    """
    joined = dict(
        ContestResult.objects.filter(
            ctx.member_filter(),
            contest__status=ContestStatus.FINISHED,
            contest__finished_at__gte=ctx.start,
            contest__finished_at__lt=ctx.end,
        )
        .values_list("member__branch_id")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    return {b: Measure(joined.get(b, 0), ctx.members.get(b, 0)) for b in ctx.branches}


def points_per_member(ctx: Context) -> dict[int, Measure]:
    """
    Points per member (points): the branch's members' points of the quarter
    (``PointTotal`` of the quarter's key, kept with the ledger: the sum of their
    ledger entries, corrections included, whose ``day`` falls in the quarter),
    divided by its members. One query over the per-period totals, not the ledger.
    """
    totals = dict(
        PointTotal.objects.filter(ctx.member_filter(), period=ctx.quarter.label)
        .values_list("member__branch_id")
        .annotate(n=Sum("points"))
        .order_by()
    )
    return {b: Measure(totals.get(b) or 0, ctx.members.get(b, 0)) for b in ctx.branches}


# --- the whole computation --------------------------------------------------------------


def quarter_of(label: str) -> Period:
    """``YYYY-Qn`` → the quarter (``ValueError`` for anything else)."""
    year, _sep, q = label.partition("-Q")
    if len(year) != 4 or not year.isdigit() or q not in ("1", "2", "3", "4"):
        raise ValueError(label)
    return period_of(date(int(year), int(q) * 3, 1), RulePeriod.QUARTER)


def branch_measures(
    quarter: Period, *, branch_ids=None, unit_ids=None, now: datetime | None = None
) -> tuple[Context, dict[int, dict[str, Measure]], dict[int, float]]:
    """Every indicator of every active branch (of active units, limited to
    ``branch_ids``/``unit_ids`` if given) as a ``Measure``; also the contests
    hosted by people of a unit without a branch (unit id → count)."""
    now = now or timezone.now()
    branches = Branch.objects.filter(is_active=True, unit__is_active=True)
    if branch_ids is not None:
        branches = branches.filter(pk__in=list(branch_ids))
    if unit_ids is not None:
        branches = branches.filter(unit_id__in=list(unit_ids))
    branch_map = dict(branches.order_by().values_list("pk", "unit_id"))
    members = dict(
        User.objects.filter(is_active=True, branch_id__in=list(branch_map))
        .values_list("branch_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ctx = Context(quarter=quarter, now=now, branches=branch_map, members=members)
    report = compliance_report(
        branches=Branch.objects.filter(pk__in=list(branch_map)), period=quarter, now=now
    )
    participation, average = exams(ctx)
    per_key = {
        "lecture_completion": lecture_completion(ctx),
        "orglife_compliance": orglife_compliance(ctx, report),
        "makeup_completion": makeup_completion(ctx, report),
        "exam_participation": participation,
        "exam_average": average,
        "practice_activity": practice_activity(ctx),
        "contests_held": contests_held(ctx),
        "contest_participation": contest_participation(ctx),
        "points_per_member": points_per_member(ctx),
    }
    measures = {b: {key: per_key[key].get(b, Measure()) for key in KEYS} for b in branch_map}
    return ctx, measures, ctx.unit_extra_contests


def value_of(key: str, measure: Measure) -> float | None:
    """A measure as the indicator's value: a percentage, a count or points (1 decimal)."""
    if key in ("contests_held",):
        return None if not measure.den else round(measure.num, 1)
    if key in ("exam_average", "points_per_member"):
        return measure.ratio()
    return measure.percent()


def unit_measures(
    ctx: Context, measures: dict[int, dict[str, Measure]], extra_contests: dict[int, float]
) -> dict[int, dict[str, Measure]]:
    """The branches' measures added up per unit (contests held: summed, with those
    of the unit's people without a branch; compliance: mean of the branches)."""
    units: dict[int, dict[str, Measure]] = {}
    for b, unit_id in ctx.branches.items():
        row = units.setdefault(unit_id, {key: Measure() for key in KEYS})
        for key in KEYS:
            if key == "contests_held":
                row[key].num += measures[b][key].num
                row[key].den = 1
            else:
                row[key].add(measures[b][key])
    for unit_id, n in extra_contests.items():
        if unit_id in units:
            units[unit_id]["contests_held"].num += n
    return units


def compute(
    quarter: Period, *, level: str = "unit", ids=None, now: datetime | None = None
) -> dict[int, dict[str, float | None]]:
    """
    ``{entity id: {indicator key: value}}`` for the active units (``level="unit"``)
    or branches (``"branch"``), limited to ``ids`` if given; values as
    ``value_of`` gives them (``None``: nothing to measure). A fixed number of
    queries whatever the size.
    """
    if level not in ("unit", "branch"):
        raise ValueError(level)
    if level == "branch":
        ctx, measures, _extra = branch_measures(quarter, branch_ids=ids, now=now)
        return {b: {k: value_of(k, m) for k, m in row.items()} for b, row in measures.items()}
    ctx, measures, extra = branch_measures(quarter, unit_ids=ids, now=now)
    units = unit_measures(ctx, measures, extra)
    return {u: {k: value_of(k, m) for k, m in row.items()} for u, row in units.items()}
