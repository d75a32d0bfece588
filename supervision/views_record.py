"""The study record pages (学习档案): the member's own (/me/record/) and a member's
for the secretary and admins over them (/members/<id>/record/, 404 for anyone else).
Printable: the print stylesheet hides the navigation, and the PDF is one tap away."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from orglife.pdf import FontsMissing

from . import study_record
from .api_record import pdf_response
from .record_pdf import makeup_labels, outcome_labels, purpose_labels


def _year(request) -> int:
    value = request.GET.get("year") or ""
    this_year = timezone.localdate().year
    if not value:
        return this_year
    if not value.isdigit() or not 2000 <= int(value) <= this_year + 1:
        raise Http404
    return int(value)


def _page(request, member):
    year = _year(request)
    record = study_record.study_record(member=member, year=year)
    if request.GET.get("format") == "pdf":
        try:
            return pdf_response(record)
        except FontsMissing:
            return render(request, "orglife/record_unavailable.html", {"nav": "home"}, status=503)
    outcomes, makeups, purposes = outcome_labels(), makeup_labels(), purpose_labels()
    for item in record["sessions"]["items"]:
        item["outcome_label"] = outcomes[item["outcome"]]
        item["makeup_label"] = makeups.get(item["makeup"] or "", "")
    for item in record["exams"]:
        item["purpose_label"] = purposes.get(item["purpose"], "")
    peak = max((row["points"] for row in record["points"]["months"]), default=0)
    for row in record["points"]["months"]:
        row["share"] = round(max(row["points"], 0) * 100 / peak) if peak > 0 else 0
    years = study_record.years_with_data(member)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return render(
        request,
        "supervision/study_record.html",
        {
            "member": member,
            "record": record,
            "year": year,
            "years": years,
            "own": member.pk == request.user.pk,
            "nav": "profile",
        },
    )


@login_required
def my_record(request):
    member = study_record.member_for_record(request.user, request.user.pk)
    return _page(request, member)


@login_required
def member_record(request, pk: int):
    return _page(request, study_record.member_for_record(request.user, pk))
