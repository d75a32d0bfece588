"""
The supervision dashboard page (/supervision/) and the quarterly report's page: reads
only; the numbers come from ``supervision.dashboards``, the report's from the
assessment's own body (``supervision.assessment.view_for``) through
``supervision.reports``.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import assessment as svc
from . import dashboards, reports
from .errors import SupervisionError


@login_required
def dashboard_page(request):
    data = dashboards.dashboard(request.user)
    published = data["ranking"]["quarter"] if data["ranking"]["source"] == "assessment" else None
    return render(
        request,
        "supervision/dashboard.html",
        {**data, "nav": "home", "report_quarter": published},
    )


@login_required
def report_page(request, quarter):
    """The quarterly report of ``quarter`` as the caller may see it: its charts, the
    ranking, and the box that builds the .xlsx/PDF in the background."""
    if not svc.can_view(request.user):
        raise PermissionDenied(_("Only secretaries and admins see the assessment."))
    raw_version = request.GET.get("version") or ""
    if raw_version and not raw_version.isdigit():
        raise Http404
    try:
        period = svc.parse_quarter(quarter)
        body, _row = svc.view_for(
            request.user, period, version=int(raw_version) if raw_version else None
        )
    except SupervisionError:
        raise Http404 from None
    drawn = reports.report_charts(body)
    return render(
        request,
        "supervision/report.html",
        {
            "body": body,
            "title": reports.title_of(body),
            "charts": drawn,
            "chart_list": list(drawn.items()),
            "indicators": body.get("indicators", []),
            "units": [
                {**u, "cells": [(u.get("values") or {}).get(i["key"]) for i in body["indicators"]]}
                for u in body.get("units", [])
            ],
            "quarter_label": period.label,
            "report_version": body.get("version"),
            "nav": "home",
        },
    )
