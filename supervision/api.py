"""
The quarterly assessment's API (``supervision.assessment``):

- ``GET /api/v1/assessments/?year=`` — the year's quarters that have begun and
  their state (not published / published version n at …);
- ``GET /api/v1/assessments/{YYYY-Qn}/?unit=`` — ``{quarter, published_at,
  version, indicators, units, branches}`` as the caller may see it (published:
  the latest version's snapshot; not yet: the city admin's live preview with
  ``published_at`` null, 404 ``not_published`` for anyone else); ``&version=n``
  an earlier version; ``versions`` lists them all and ``changes`` what moved
  per unit since the version before the one shown; ``&format=xlsx|pdf`` is answered by
  ``supervision.reports.respond(request, assessment)`` (the reports' module; the
  ``assessment`` is the version shown, or an unsaved one for the preview, and
  carries the caller's scoped body as ``assessment.view``);
- ``POST /api/v1/assessments/{YYYY-Qn}/publish/`` — the city admin publishes
  (a new version when already published): 201 with the new version's body.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer

from . import assessment as svc
from .errors import Refused, SupervisionError
from .models import Assessment


class AssessmentIndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.FloatField()
    target = serializers.FloatField()
    unit = serializers.CharField(help_text="%, count or points")


class AssessedUnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssessedUnitSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="ties share a rank")
    id = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="0–100; null for a secretary")
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="indicator key → value"
    )
    scores = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        required=False,
        help_text="indicator key → share of the target reached (%)",
    )
    members = serializers.IntegerField(required=False)


class AssessedBranchSerializer(AssessedUnitSerializer):
    unit_rank = serializers.IntegerField(allow_null=True, help_text="rank within its unit")
    unit = AssessedUnitRefSerializer()


class AssessmentVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    published_by = serializers.CharField(source="published_by.name")


class AssessmentChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    score_before = serializers.FloatField(allow_null=True)
    score_after = serializers.FloatField(allow_null=True)
    score_change = serializers.FloatField(allow_null=True)
    rank_before = serializers.IntegerField(allow_null=True)
    rank_after = serializers.IntegerField(allow_null=True)
    rank_change = serializers.IntegerField(allow_null=True, help_text="> 0: moved up")


class AssessmentSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    name = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    indicators = AssessmentIndicatorSerializer(many=True)
    units = AssessedUnitSerializer(many=True)
    branches = AssessedBranchSerializer(many=True)
    versions = AssessmentVersionSerializer(
        many=True, help_text="every published version, oldest first"
    )
    changes = AssessmentChangeSerializer(
        many=True, help_text="per unit shown, what moved since the version before this one"
    )


class AssessmentQuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    name = serializers.CharField()
    running = serializers.BooleanField(help_text="the quarter has not ended")
    published = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True, help_text="the latest version")
    versions = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = serializers.CharField(allow_null=True)


class AssessmentYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarters = AssessmentQuarterSerializer(many=True)


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name) or None
    if value is not None and not value.isdigit():
        raise ValidationError({name: [_("Give a whole number.")]})
    return int(value) if value is not None else None


def _check_viewer(user) -> None:
    if not svc.can_view(user):
        raise PermissionDenied(_("Only secretaries and admins see the assessment."))


def _with_history(body: dict, row) -> dict:
    versions, changes = svc.history(body["quarter"], row, body)
    return {**body, "versions": versions, "changes": changes}


class AssessmentListView(APIView):
    """The year's quarters (newest first) and whether each is published."""

    @extend_schema(
        operation_id="assessments_list",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="default: this year")],
        responses={200: AssessmentYearSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        _check_viewer(request.user)
        year = _int_param(request, "year") or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise ValidationError({"year": [_("Give a year between 2000 and 2100.")]})
        return Response(
            AssessmentYearSerializer({"year": year, "quarters": svc.year_overview(year)}).data
        )


def _report_renderers():
    """The renderers the reports' module offers for ``?format=`` (none until it is there)."""
    try:
        from . import reports
    except ImportError:
        return []
    return list(getattr(reports, "RENDERERS", []))


class AssessmentDetailView(APIView):
    """One quarter as the caller may see it (see the module's docstring)."""

    def get_renderers(self):
        return [
            renderer()
            for renderer in [*api_settings.DEFAULT_RENDERER_CLASSES, *_report_renderers()]
        ]

    @extend_schema(
        operation_id="assessments_retrieve",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="one unit and its branches"),
            OpenApiParameter("version", OpenApiTypes.INT, description="an earlier version"),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"]),
        ],
        responses={
            200: AssessmentSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request, quarter):
        _check_viewer(request.user)
        unit_id = _int_param(request, "unit")
        version = _int_param(request, "version")
        try:
            period = svc.parse_quarter(quarter)
            body, row = svc.view_for(request.user, period, unit_id=unit_id, version=version)
        except SupervisionError as exc:
            raise Refused(exc) from None
        fmt = request.query_params.get("format")
        if fmt and fmt != "json":
            try:
                from . import reports
            except ImportError:
                raise NotFound(_("This format is not available.")) from None
            if row is None:
                row = Assessment(quarter=period.label, version=0, snapshot=body)
            row.view = body
            return reports.respond(request, row)
        return Response(AssessmentSerializer(_with_history(body, row)).data)


class AssessmentPublishView(APIView):
    """The city admin publishes the quarter (again: a new version)."""

    @extend_schema(
        request=None,
        responses={
            201: AssessmentSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, quarter):
        try:
            period = svc.parse_quarter(quarter)
            svc.publish(period, by=request.user)
            body, row = svc.view_for(request.user, period)
        except SupervisionError as exc:
            raise Refused(exc) from None
        return Response(
            AssessmentSerializer(_with_history(body, row)).data, status=http.HTTP_201_CREATED
        )
