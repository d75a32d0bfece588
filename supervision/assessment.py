"""
The quarterly assessment (考核): score, rank, publish, versions and their diff,
and what each caller may see of it.

**Score.** Each indicator's value against its target gives an attainment
``min(value / target, 1)`` (a target of 0 or less: full attainment for any
value); the entity's score is ``100 × Σ weight × attainment / Σ weight`` over
the indicators *measured* for it (a value of ``None``, nothing to measure, is
left out with its weight, so a branch without make-up tasks is neither
rewarded nor punished for them). Rounded to 2 decimals. An entity with no
indicator measured (no member, no data) has no score and no rank.

**Rank.** Higher score first; equal scores (to 2 decimals) share a rank and the
next rank skips (1, 2, 2, 4). Units are ranked in the city; branches in the city
(``rank``) and within their unit (``unit_rank``).

**Publish.** ``publish(quarter, by)`` freezes the quarter as it is computed now
into an ``Assessment`` row (``snapshot``): later data never changes it; a later
publication of the same quarter is version + 1, and every version is kept.
``diff(old, new)`` says per unit how score and rank moved. Publishing asks the
bottom units for an explanation (``supervision.explanations.explanations_create``).

**Who sees what** (``view_for``): the city admin everything (and, before a
quarter is published, a live preview with ``published_at`` null); a unit admin
the own unit (its rank among all) and its branches; a secretary the own branch
and only the rank of its unit; a member nothing (403). A unit outside the
caller's scope is 404.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import scope as org_scope
from backend.accounts.models import Branch, Role, Unit
from orglife.compliance import Period, period_of
from orglife.models import RulePeriod

from . import indicators as ind
from .errors import SupervisionError
from .models import Assessment, AssessmentSetting, Explanation, indicators_for_year

# --- quarters --------------------------------------------------------------------------


def parse_quarter(text: str, *, now: datetime | None = None) -> Period:
    """``YYYY-Qn`` of a quarter that has begun; else 404 ``not_found`` (a URL part)."""
    now = now or timezone.now()
    try:
        quarter = ind.quarter_of(text)
    except ValueError:
        raise SupervisionError(_("No such quarter."), "not_found", 404) from None
    if not 2000 <= quarter.start.year <= 2100 or quarter.starts_at() > now:
        raise SupervisionError(_("That quarter has not begun yet."), "not_found", 404)
    return quarter


def quarters_of_year(year: int, *, now: datetime | None = None) -> list[Period]:
    """The quarters of ``year`` that have begun, newest first."""
    now = now or timezone.now()
    out = []
    for q in (4, 3, 2, 1):
        period = period_of(date(year, q * 3, 1), RulePeriod.QUARTER)
        if period.starts_at() <= now:
            out.append(period)
    return out


def quarter_name(quarter: Period) -> str:
    return _("%(year)d Q%(quarter)d") % {
        "year": quarter.start.year,
        "quarter": (quarter.start.month - 1) // 3 + 1,
    }


# --- score and rank ----------------------------------------------------------------------


def attainment(value: float | None, target: float) -> float | None:
    """The share of the target reached, capped at 1 (``None``: not measured)."""
    if value is None:
        return None
    if target <= 0:
        return 1.0
    return max(0.0, min(float(value) / float(target), 1.0))


def score(values: dict, indicators: list[dict]) -> tuple[float | None, dict]:
    """The weighted score (0–100) and each indicator's attainment in percent."""
    total = weights = 0.0
    parts = {}
    for indicator in indicators:
        share = attainment(values.get(indicator["key"]), indicator["target"])
        if share is None:
            parts[indicator["key"]] = None
            continue
        weight = float(indicator["weight"])
        total += weight * share
        weights += weight
        parts[indicator["key"]] = round(share * 100, 1)
    if not weights:
        return None, parts
    return round(total * 100 / weights, 2), parts


def rank(rows: list[dict], *, field: str = "rank") -> list[dict]:
    """Sorts ``rows`` by score (highest first; no score last) and writes ``field``:
    ties share a rank, the next one skips; a row without a score gets ``None``."""
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r.get("order", 0)))
    previous, current = object(), 0
    for i, row in enumerate(rows, start=1):
        if row["score"] is None:
            row[field] = None
            continue
        if row["score"] != previous:
            current, previous = i, row["score"]
        row[field] = current
    return rows


# --- the whole assessment -----------------------------------------------------------------


def indicator_rows(year: int) -> list[dict]:
    return [
        {
            "key": i.key,
            "name": i.display_name,
            "weight": float(i.weight),
            "target": i.target,
            "unit": i.unit,
        }
        for i in indicators_for_year(year)
    ]


def build(quarter: Period, *, now: datetime | None = None) -> dict:
    """The quarter as computed now: ``{quarter, indicators, units, branches}``
    (what a snapshot holds), every active unit and branch scored and ranked.
    A fixed number of queries (the indicators' plus four)."""
    indicators = indicator_rows(quarter.start.year)
    keys = [i["key"] for i in indicators]
    ctx, measures, extra = ind.branch_measures(quarter, now=now)
    units_m = ind.unit_measures(ctx, measures, extra)
    branch_rows = Branch.objects.filter(pk__in=list(ctx.branches)).select_related("unit")
    branches = []
    for order, b in enumerate(branch_rows.order_by(*Branch._meta.ordering)):
        values = {k: ind.value_of(k, measures[b.pk][k]) for k in keys}
        total, parts = score(values, indicators)
        branches.append(
            {
                "id": b.pk,
                "name": b.name,
                "unit": {"id": b.unit_id, "name": b.unit.name},
                "members": ctx.members.get(b.pk, 0),
                "score": total,
                "values": values,
                "scores": parts,
                "order": order,
            }
        )
    units = []
    for order, u in enumerate(
        Unit.objects.filter(pk__in=list(units_m)).order_by("position", "name")
    ):
        values = {k: ind.value_of(k, units_m[u.pk][k]) for k in keys}
        total, parts = score(values, indicators)
        units.append(
            {
                "id": u.pk,
                "name": u.name,
                "members": sum(
                    ctx.members.get(b, 0) for b, uid in ctx.branches.items() if uid == u.pk
                ),
                "score": total,
                "values": values,
                "scores": parts,
                "order": order,
            }
        )
    rank(units)
    rank(branches)
    by_unit: dict[int, list[dict]] = {}
    for row in branches:
        by_unit.setdefault(row["unit"]["id"], []).append(row)
    for rows in by_unit.values():
        rank(rows, field="unit_rank")
    for row in (*units, *branches):
        row.pop("order", None)
    return {
        "quarter": quarter.label,
        "indicators": indicators,
        "units": units,
        "branches": branches,
    }


# --- publish, versions, diff -------------------------------------------------------------------


def latest(quarter_label: str) -> Assessment | None:
    return Assessment.objects.filter(quarter=quarter_label).order_by("-version").first()


def publish(quarter: Period, *, by, now: datetime | None = None) -> Assessment:
    """Freezes the quarter as computed now: version 1, or the latest + 1 (earlier
    versions are kept). Asks the bottom units for an explanation."""
    if not org_scope.is_city_admin(by):
        raise SupervisionError(_("Only the city admin publishes an assessment."), "forbidden", 403)
    now = now or timezone.now()
    if quarter.starts_at() > now:
        raise SupervisionError(_("That quarter has not begun yet."), "future_quarter", 400)
    snapshot = build(quarter, now=now)
    for _try in range(3):
        try:
            with transaction.atomic():
                version = (
                    Assessment.objects.filter(quarter=quarter.label).aggregate(v=Max("version"))[
                        "v"
                    ]
                    or 0
                ) + 1
                assessment = Assessment.objects.create(
                    quarter=quarter.label,
                    version=version,
                    published_at=now,
                    published_by=by,
                    snapshot=snapshot,
                )
                explanations_for(assessment)
            return assessment
        except IntegrityError:
            continue  # someone published the same version at the same moment: next one
    raise SupervisionError(_("Please try publishing again."), "conflict", 409)


def bottom_units(assessment: Assessment, n: int) -> list[dict]:
    """The last ``n`` ranked units of a published version; a tie at the border
    takes in every unit sharing that rank."""
    ranked = [u for u in assessment.snapshot.get("units", []) if u.get("rank") is not None]
    if n <= 0 or not ranked:
        return []
    ranked.sort(key=lambda u: u["rank"])
    border = ranked[max(0, len(ranked) - n)]["rank"]
    return [u for u in ranked if u["rank"] >= border]


def explanations_for(assessment: Assessment) -> None:
    """The explanation tasks of a new version: the explanations module's when it
    is there, else a row per bottom unit not yet asked for this quarter."""
    try:
        from .explanations import explanations_create
    except ImportError:
        explanations_create = None
    if explanations_create is not None:
        explanations_create(assessment)
        return
    setting = AssessmentSetting.for_year(assessment.year)
    asked = set(
        Explanation.objects.filter(assessment__quarter=assessment.quarter).values_list(
            "unit_id", flat=True
        )
    )
    due = assessment.published_at + timedelta(days=setting.explanation_days)
    Explanation.objects.bulk_create(
        [
            Explanation(assessment=assessment, unit_id=u["id"], rank=u["rank"], due_at=due)
            for u in bottom_units(assessment, setting.bottom_n)
            if u["id"] not in asked
        ]
    )


def diff(old: Assessment, new: Assessment) -> list[dict]:
    """Per unit of either version: score and rank before and after, and the change
    (``rank_change`` > 0: moved up). Units only in one version have ``None`` there."""
    before = {u["id"]: u for u in old.snapshot.get("units", [])}
    after = {u["id"]: u for u in new.snapshot.get("units", [])}
    out = []
    for unit_id in [*after, *(u for u in before if u not in after)]:
        a, b = after.get(unit_id), before.get(unit_id)
        row = {
            "id": unit_id,
            "name": (a or b)["name"],
            "score_before": b and b["score"],
            "score_after": a and a["score"],
            "rank_before": b and b["rank"],
            "rank_after": a and a["rank"],
        }
        row["score_change"] = (
            round(row["score_after"] - row["score_before"], 2)
            if row["score_after"] is not None and row["score_before"] is not None
            else None
        )
        row["rank_change"] = (
            row["rank_before"] - row["rank_after"]
            if row["rank_after"] is not None and row["rank_before"] is not None
            else None
        )
        row["changed"] = row["score_change"] not in (None, 0) or row["rank_change"] not in (
            None,
            0,
        )
        out.append(row)
    return out


def year_overview(year: int, *, now: datetime | None = None) -> list[dict]:
    """The year's quarters that have begun, newest first, with their state:
    ``published`` (latest version, when, by whom, how many versions) or not."""
    now = now or timezone.now()
    quarters = quarters_of_year(year, now=now)
    rows = {}
    for a in (
        Assessment.objects.filter(quarter__in=[q.label for q in quarters])
        .select_related("published_by")
        .order_by("quarter", "version")
    ):
        rows[a.quarter] = (a, rows.get(a.quarter, (None, 0))[1] + 1)
    out = []
    for q in quarters:
        a, versions = rows.get(q.label, (None, 0))
        out.append(
            {
                "quarter": q.label,
                "name": quarter_name(q),
                "running": q.ends_at() > now,
                "published": a is not None,
                "version": a.version if a else None,
                "versions": versions,
                "published_at": a.published_at if a else None,
                "published_by": a.published_by.name if a else None,
            }
        )
    return out


# --- who sees what -------------------------------------------------------------------------------


def can_view(user) -> bool:
    """Secretaries and admins (a member is 403)."""
    return org_scope.can_view_study_reports(user)


def view_for(
    user,
    quarter: Period,
    *,
    unit_id: int | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> tuple[dict, Assessment | None]:
    """The contract's body for ``user`` and the version it comes from (``None``:
    the live preview, city admin only). Refusals: 404 ``not_found`` for a unit
    outside the scope, 404 ``not_published`` for anyone but the city admin before
    publication; ``version`` an earlier version (404 if there is none)."""
    city = org_scope.is_city_admin(user)
    if unit_id is not None and not org_scope.units_visible_to(user).filter(pk=unit_id).exists():
        raise SupervisionError(_("No such unit."), "not_found", 404)
    if version is not None:
        assessment = Assessment.objects.filter(quarter=quarter.label, version=version).first()
        if assessment is None:
            raise SupervisionError(_("No such version."), "not_found", 404)
    else:
        assessment = latest(quarter.label)
    if assessment is None:
        if not city:
            raise SupervisionError(
                _("This quarter's assessment has not been published yet."), "not_published", 404
            )
        data = build(quarter, now=now)
    else:
        data = assessment.snapshot
    units, branches = data.get("units", []), data.get("branches", [])
    if not city:
        if user.role == Role.UNIT_ADMIN:
            units = [u for u in units if u["id"] == user.unit_id]
            branches = [b for b in branches if b["unit"]["id"] == user.unit_id]
        else:  # a secretary: the own branch, and the rank of its unit only
            units = [
                {"rank": u["rank"], "id": u["id"], "name": u["name"], "score": None, "values": {}}
                for u in units
                if u["id"] == user.unit_id
            ]
            branches = [b for b in branches if b["id"] == user.branch_id]
    if unit_id is not None:
        units = [u for u in units if u["id"] == unit_id]
        branches = [b for b in branches if b["unit"]["id"] == unit_id]
    body = {
        "quarter": quarter.label,
        "name": quarter_name(quarter),
        "published_at": assessment.published_at if assessment else None,
        "version": assessment.version if assessment else None,
        "indicators": data.get("indicators", []),
        "units": units,
        "branches": branches,
    }
    return body, assessment


def versions_of(quarter_label: str) -> list[Assessment]:
    return list(
        Assessment.objects.filter(quarter=quarter_label)
        .select_related("published_by")
        .order_by("version")
    )


def history(quarter_label: str, row: Assessment | None, body: dict) -> tuple[list, list]:
    """The quarter's versions (oldest first) and, when ``row`` is a later version,
    what changed from the one before it for the units ``body`` shows (a unit
    admin or a secretary: the own unit only). Two queries at most."""
    versions = versions_of(quarter_label)
    changes = []
    if row is not None and row.version > 1:
        previous = next((v for v in versions if v.version == row.version - 1), None)
        if previous is not None:
            visible = {u["id"] for u in body["units"]}
            changes = [c for c in diff(previous, row) if c["changed"] and c["id"] in visible]
    return versions, changes
