"""
The assessment's pages (考核): the year's quarters with their state and, for the
city admin, the publish button (confirmed on the page, no script); one quarter's
ranking of units and branches, its indicators, its versions and what changed
between them. Reads and publishes through ``supervision.assessment``, as the API.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts import scope as org_scope

from . import assessment as svc
from .errors import SupervisionError
from .forms import forms_for_year
from .models import IndicatorUnit


def _viewer(request):
    if not svc.can_view(request.user):
        raise PermissionDenied(_("Only secretaries and admins see the assessment."))


def _int(request, name):
    raw = request.GET.get(name) or ""
    if raw and not raw.isdigit():
        raise Http404
    return int(raw) if raw else None


def shown(value, unit: str) -> str:
    """A value as the page writes it: 75.0%, 12.5 (points), 2 (count), — (none)."""
    if value is None:
        return "—"
    if unit == IndicatorUnit.PERCENT:
        return f"{value:.1f}%"
    if unit == IndicatorUnit.COUNT:
        return f"{value:g}"
    return f"{value:.1f}"


def _cells(row, indicators):
    return [
        {"key": i["key"], "text": shown(row.get("values", {}).get(i["key"]), i["unit"])}
        for i in indicators
    ]


@login_required
def assessment_list(request):
    _viewer(request)
    this_year = timezone.localdate().year
    year = _int(request, "year") or this_year
    if not 2000 <= year <= 2100:
        raise Http404
    quarters = svc.year_overview(year)
    confirm = request.GET.get("publish") or ""
    city = org_scope.is_city_admin(request.user)
    if confirm not in {q["quarter"] for q in quarters} or not city:
        confirm = ""
    return render(
        request,
        "supervision/assessments.html",
        {
            "year": year,
            "years": list(range(this_year, this_year - 4, -1)),
            "quarters": quarters,
            "confirm": next((q for q in quarters if q["quarter"] == confirm), None),
            "can_publish": city,
            "nav": "home",
        },
    )


@login_required
def assessment_detail(request, quarter):
    _viewer(request)
    version = _int(request, "version")
    try:
        period = svc.parse_quarter(quarter)
        body, row = svc.view_for(request.user, period, version=version)
    except SupervisionError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        raise
    indicators = body["indicators"]
    city = org_scope.is_city_admin(request.user)
    versions, changes = svc.history(period.label, row, body)
    units = [{**u, "cells": _cells(u, indicators)} for u in body["units"]]
    branches = [{**b, "cells": _cells(b, indicators)} for b in body["branches"]]
    return render(
        request,
        "supervision/assessment.html",
        {
            "period": period,
            "body": body,
            "row": row,
            "indicators": indicators,
            "units": units,
            "branches": branches,
            "secretary_view": not city and request.user.role == "secretary",
            "versions": versions,
            "changes": changes,
            "previous_version": row.version - 1 if row is not None and row.version > 1 else None,
            "can_publish": city,
            "confirm": city and request.GET.get("publish") == "1",
            "nav": "home",
        },
    )


@login_required
def indicators_page(request):
    """The city admin sets the year's indicators (name, weight, target, on/off) and
    how many bottom units explain within how many days. Published versions keep the
    indicators they were published with."""
    if not org_scope.is_city_admin(request.user):
        raise PermissionDenied(_("Only the city admin sets the indicators."))
    this_year = timezone.localdate().year
    year = _int(request, "year") or this_year
    if not 2000 <= year <= 2100:
        raise Http404
    data = request.POST if request.method == "POST" else None
    indicator_forms, setting_form = forms_for_year(year, data)
    error = None
    if data is not None:
        # every form checked, so that each shows its errors
        checks = [f.is_valid() for f in indicator_forms] + [setting_form.is_valid()]
        valid = all(checks)
        counting = [
            f
            for f in indicator_forms
            if valid and f.cleaned_data["active"] and f.cleaned_data["weight"]
        ]
        if not valid:
            error = _("Some values cannot be saved: see the fields marked below.")
        elif not counting:
            error = _("At least one indicator must count, with a weight above 0.")
        else:
            with transaction.atomic():
                for f in indicator_forms:
                    f.save()
                setting_form.save()
            messages.success(request, _("The indicators of %(year)d are saved.") % {"year": year})
            return redirect(f"{reverse('assessments:indicators')}?year={year}")
    total = sum((f.instance.weight for f in indicator_forms if f.instance.active), start=Decimal(0))
    return render(
        request,
        "supervision/indicators.html",
        {
            "year": year,
            "years": list(range(this_year + 1, this_year - 3, -1)),
            "forms": indicator_forms,
            "setting_form": setting_form,
            "total_weight": total,
            "error": error,
            "nav": "home",
        },
    )


@login_required
@require_POST
def assessment_publish(request, quarter):
    if not org_scope.is_city_admin(request.user):
        raise PermissionDenied(_("Only the city admin publishes an assessment."))
    try:
        period = svc.parse_quarter(quarter)
        row = svc.publish(period, by=request.user)
    except SupervisionError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("assessments:list")
    messages.success(
        request,
        _("%(quarter)s published as version %(version)d.")
        % {"quarter": svc.quarter_name(period), "version": row.version},
    )
    return redirect("assessments:detail", quarter=period.label)
