"""积分排行: the member's leaderboard page (tabs: scope × period, and what is ranked)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.points import leaderboards
from backend.points.periods import RANKED_KINDS

SCOPE_LABELS = {"branch": _("My branch"), "unit": _("My unit"), "city": _("Whole city")}
PERIOD_LABELS = {
    "month": _("This month"),
    "quarter": _("This quarter"),
    "year": _("This year"),
    "all": _("All time"),
}
OF_LABELS = {"members": _("Members"), "branches": _("Branches"), "units": _("Units")}
LIMIT = 50


def scopes_for(user) -> list[str]:
    return [
        s
        for s in leaderboards.SCOPES
        if s == "city" or (s == "branch" and user.branch_id) or (s == "unit" and user.unit_id)
    ]


def ofs_for(scope: str) -> list[str]:
    return {"branch": ["members"], "unit": ["members", "branches"]}.get(
        scope, ["members", "branches", "units"]
    )


def standing_table(user) -> list[dict] | None:
    """The 积分 page's table: a row per scope, a cell per period (two queries)."""
    if user.branch_id is None or not user.is_active:
        return None
    cells = {(s.scope, s.period): s for s in leaderboards.member_standing(user)}
    return [
        {
            "scope": scope,
            "label": SCOPE_LABELS[scope],
            "cells": [cells[(scope, kind)] for kind in RANKED_KINDS],
        }
        for scope in leaderboards.SCOPES
    ]


@login_required
def ranking(request):
    user = request.user
    scopes = scopes_for(user)
    scope = request.GET.get("scope")
    if scope not in scopes:
        scope = scopes[0]
    period = request.GET.get("period")
    if period not in RANKED_KINDS:
        period = "month"
    ofs = ofs_for(scope)
    of = request.GET.get("of")
    if of not in ofs:
        of = "members"
    key = leaderboards.period_key(period, timezone.localdate())
    scope_id = {"branch": user.branch_id, "unit": user.unit_id, "city": None}[scope]
    me = None
    if of == "members":
        rows = leaderboards.member_ranking(scope, scope_id, key, limit=LIMIT)
        mine = [r for r in rows if r.member_id == user.pk]
        if user.branch_id and user.is_active and not mine:
            rank, points = leaderboards.member_rank(user, scope, scope_id, key)
            me = {"rank": rank, "name": user.name, "points": points}
        own_id = user.pk
    else:
        within = user.unit_id if scope == "unit" else None
        ranked = leaderboards.group_ranking(of, key, within_unit=within)
        rows = ranked[:LIMIT]
        own_id = user.branch_id if of == "branches" else user.unit_id
        if own_id and not any(r.id == own_id for r in rows):
            me = next((r for r in ranked if r.id == own_id), None)
    return render(
        request,
        "frontend/ranking.html",
        {
            "scope": scope,
            "period": period,
            "of": of,
            "key": key,
            "scope_tabs": [(s, SCOPE_LABELS[s]) for s in scopes],
            "period_tabs": [(k, PERIOD_LABELS[k]) for k in RANKED_KINDS],
            "of_tabs": [(o, OF_LABELS[o]) for o in ofs] if len(ofs) > 1 else [],
            "rows": rows,
            "own_id": own_id,
            "me": me,
            "nav": "points",
        },
    )
