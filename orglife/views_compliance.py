"""
The compliance pages (组织生活亮灯): every branch's light for a unit or city admin
(a secretary sees the own branch), and one branch's sessions behind its light.
Reads only; the numbers come from ``orglife.compliance``, as the API's do.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import scope as org_scope

from . import compliance, selectors
from .errors import OrglifeError
from .models import Session


def _period(request):
    """The period asked for, or the current quarter with a message when it is bad."""
    try:
        return compliance.parse_period(request.GET.get("period"))
    except OrglifeError as exc:
        messages.error(request, exc.message)
        return compliance.parse_period(None)


def _legend():
    return {
        "green_attendance": round(compliance.GREEN_ATTENDANCE * 100),
        "red_attendance": round(compliance.RED_ATTENDANCE * 100),
    }


@login_required
def compliance_page(request):
    user = request.user
    if not compliance.can_view(user):
        raise PermissionDenied(_("Only secretaries and admins see the compliance lights."))
    period = _period(request)
    raw_unit = request.GET.get("unit") or ""
    if raw_unit and not raw_unit.isdigit():
        raise Http404
    unit_id = int(raw_unit) if raw_unit else None
    try:
        branches = compliance.branches_for(user, unit_id=unit_id)
    except OrglifeError:
        raise Http404 from None
    report = compliance.compliance_report(branches=branches, period=period)
    units = list(org_scope.units_visible_to(user).filter(is_active=True))
    quarters, months, years = compliance.recent_periods()
    lights = dict.fromkeys(compliance.LIGHT_NAMES, 0)
    for row in report.branches:
        lights[row.light] += 1
    groups = [
        (unit, list(rows))
        for unit, rows in groupby(report.branches, key=lambda row: row.branch.unit)
    ]
    return render(
        request,
        "orglife/compliance.html",
        {
            "report": report,
            "period": period,
            "groups": groups,
            "lights": lights,
            "units": units if len(units) > 1 else [],
            "unit_id": unit_id,
            "quarters": quarters,
            "months": months,
            "years": years,
            "legend": _legend(),
            "nav": "home",
        },
    )


@login_required
def compliance_branch(request, pk: int):
    """One branch in a period: its kinds, its rates, and every session of the period
    with whether it counts, linked to its record."""
    user = request.user
    if not compliance.can_view(user):
        raise PermissionDenied(_("Only secretaries and admins see the compliance lights."))
    period = _period(request)
    branch = get_object_or_404(compliance.branches_for(user).select_related("unit"), pk=pk)
    report = compliance.compliance_report(
        branches=compliance.branches_for(user).filter(pk=pk), period=period
    )
    now = timezone.now()
    held = set(
        compliance.held_sessions(now)
        .filter(branch=branch, starts_at__gte=period.starts_at(), starts_at__lt=period.ends_at())
        .values_list("pk", flat=True)
    )
    sessions = selectors.with_counts(
        Session.objects.filter(
            branch=branch, starts_at__gte=period.starts_at(), starts_at__lt=period.ends_at()
        )
    ).order_by("starts_at", "id")
    return render(
        request,
        "orglife/compliance_branch.html",
        {
            "branch": branch,
            "row": report.branches[0],
            "report": report,
            "period": period,
            "sessions": [(s, s.pk in held) for s in sessions],
            "legend": _legend(),
            "nav": "home",
        },
    )
