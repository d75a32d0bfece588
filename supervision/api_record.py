"""``GET /api/v1/members/{id}/record/?year=``: a member's study record (学习档案,
``supervision.study_record``); ``&format=pdf`` printed (503 without the CJK fonts)."""

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer
from orglife.api_record import FontsUnavailable, PdfRenderer

from . import study_record
from .record_pdf import FontsMissing, record_pdf

MIN_YEAR = 2000


def year_param(value) -> int:
    """The ``year`` asked for (this year when absent); 400 for anything else."""
    this_year = timezone.localdate().year
    if value in (None, ""):
        return this_year
    if not str(value).isdigit() or not MIN_YEAR <= int(value) <= this_year + 1:
        raise ValidationError({"year": [_("Give a year such as %(year)d.") % {"year": this_year}]})
    return int(value)


def pdf_response(record: dict) -> HttpResponse:
    response = HttpResponse(record_pdf(record), content_type="application/pdf")
    name = f"学习档案-{record['member']['name']}-{record['year']}.pdf"
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=name)
    return response


class MemberRecordView(APIView):
    """The study record of a member for a year: lectures, reading, sessions and
    make-up, exams, contests, points by month (``version`` 1). The member, the own
    branch's secretary, the unit admin and the city admin may read it; anyone else
    gets 404. ``?format=pdf``: the printable record."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, PdfRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="default: this year"),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "pdf"]),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: ErrorSerializer,
            404: ErrorSerializer,
            503: ErrorSerializer,
        },
    )
    def get(self, request, pk: int):
        member = study_record.member_for_record(request.user, pk)
        record = study_record.study_record(
            member=member, year=year_param(request.query_params.get("year"))
        )
        if request.accepted_renderer.format == PdfRenderer.format:
            try:
                return pdf_response(record)
            except FontsMissing:
                raise FontsUnavailable() from None
        return Response(record)


urlpatterns = [
    path("members/<int:pk>/record/", MemberRecordView.as_view(), name="member-record"),
]
