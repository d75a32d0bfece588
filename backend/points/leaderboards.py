"""
Leaderboards (积分排行), read from the per-period totals (``PointTotal``).

Who is ranked: active accounts that belong to a branch (the study audience), by
their current branch and unit; a member without a total in a period has 0.

- ``member_ranking``: members of a branch, a unit or the city by points in one
  period. Ties share a rank (competition ranking: 1, 1, 3), then by name.
- ``group_ranking``: branches or units by **average points per member**, then by
  the **share of members active** (points > 0 in the period); never by raw totals,
  which would favour big units. Groups equal on both share a rank. A group's
  ``points`` is that average (one decimal); ``total`` is kept for reports.
- ``member_standing``: one member's ranks in the own branch, unit and the city
  for each period, and the rank at the end of last week, in one query.

Every function costs a fixed number of queries whatever the number of members
or ledger rows (asserted in ``tests/points/test_leaderboards*.py``).
"""

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from backend.accounts.models import User

from .periods import RANKED_KINDS, period_key, period_start

__all__ = [
    "SCOPES",
    "GroupRow",
    "MemberRow",
    "audience",
    "group_ranking",
    "member_rank",
    "member_ranking",
    "member_standing",
    "period_key",
]

SCOPES = ("branch", "unit", "city")


@dataclass(frozen=True)
class MemberRow:
    rank: int
    member_id: int
    name: str
    branch: str
    unit: str
    points: int


@dataclass(frozen=True)
class GroupRow:
    rank: int
    id: int
    name: str
    unit: str | None  # a branch's unit; None for a unit
    points: float  # average points per member, one decimal
    members: int
    active: int
    active_rate: float  # share of members with points > 0, 0..1
    total: int
    average: Fraction = field(repr=False, compare=False, default=Fraction(0))


def audience() -> QuerySet[User]:
    """Everyone who is ranked: active accounts in a branch."""
    return User.objects.filter(is_active=True, branch__isnull=False)


def _in_scope(scope_kind: str, scope_id: int | None) -> QuerySet[User]:
    qs = audience()
    if scope_kind == "branch":
        return qs.filter(branch_id=scope_id)
    if scope_kind == "unit":
        return qs.filter(unit_id=scope_id)
    if scope_kind == "city":
        return qs
    raise ValueError(f"unknown scope: {scope_kind!r}")


def _with_points(qs: QuerySet[User], key: str, name: str = "points") -> QuerySet[User]:
    rel = f"_pt_{name}"
    return qs.annotate(
        **{rel: FilteredRelation("point_totals", condition=Q(point_totals__period=key))}
    ).annotate(**{name: Coalesce(F(f"{rel}__points"), Value(0))})


def member_ranking(
    scope_kind: str, scope_id: int | None, period_key: str, *, limit: int = 50
) -> list[MemberRow]:
    """The top ``limit`` members of the scope in the period (one query)."""
    qs = (
        _with_points(_in_scope(scope_kind, scope_id), period_key)
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("rank", "display_name", "username", "id")
        .values_list(
            "rank", "id", "display_name", "username", "branch__name", "unit__name", "points"
        )[:limit]
    )
    return [
        MemberRow(rank, pk, display or username, branch or "", unit or "", points)
        for rank, pk, display, username, branch, unit, points in qs
    ]


def member_rank(
    member: User, scope_kind: str, scope_id: int | None, period_key: str
) -> tuple[int, int]:
    """``(rank, points)`` of one member in the scope and period (two queries)."""
    from .models import PointTotal

    mine = (
        PointTotal.objects.filter(member_id=member.pk, period=period_key)
        .values_list("points", flat=True)
        .first()
        or 0
    )
    above = (
        _with_points(_in_scope(scope_kind, scope_id), period_key).filter(points__gt=mine).count()
    )
    return above + 1, mine


def group_ranking(of: str, period_key: str, within_unit: int | None = None) -> list[GroupRow]:
    """Branches (``of="branches"``, optionally of one unit) or units ranked fairly (one query)."""
    qs = audience()
    if within_unit is not None:
        qs = qs.filter(unit_id=within_unit)
    qs = _with_points(qs, period_key)
    if of == "branches":
        keys = ("branch_id", "branch__name", "unit__name")
    elif of == "units":
        keys = ("unit_id", "unit__name")
    else:
        raise ValueError(f"unknown grouping: {of!r}")
    rows = (
        qs.values(*keys)
        .annotate(
            n=Count("id"),
            s=Sum("points"),
            a=Count("id", filter=Q(points__gt=0)),
        )
        .order_by()
    )
    groups = []
    for row in rows:
        n, total, active = row["n"], row["s"] or 0, row["a"]
        groups.append(
            (
                Fraction(total, n),
                Fraction(active, n),
                row[keys[1]],
                row[keys[0]],
                row.get("unit__name") if of == "branches" else None,
                n,
                active,
                total,
            )
        )
    groups.sort(key=lambda g: (-g[0], -g[1], g[2], g[3]))
    ranked: list[GroupRow] = []
    for i, (avg, rate, name, pk, unit, n, active, total) in enumerate(groups):
        if ranked and ranked[-1].average == avg and groups[i - 1][1] == rate:
            rank = ranked[-1].rank
        else:
            rank = i + 1
        ranked.append(
            GroupRow(
                rank=rank,
                id=pk,
                name=name,
                unit=unit,
                points=round(float(avg), 1),
                members=n,
                active=active,
                active_rate=round(float(rate), 4),
                total=total,
                average=avg,
            )
        )
    return ranked


@dataclass(frozen=True)
class Standing:
    """A member's rank in one scope and period, and at the end of last week."""

    scope: str
    period: str
    key: str
    rank: int
    points: int
    previous_rank: int | None  # None when the period began this week

    @property
    def change(self) -> int | None:
        """Places gained since last week (positive: up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


def member_standing(member: User, day: date | None = None) -> list[Standing]:
    """
    The member's ranks in the own branch, unit and the city for month, quarter,
    year and all time, with the rank at the end of last week: the period's points
    minus this week's (when the period began before this week, all of this week's
    points are in it). Two queries, whatever the size of the city.
    """
    from .models import PointTotal

    day = day or timezone.localdate()
    week = period_key("week", day)
    monday = period_start("week", day)
    keys = {kind: period_key(kind, day) for kind in RANKED_KINDS}
    mine = dict(
        PointTotal.objects.filter(
            member_id=member.pk, period__in=[*keys.values(), week]
        ).values_list("period", "points")
    )
    my_week = mine.get(week, 0)
    comparable = {kind: kind == "all" or period_start(kind, day) <= monday for kind in RANKED_KINDS}
    qs = _with_points(audience(), week, "p_week")
    for kind, key in keys.items():
        qs = _with_points(qs, key, f"p_{kind}")
    scopes = {
        "branch": Q(branch_id=member.branch_id),
        "unit": Q(unit_id=member.unit_id),
        "city": Q(),
    }
    aggregates = {}
    for scope_name, where in scopes.items():
        for kind in RANKED_KINDS:
            now = mine.get(keys[kind], 0)
            aggregates[f"{scope_name}_{kind}"] = Count(
                "id", filter=where & Q(**{f"p_{kind}__gt": now})
            )
            if comparable[kind]:
                before = now - my_week
                qs = qs.alias(**{f"b_{kind}": F(f"p_{kind}") - F("p_week")})
                aggregates[f"{scope_name}_{kind}_prev"] = Count(
                    "id", filter=where & Q(**{f"b_{kind}__gt": before})
                )
    counts = qs.aggregate(**aggregates)
    standings = []
    for scope_name in scopes:
        for kind in RANKED_KINDS:
            prev = counts.get(f"{scope_name}_{kind}_prev")
            standings.append(
                Standing(
                    scope=scope_name,
                    period=kind,
                    key=keys[kind],
                    rank=counts[f"{scope_name}_{kind}"] + 1,
                    points=mine.get(keys[kind], 0),
                    previous_rank=None if prev is None else prev + 1,
                )
            )
    return standings


def scope_size(scope_kind: str, scope_id: int | None) -> int:
    """How many are ranked in the scope (one query)."""
    return _in_scope(scope_kind, scope_id).count()


def branch_card(member: User, day: date | None = None) -> dict | None:
    """The home page's card: the member's rank in the own branch this month, of
    how many (three queries); None for someone outside any branch."""
    if member.branch_id is None or not member.is_active:
        return None
    key = period_key("month", day or timezone.localdate())
    rank, points = member_rank(member, "branch", member.branch_id, key)
    return {"rank": rank, "points": points, "size": scope_size("branch", member.branch_id)}
