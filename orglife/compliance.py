"""
Compliance (亮灯): does each branch hold its organisational life as the rules ask?

**What counts as held.** A branch's session (not a lecture in the hall) that is not
cancelled, has started, starts inside the period counted, and whose record is signed
(``Record.signed_at``): the record book is the proof the committee checks, so a
meeting without a signed record has not been held as far as the lights go.

**Periods.** ``YYYY-Qn`` (the contract), ``YYYY-MM`` and ``YYYY``. Each active
``ComplianceRule`` (``per`` month/quarter/year, ``times``) is counted over a
*window*:

- a rule as fine as the period or finer is counted over the period itself, and
  ``required = times × the rule's periods inside it`` (a monthly rule in a quarter:
  3; in a year: 12);
- a rule coarser than the period is counted over the rule's period that holds it
  (a quarterly rule asked about November counts the sessions of Q4 and requires
  ``times`` for the quarter: it is "due this quarter"; the page says so).

``held`` is the number of held sessions of the kind in its window (several in one
month count towards the window as a whole).

**A running period** (now is inside the window): ``due`` is what must be held by
the end of the rule period that runs now (the ended ones plus the current one),
``owed`` what should already be held (the ended ones only). Red compares with
``owed`` — nobody is red on the 3rd of a month for that month's meeting — and
green with ``due``: a branch is green once it has held everything asked of it up
to the end of the running month (or quarter), so holding this month's 主题党日
turns it green the day its record is signed, and a branch that has not yet is
yellow (still to do), not red. The home card of a secretary lists what is ``due``
and not yet held. For a
period that is over, ``due == owed == required``. A period that has not begun
is refused.

**Rates** over the held sessions of the period: ``attendance_rate = present /
expected`` (present: checked in, late included; only expected people count),
``makeup_rate = done / all make-up tasks`` of those sessions; ``None`` when there
is nothing to divide.

**The light** (thresholds below, the page's legend shows the same numbers):

- green (达标): every active kind held ≥ due, and attendance ≥ ``GREEN_ATTENDANCE``
  (or no held session to measure);
- red (未达标): some kind held < ``RED_HELD_SHARE`` × owed (0 of 1, 1 of 3), or
  attendance < ``RED_ATTENDANCE``;
- yellow (待改进): anything else.

**党小组会** is required only of a branch that has Party groups (``PartyGroup``);
elsewhere its required, due and owed are 0 (the page shows "—").

**Queries.** A fixed number whatever the number of branches and people: the
rules, the branches, the held counts per branch and kind (one ``Count`` per kind
with its window as a filter), the branches with Party groups, attendance per
branch and make-up per branch — each grouped in the database (see
``tests/orglife/test_compliance.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from backend.accounts import scope as org_scope
from backend.accounts.models import Branch
from backend.common.xlsx import safe_cell, workbook_bytes

from .errors import OrglifeError
from .models import (
    Attendance,
    ComplianceRule,
    MakeupStatus,
    MakeupTask,
    PartyGroup,
    RulePeriod,
    Session,
    SessionKind,
    SessionStatus,
)
from .scope import can_view_compliance

#: Attendance at or above this (with every kind held as due) is green.
GREEN_ATTENDANCE = 0.8
#: Attendance below this is red.
RED_ATTENDANCE = 0.6
#: A kind held less than this share of what is owed is red (0 of 1, 1 of 3).
RED_HELD_SHARE = 0.5

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHT_NAMES = {
    GREEN: gettext_lazy("Compliant"),
    YELLOW: gettext_lazy("Needs improvement"),
    RED: gettext_lazy("Not compliant"),
}

_GRAIN_MONTHS = {RulePeriod.MONTH: 1, RulePeriod.QUARTER: 3, RulePeriod.YEAR: 12}


# --- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year; ``end`` is the first day after it."""

    grain: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.grain == RulePeriod.YEAR:
            return f"{self.start.year}"
        if self.grain == RulePeriod.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def name(self) -> str:
        """How people write it: 2026年第4季度, 2026年11月, 2026年."""
        year, month = self.start.year, self.start.month
        if self.grain == RulePeriod.YEAR:
            return _("%(year)d") % {"year": year}
        if self.grain == RulePeriod.QUARTER:
            return _("%(year)d Q%(quarter)d") % {"year": year, "quarter": (month - 1) // 3 + 1}
        return _("%(year)d-%(month)d") % {"year": year, "month": month}

    def starts_at(self) -> datetime:
        return _local_midnight(self.start)

    def ends_at(self) -> datetime:
        return _local_midnight(self.end)

    def contains(self, moment: datetime) -> bool:
        return self.starts_at() <= moment < self.ends_at()

    def parts(self, grain: str) -> list[Period]:
        """The periods of ``grain`` (as fine or finer) that make up this one."""
        step = _GRAIN_MONTHS[grain]
        out, cursor = [], self.start
        while cursor < self.end:
            out.append(Period(grain, cursor, _add_months(cursor, step)))
            cursor = _add_months(cursor, step)
        return out


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_of(day: date, grain: str) -> Period:
    """The period of ``grain`` that holds ``day``."""
    months = _GRAIN_MONTHS[grain]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return Period(grain, start, _add_months(start, months))


_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")


def parse_period(text: str | None, *, now: datetime | None = None) -> Period:
    """``YYYY-Qn``, ``YYYY-MM`` or ``YYYY`` (empty: the current quarter); refuses
    (400 ``invalid_period``) anything else and a period that has not begun."""
    now = now or timezone.now()
    if not text:
        return period_of(timezone.localdate(now), RulePeriod.QUARTER)
    match = _PERIOD.match(text.strip())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise OrglifeError(_("Give the period as 2026-Q4, 2026-11 or 2026."), "invalid_period", 400)
    year = int(match.group(1))
    if match.group(2):
        period = period_of(date(year, int(match.group(2)) * 3, 1), RulePeriod.QUARTER)
    elif match.group(3):
        period = period_of(date(year, int(match.group(3)), 1), RulePeriod.MONTH)
    else:
        period = period_of(date(year, 1, 1), RulePeriod.YEAR)
    if period.starts_at() > now:
        raise OrglifeError(_("That period has not begun yet."), "future_period", 400)
    return period


def recent_periods(*, now: datetime | None = None, n_q: int = 8, n_m: int = 12):
    """For the page's picker: the latest quarters and months, newest first."""
    today = timezone.localdate(now or timezone.now())
    quarter = period_of(today, RulePeriod.QUARTER)
    month = period_of(today, RulePeriod.MONTH)
    return (
        [period_of(_add_months(quarter.start, -3 * i), RulePeriod.QUARTER) for i in range(n_q)],
        [period_of(_add_months(month.start, -i), RulePeriod.MONTH) for i in range(n_m)],
        [period_of(date(today.year - i, 1, 1), RulePeriod.YEAR) for i in range(2)],
    )


# --- what each rule asks in a period ---------------------------------------------------


@dataclass(frozen=True)
class KindPlan:
    """One active rule applied to the period asked about."""

    kind: str
    per: str
    times: int
    window: Period
    required: int
    due: int
    owed: int
    #: The rule's period is longer than the one asked about: counted over ``window``.
    coarser: bool = False

    @property
    def name(self) -> str:
        return str(SessionKind(self.kind).label)


def plan_rules(rules, period: Period, now: datetime) -> list[KindPlan]:
    plans = []
    for rule in rules:
        if _GRAIN_MONTHS[rule.per] <= _GRAIN_MONTHS[period.grain]:
            window = period
        else:
            window = period_of(period.start, rule.per)
        parts = window.parts(rule.per)
        ended = sum(1 for part in parts if part.ends_at() <= now)
        running = sum(1 for part in parts if part.contains(now))
        plans.append(
            KindPlan(
                kind=rule.kind,
                per=rule.per,
                times=rule.times,
                window=window,
                required=rule.times * len(parts),
                due=rule.times * (ended + running),
                owed=rule.times * ended,
                coarser=window != period,
            )
        )
    return plans


# --- the computation ---------------------------------------------------------------


@dataclass
class KindResult:
    plan: KindPlan
    held: int
    #: False for 党小组会 in a branch without Party groups: nothing is required.
    applies: bool = True

    @property
    def required(self) -> int:
        return self.plan.required if self.applies else 0

    @property
    def due(self) -> int:
        return self.plan.due if self.applies else 0

    @property
    def owed(self) -> int:
        return self.plan.owed if self.applies else 0

    @property
    def kind(self) -> str:
        return self.plan.kind

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def met(self) -> bool:
        """Not behind: everything owed (from the rule periods already ended) is held."""
        return self.held >= self.owed

    @property
    def complete(self) -> bool:
        """Everything due by the end of the rule period running now is held."""
        return self.held >= self.due

    @property
    def outstanding(self) -> int:
        """Still to hold by the end of the rule period running now."""
        return max(0, self.due - self.held)


@dataclass
class BranchCompliance:
    branch: Branch
    kinds: list[KindResult]
    sessions: int = 0
    expected: int = 0
    present: int = 0
    makeup_total: int = 0
    makeup_done: int = 0
    light: str = field(init=False, default=GREEN)

    def __post_init__(self):
        self.light = light_for(self.kinds, self.attendance_rate)

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected if self.expected else None

    @property
    def makeup_rate(self) -> float | None:
        return self.makeup_done / self.makeup_total if self.makeup_total else None

    @property
    def light_name(self) -> str:
        return str(LIGHT_NAMES[self.light])

    @property
    def attendance_percent(self) -> int | None:
        rate = self.attendance_rate
        return None if rate is None else round(rate * 100)

    @property
    def makeup_percent(self) -> int | None:
        rate = self.makeup_rate
        return None if rate is None else round(rate * 100)


def light_for(kinds: list[KindResult], attendance_rate: float | None) -> str:
    """The light of one branch (pure: the thresholds are the module's constants)."""
    if attendance_rate is not None and attendance_rate < RED_ATTENDANCE:
        return RED
    if any(k.owed and k.held < RED_HELD_SHARE * k.owed for k in kinds):
        return RED
    if all(k.complete for k in kinds) and (
        attendance_rate is None or attendance_rate >= GREEN_ATTENDANCE
    ):
        return GREEN
    return YELLOW


@dataclass
class ComplianceReport:
    period: Period
    plans: list[KindPlan]
    branches: list[BranchCompliance]
    now: datetime

    @property
    def running(self) -> bool:
        return self.period.ends_at() > self.now


def held_sessions(now: datetime) -> QuerySet[Session]:
    """Sessions that count as held (see the module's docstring), any branch, any time."""
    return Session.objects.filter(
        branch__isnull=False,
        starts_at__lte=now,
        record__signed_at__isnull=False,
    ).exclude(status=SessionStatus.CANCELLED)


def compliance_report(
    *, branches: QuerySet[Branch], period: Period, now: datetime | None = None
) -> ComplianceReport:
    """Each branch of ``branches`` in ``period``: six queries, however many."""
    now = now or timezone.now()
    plans = plan_rules(ComplianceRule.objects.filter(is_active=True).order_by("id"), period, now)
    rows = list(branches.select_related("unit").order_by(*Branch._meta.ordering))
    branch_ids = branches.values("pk")
    held = held_sessions(now).filter(branch__in=branch_ids)
    counts = {}
    if plans:
        start = min([p.window.starts_at() for p in plans])
        end = max([p.window.ends_at() for p in plans])
        counts = {
            row.pop("branch_id"): row
            for row in held.filter(starts_at__gte=start, starts_at__lt=end)
            .values("branch_id")
            .annotate(
                **{
                    f"n_{p.kind}": Count(
                        "pk",
                        filter=Q(
                            kind=p.kind,
                            starts_at__gte=p.window.starts_at(),
                            starts_at__lt=p.window.ends_at(),
                        ),
                    )
                    for p in plans
                }
            )
            .order_by()
        }
    with_groups = set(
        PartyGroup.objects.filter(branch__in=branch_ids).values_list("branch_id", flat=True)
    )
    in_period = held.filter(starts_at__gte=period.starts_at(), starts_at__lt=period.ends_at())
    attendance = {
        row["session__branch_id"]: row
        for row in Attendance.objects.filter(expected=True, session__in=in_period.values("pk"))
        .values("session__branch_id")
        .annotate(
            expected=Count("pk"),
            present=Count("pk", filter=Q(checked_in_at__isnull=False)),
            sessions=Count("session_id", distinct=True),
        )
        .order_by()
    }
    makeup = {
        row["session__branch_id"]: row
        for row in MakeupTask.objects.filter(session__in=in_period.values("pk"))
        .values("session__branch_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=MakeupStatus.DONE)))
        .order_by()
    }
    out = []
    for branch in rows:
        n = counts.get(branch.pk, {})
        seen = attendance.get(branch.pk, {})
        tasks = makeup.get(branch.pk, {})
        out.append(
            BranchCompliance(
                branch=branch,
                kinds=[
                    KindResult(
                        plan=p,
                        held=n.get(f"n_{p.kind}", 0),
                        applies=p.kind != SessionKind.GROUP or branch.pk in with_groups,
                    )
                    for p in plans
                ],
                sessions=seen.get("sessions", 0),
                expected=seen.get("expected", 0),
                present=seen.get("present", 0),
                makeup_total=tasks.get("total", 0),
                makeup_done=tasks.get("done", 0),
            )
        )
    return ComplianceReport(period=period, plans=plans, branches=out, now=now)


# --- who sees which branches -------------------------------------------------------


def can_view(user) -> bool:
    """Secretaries and admins (a member is 403)."""
    return can_view_compliance(user)


def branches_for(user, *, unit_id: int | None = None) -> QuerySet[Branch]:
    """The active branches whose lights ``user`` sees, within ``unit_id`` if given;
    a unit outside the user's scope is 404 (``not_found``). The caller has
    checked :func:`can_view` (a member is 403)."""
    branches = org_scope.branches_visible_to(user).filter(is_active=True)
    if unit_id is not None:
        if not org_scope.units_visible_to(user).filter(pk=unit_id).exists():
            raise OrglifeError(_("No such unit."), "not_found", 404)
        branches = branches.filter(unit_id=unit_id)
    return branches


def branch_due_this_month(branch_id: int, *, now: datetime | None = None) -> list[KindResult]:
    """What the branch must still hold by the end of this month (a quarterly kind:
    by the end of this quarter), for the secretary's home page."""
    now = now or timezone.now()
    period = period_of(timezone.localdate(now), RulePeriod.MONTH)
    report = compliance_report(branches=Branch.objects.filter(pk=branch_id), period=period, now=now)
    if not report.branches:
        return []
    return [k for k in report.branches[0].kinds if k.outstanding]


# --- output ------------------------------------------------------------------------


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def report_json(report: ComplianceReport) -> dict:
    """The API's body (the contract's fields and a few more)."""
    period = report.period
    return {
        "period": period.label,
        "period_name": period.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "running": report.running,
        "thresholds": {
            "green_attendance": GREEN_ATTENDANCE,
            "red_attendance": RED_ATTENDANCE,
            "red_held_share": RED_HELD_SHARE,
        },
        "branches": [
            {
                "id": row.branch.pk,
                "name": row.branch.name,
                "unit": {"id": row.branch.unit_id, "name": row.branch.unit.name},
                "light": row.light,
                "light_name": row.light_name,
                "kinds": [
                    {
                        "kind": k.kind,
                        "name": k.name,
                        "held": k.held,
                        "required": k.required,
                        "due": k.due,
                        "owed": k.owed,
                        "per": k.plan.per,
                        "window": k.plan.window.label,
                    }
                    for k in row.kinds
                ],
                "sessions": row.sessions,
                "expected": row.expected,
                "present": row.present,
                "attendance_rate": _rate(row.attendance_rate),
                "makeup_done": row.makeup_done,
                "makeup_total": row.makeup_total,
                "makeup_rate": _rate(row.makeup_rate),
            }
            for row in report.branches
        ],
    }


def _percent(value: float | None):
    return "" if value is None else round(value * 100, 1)


def report_xlsx(report: ComplianceReport) -> bytes:
    """One row per branch: unit, branch, light, held/required per kind, rates (%)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Compliance")
    header = [_("Unit"), _("Branch"), _("Light")]
    for plan in report.plans:
        header += [
            _("%(kind)s held") % {"kind": plan.name},
            _("%(kind)s required") % {"kind": plan.name},
        ]
    header += [_("Attendance rate (%)"), _("Make-up completion (%)")]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.branches:
        line = [row.branch.unit.name, row.branch.name, row.light_name]
        for k in row.kinds:
            line += [k.held, k.required]
        line += [_percent(row.attendance_rate), _percent(row.makeup_rate)]
        sheet.append([safe_cell(value) for value in line])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 24
    sheet.freeze_panes = "C2"
    return workbook_bytes(workbook)
