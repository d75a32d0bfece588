"""
The supervision dashboards (督查看板): the city's, a unit's or a branch's numbers for this
month and this quarter, the ranking, and trends by month over the last 12 months.

**Whose dashboard.** The caller's place in the tree decides (``scope_for``): a city admin
sees the city (the units side by side), a unit admin the own unit (its branches side by
side), a secretary the own branch; a member has none (403).

**One set of numbers.** Every rate is an indicator of ``supervision.indicators``, by
the assessment's own functions (a numerator and a denominator per branch, added up: a
scope's rate is its members' rate, never an average that favours small branches;
compliance is the mean of the branches, as for a unit). Points per member come from
the leaderboards' per-period totals (``backend.points.leaderboards``: kept with the
ledger), not from a scan of the period's ledger rows — that scan was most of the
time at 500,000 rows, 14 times over. Nothing is counted again here.

**The ranking.** The latest published quarter's (its frozen snapshot): the units by
assessment score for the city admin; for a unit admin the unit's branches (with the
unit's own rank); for a secretary the own branch's place in its unit and the unit's rank.
With nothing published yet, the units (or branches) by average points per member this
quarter, then the share of members active, from the leaderboards
(``backend.points.leaderboards``, as the 积分排行 ranks groups), never by raw totals.

**Queries.** A fixed number whatever the number of units, branches, members and ledger
rows: the indicators' fixed set per period (this month, this quarter and each of the
12 months), the leaderboards' one per period for points, the compliance report's six,
the ranking's one or two. A month that is over
does not change, so its figures are cached for an hour (``TREND_CACHE_SECONDS``); the
count is fixed cold or warm (``tests/supervision/test_dashboards.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts import scope as org_scope
from backend.accounts.models import Branch, Role, Unit
from backend.points.leaderboards import group_ranking, period_key
from orglife.compliance import Period, compliance_report, period_of
from orglife.models import RulePeriod

from . import charts
from . import indicators as ind
from .indicators import Measure, unit_measures, value_of
from .models import Assessment

TREND_MONTHS = 12
TREND_CACHE_SECONDS = 3600
RANKING_CHART_ROWS = 10

#: The figures a dashboard shows, in order: indicator key, short name (all percentages).
FIGURES = (
    ("lecture_completion", gettext_lazy("Lecture completion")),
    ("orglife_compliance", gettext_lazy("Organisational-life compliance")),
    ("makeup_completion", gettext_lazy("Make-up completion")),
    ("exam_participation", gettext_lazy("Exam participation")),
    ("practice_activity", gettext_lazy("Daily-practice activity")),
    ("contest_participation", gettext_lazy("Contest participation")),
)
#: The lines of the trend chart (a subset: four lines stay readable on a phone).
TREND_KEYS = ("lecture_completion", "orglife_compliance", "exam_participation", "practice_activity")


@dataclass(frozen=True)
class Scope:
    """Whose numbers: the city, one unit or one branch."""

    kind: str  # "city" | "unit" | "branch"
    name: str
    unit_id: int | None = None
    branch_id: int | None = None

    @property
    def cache_key(self) -> str:
        return f"{self.kind}:{self.unit_id or 0}:{self.branch_id or 0}"


def can_view(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            org_scope.is_city_admin(user)
            or (user.role == Role.UNIT_ADMIN and user.unit_id)
            or (user.role == Role.SECRETARY and user.branch_id)
        )
    )


def scope_for(user) -> Scope:
    """The caller's dashboard scope; ``PermissionDenied`` for a member."""
    if not can_view(user):
        raise PermissionDenied(_("Only secretaries and admins see the supervision dashboard."))
    if org_scope.is_city_admin(user):
        return Scope(kind="city", name=settings.JIANGTANG_CITY_NAME)
    if user.role == Role.UNIT_ADMIN:
        unit = Unit.objects.only("name").get(pk=user.unit_id)
        return Scope(kind="unit", name=unit.name, unit_id=unit.pk)
    branch = Branch.objects.select_related("unit").get(pk=user.branch_id)
    return Scope(
        kind="branch",
        name=f"{branch.unit.name} · {branch.name}",
        unit_id=branch.unit_id,
        branch_id=branch.pk,
    )


# --- the figures ------------------------------------------------------------------------


def _total(ctx, measures, extra) -> dict[str, Measure]:
    """All of ``measures``' branches added up as one unit would be."""
    if not measures:
        return {}
    everything = replace(ctx, branches=dict.fromkeys(ctx.branches, 0))
    return unit_measures(everything, measures, {0: sum(extra.values())})[0]


def _values(row: dict[str, Measure]) -> dict[str, float | None]:
    return {key: value_of(key, m) for key, m in row.items()}


def _points_per_member(scope: Scope, period: Period) -> tuple[float | None, dict]:
    """The scope's points per member in ``period`` and each part's (units of the city,
    branches of a unit), from the leaderboards' totals (one query)."""
    key = period_key(period.grain, period.start)
    if scope.kind == "city":
        groups = group_ranking("units", key)
    else:
        groups = group_ranking("branches", key, within_unit=scope.unit_id)
    parts = {g.id: g.points for g in groups}
    if scope.kind == "branch":
        groups = [g for g in groups if g.id == scope.branch_id]
    members = sum(g.members for g in groups)
    total = sum(g.total for g in groups)
    return (round(total / members, 1) if members else None), parts


def figures(scope: Scope, period: Period, *, now: datetime, points: bool = True) -> dict:
    """``{"total": {key: value}, "children": {id: {key: value}}}`` for ``period``: the
    scope as a whole, and its parts (units of the city, branches of a unit)."""
    if scope.kind == "city":
        ctx, measures, extra = ind.branch_measures(period, now=now)
        children = {u: _values(row) for u, row in unit_measures(ctx, measures, extra).items()}
    elif scope.kind == "unit":
        ctx, measures, extra = ind.branch_measures(period, unit_ids=[scope.unit_id], now=now)
        children = {b: _values(row) for b, row in measures.items()}
    else:
        ctx, measures, extra = ind.branch_measures(period, branch_ids=[scope.branch_id], now=now)
        extra, children = {}, {}
    total = _values(_total(ctx, measures, extra))
    if points:
        total["points_per_member"], parts = _points_per_member(scope, period)
        for pk, row in children.items():
            row["points_per_member"] = parts.get(pk)
    else:
        total.pop("points_per_member", None)
    return {"total": total, "children": children}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend(scope: Scope, *, now: datetime) -> list[dict]:
    """The last ``TREND_MONTHS`` months, oldest first: ``{label, name, values}``; the
    months already over come from the cache when they can."""
    this_month = period_of(timezone.localdate(now), RulePeriod.MONTH)
    out = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        month = period_of(_add_months(this_month.start, -back), RulePeriod.MONTH)
        key = f"supervision:trend:{scope.cache_key}:{month.label}"
        values = cache.get(key) if back else None
        if values is None:
            values = figures(scope, month, now=now, points=False)["total"]
            if back:
                cache.set(key, values, TREND_CACHE_SECONDS)
        out.append(
            {
                "label": month.label,
                "name": _("Month %(month)d") % {"month": month.start.month},
                "values": values,
            }
        )
    return out


# --- the ranking ------------------------------------------------------------------------


def latest_published() -> Assessment | None:
    """The newest version of the newest published quarter."""
    return Assessment.objects.order_by("-quarter", "-version").first()


def ranking(scope: Scope, *, now: datetime) -> dict:
    """``{source, quarter, rows:[{rank, name, score, own}], own_unit_rank}`` (see the
    module's docstring for who sees which rows)."""
    published = latest_published()
    if published is not None:
        snap = published.snapshot or {}
        units = snap.get("units", [])
        branches = snap.get("branches", [])
        unit_rank = next((u.get("rank") for u in units if u.get("id") == scope.unit_id), None)
        if scope.kind == "city":
            rows = [_row(u, u.get("score")) for u in units]
        elif scope.kind == "unit":
            rows = [
                _row(b, b.get("score"), rank=b.get("unit_rank"))
                for b in branches
                if _unit_id(b) == scope.unit_id
            ]
        else:
            rows = [
                _row(b, b.get("score"), rank=b.get("unit_rank"), own=True)
                for b in branches
                if b.get("id") == scope.branch_id
            ]
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
        return {
            "source": "assessment",
            "quarter": published.quarter,
            "quarter_name": ind.quarter_of(published.quarter).name,
            "version": published.version,
            "measure": _("Assessment score"),
            "suffix": "",
            "rows": rows,
            "own_unit_rank": unit_rank,
            "units": len(units),
        }
    return _points_ranking(scope, now=now)


def _unit_id(branch_row: dict):
    unit = branch_row.get("unit")
    return unit.get("id") if isinstance(unit, dict) else branch_row.get("unit_id")


def _row(entry: dict, score, *, rank=None, own=False) -> dict:
    return {
        "rank": rank if rank is not None else entry.get("rank"),
        "id": entry.get("id"),
        "name": entry.get("name", ""),
        "score": score,
        "own": own,
    }


def _points_ranking(scope: Scope, *, now: datetime) -> dict:
    """Before any publication: the leaderboards' fair measure for groups (average points
    per member this quarter, then the share of members active; ties share a rank) —
    units for the city, the unit's branches for a unit admin, the own branch's place
    among them for a secretary. One query (``backend.points.leaderboards``)."""
    key = period_key("quarter", timezone.localdate(now))
    if scope.kind == "city":
        groups = group_ranking("units", key)
    else:
        groups = group_ranking("branches", key, within_unit=scope.unit_id)
    rows = [
        {
            "rank": g.rank,
            "id": g.id,
            "name": g.name,
            "score": g.points,
            "active_rate": g.active_rate,
            "own": scope.kind == "branch" and g.id == scope.branch_id,
        }
        for g in groups
    ]
    if scope.kind == "branch":
        rows = [r for r in rows if r["own"]]
    return {
        "source": "points",
        "quarter": key,
        "quarter_name": ind.quarter_of(key).name,
        "version": None,
        "measure": _("Points per member"),
        "suffix": "",
        "rows": rows,
        "own_unit_rank": None,
        "units": None,
    }


# --- the whole dashboard ----------------------------------------------------------------


def _lights(scope: Scope, quarter: Period, now: datetime) -> dict[str, int]:
    branches = Branch.objects.filter(is_active=True, unit__is_active=True)
    if scope.kind == "unit":
        branches = branches.filter(unit_id=scope.unit_id)
    elif scope.kind == "branch":
        branches = branches.filter(pk=scope.branch_id)
    report = compliance_report(branches=branches, period=quarter, now=now)
    lights = {"green": 0, "yellow": 0, "red": 0}
    for row in report.branches:
        lights[row.light] = lights.get(row.light, 0) + 1
    return lights


def _percent_rows(values: dict) -> list[dict]:
    return [{"key": key, "name": str(name), "value": values.get(key)} for key, name in FIGURES]


def dashboard(user, *, now: datetime | None = None) -> dict:
    """Everything the page shows, charts included (``PermissionDenied`` for a member)."""
    now = now or timezone.now()
    scope = scope_for(user)
    today = timezone.localdate(now)
    month = period_of(today, RulePeriod.MONTH)
    quarter = period_of(today, RulePeriod.QUARTER)
    month_figures = figures(scope, month, now=now)
    quarter_figures = figures(scope, quarter, now=now)
    months = trend(scope, now=now)
    rank = ranking(scope, now=now)

    # the parts side by side (units of the city, branches of a unit), this quarter
    if scope.kind == "city":
        names = dict(Unit.objects.filter(is_active=True).values_list("pk", "name"))
    elif scope.kind == "unit":
        names = dict(Branch.objects.filter(unit_id=scope.unit_id).values_list("pk", "name"))
    else:
        names = {}
    parts = sorted(
        (
            {
                "id": pk,
                "name": names.get(pk, "—"),
                "values": values,
                "cells": [values.get(key) for key, _name in FIGURES],
            }
            for pk, values in quarter_figures["children"].items()
            if pk in names
        ),
        key=lambda p: p["name"],
    )

    month_rows = _percent_rows(month_figures["total"])
    quarter_rows = _percent_rows(quarter_figures["total"])
    drawn = {
        "month": charts.rate_bars(
            _("This month (%(name)s)") % {"name": month.name},
            [r["name"] for r in month_rows],
            [None if r["value"] is None else r["value"] / 100 for r in month_rows],
            header=[_("Indicator"), _("Rate")],
        ),
        "quarter": charts.rate_bars(
            _("This quarter (%(name)s)") % {"name": quarter.name},
            [r["name"] for r in quarter_rows],
            [None if r["value"] is None else r["value"] / 100 for r in quarter_rows],
            header=[_("Indicator"), _("Rate")],
        ),
        "trend": charts.trend_lines(
            _("Trends by month"),
            [m["name"] for m in months],
            {str(dict(FIGURES)[key]): [m["values"].get(key) for m in months] for key in TREND_KEYS},
            suffix="%",
        ),
    }
    top = [r for r in rank["rows"] if r["score"] is not None][:RANKING_CHART_ROWS]
    if top and scope.kind != "branch":
        drawn["ranking"] = charts.ranking_bar(
            rank["measure"],
            [f"{r['rank']}. {r['name']}" for r in top],
            [r["score"] for r in top],
            header=[_("Rank"), rank["measure"]],
        )
    return {
        "scope": scope,
        "now": now,
        "month": month,
        "quarter": quarter,
        "figure_rows": [
            {"key": q["key"], "name": q["name"], "month": m["value"], "quarter": q["value"]}
            for m, q in zip(month_rows, quarter_rows, strict=True)
        ],
        "points_per_member": {
            "month": month_figures["total"].get("points_per_member"),
            "quarter": quarter_figures["total"].get("points_per_member"),
        },
        "contests_held": quarter_figures["total"].get("contests_held"),
        "exam_average": quarter_figures["total"].get("exam_average"),
        "lights": _lights(scope, quarter, now),
        "parts": parts,
        "figures": FIGURES,
        "trend": months,
        "ranking": rank,
        "charts": drawn,
    }
