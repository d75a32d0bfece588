"""
``GET /api/v1/compliance/?period=YYYY-Qn&unit=`` — each branch's light, held /
required per kind, attendance and make-up rates (``orglife.compliance``);
``&format=xlsx`` gives the same numbers as a workbook.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer, XlsxRenderer
from backend.common.xlsx import xlsx_response

from . import compliance
from .errors import OrglifeError, Refused


class KindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    held = serializers.IntegerField(help_text="held sessions (signed record) in the window")
    required = serializers.IntegerField(help_text="the rule's times × its periods in the window")
    due = serializers.IntegerField(help_text="required by the end of the rule period running now")
    owed = serializers.IntegerField(help_text="required by the rule periods already ended")
    per = serializers.CharField(help_text="month, quarter or year")
    window = serializers.CharField(help_text="the period counted (a coarser rule: its own)")


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BranchComplianceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefSerializer()
    light = serializers.ChoiceField(choices=["green", "yellow", "red"])
    light_name = serializers.CharField()
    kinds = KindSerializer(many=True)
    sessions = serializers.IntegerField(help_text="held sessions in the period")
    expected = serializers.IntegerField()
    present = serializers.IntegerField(help_text="checked in, late included")
    attendance_rate = serializers.FloatField(allow_null=True)
    makeup_done = serializers.IntegerField()
    makeup_total = serializers.IntegerField()
    makeup_rate = serializers.FloatField(allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    period = serializers.CharField()
    period_name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="the first day after the period")
    running = serializers.BooleanField()
    thresholds = serializers.DictField(child=serializers.FloatField())
    branches = BranchComplianceSerializer(many=True)


class ComplianceView(APIView):
    """Each branch's light in the caller's scope: a secretary the own branch, a
    unit admin the unit's, the city admin all (``unit`` narrows; outside the
    scope: 404); a member 403."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="2026-Q4, 2026-11 or 2026"),
            OpenApiParameter("unit", OpenApiTypes.INT),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"]),
        ],
        responses={
            200: ComplianceSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request):
        if not compliance.can_view(request.user):
            raise PermissionDenied(_("Only secretaries and admins see the compliance lights."))
        unit = request.query_params.get("unit") or None
        if unit is not None and not unit.isdigit():
            raise ValidationError({"unit": [_("A unit is given by its number.")]})
        try:
            period = compliance.parse_period(request.query_params.get("period"))
            branches = compliance.branches_for(request.user, unit_id=int(unit) if unit else None)
        except OrglifeError as exc:
            raise Refused(exc) from None
        report = compliance.compliance_report(branches=branches, period=period)
        if request.accepted_renderer.format == XlsxRenderer.format:
            return xlsx_response(
                compliance.report_xlsx(report), f"组织生活亮灯-{period.label}.xlsx"
            )
        return Response(ComplianceSerializer(compliance.report_json(report)).data)
