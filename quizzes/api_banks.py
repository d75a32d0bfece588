"""
The banks API for admins (issue 15's contract): the banks the caller manages, a new
bank, the import with its preview (``?dry_run=1``), the export and the template.
"""

import json

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer, XlsxRenderer, query_bool
from backend.common.xlsx import XLSX_CONTENT_TYPE, xlsx_response

from . import banks, excel, scope
from .importing import plan
from .importing.read import MAX_BYTES, ImportRefused
from .models import QuestionBank


class BadImportRequest(APIException):
    """A 400 ``{detail, code}``."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, code: str):
        super().__init__(detail=detail, code=code)


def _require_manager(request) -> None:
    if not scope.can_manage_banks(request.user):
        raise PermissionDenied(_("Only admins manage question banks."))


def _manageable_bank(request, pk: int) -> QuestionBank:
    _require_manager(request)
    return get_object_or_404(scope.banks_manageable_by(request.user), pk=pk)


class BankUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BankSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=["city", "unit"], help_text="city-wide or one unit's")
    questions = serializers.IntegerField(help_text="how many questions (active or not)")
    unit = BankUnitSerializer(allow_null=True)


class BankCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, trim_whitespace=True)
    unit = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="the owning unit; a unit admin's own by default; null: city-wide (city admin)",
    )


def bank_payload(bank: QuestionBank, count: int) -> dict:
    return {
        "id": bank.pk,
        "name": bank.name,
        "scope": "unit" if bank.unit_id else "city",
        "questions": count,
        "unit": {"id": bank.unit.pk, "name": bank.unit.name} if bank.unit_id else None,
    }


class BankListView(APIView):
    """The banks the caller may manage (city admin: all; unit admin: the own unit's),
    and a new one."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: BankSerializer(many=True), 403: ErrorSerializer})
    def get(self, request):
        _require_manager(request)
        return Response(
            [
                bank_payload(bank, bank.question_count)
                for bank in banks.banks_for_manager(user=request.user)
            ]
        )

    @extend_schema(
        request=BankCreateSerializer,
        responses={201: BankSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request):
        _require_manager(request)
        data = BankCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            bank = banks.bank_create(
                user=request.user,
                name=data.validated_data["name"],
                unit_id=data.validated_data.get("unit", banks.OWN_UNIT),
            )
        except banks.BankError as error:
            raise BadImportRequest(str(error), error.code) from None
        return Response(bank_payload(bank, 0), status=status.HTTP_201_CREATED)


class BankImportThrottle(UserRateThrottle):
    """Reading a file is heavy: 30 imports (previews included) a minute per admin."""

    scope = "bank_import"
    rate = "30/min"


IMPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary", "description": ".xlsx, .xls or .csv"},
        "mapping": {
            "type": "string",
            "description": 'JSON: {"their header": "our field"} for a layout not recognised',
        },
        "duplicates": {"type": "string", "enum": list(plan.DUPLICATES), "default": "skip"},
        "missing": {"type": "string", "enum": list(plan.MISSING), "default": "keep"},
    },
    "required": ["file"],
}


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportSkippedSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    reason = serializers.CharField()


class ImportWarningSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="0: the file as a whole")
    message = serializers.CharField()


class ImportCitesSerializer(serializers.Serializer):
    title = serializers.CharField()
    passage = serializers.IntegerField(allow_null=True)


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "skip", "error"])
    kind = serializers.CharField()
    stem = serializers.CharField()
    question = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    cites = ImportCitesSerializer(
        allow_null=True, help_text="the lecture passage the row's 出处 cites"
    )


class ImportReportSerializer(serializers.Serializer):
    detail = serializers.CharField()
    layout = serializers.ChoiceField(choices=["jiangtang", "yf_exam", "generic_columns", "mapped"])
    header_row = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())
    mapping = serializers.DictField(child=serializers.CharField())
    committed = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    skipped = ImportSkippedSerializer(many=True)
    warnings = ImportWarningSerializer(many=True)
    errors = ImportRowErrorSerializer(many=True)
    rows = ImportRowSerializer(many=True)


class ImportRefusedSerializer(ErrorSerializer):
    columns = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="for mapping_required"
    )


def _mapping(request) -> dict | None:
    text = request.data.get("mapping")
    if text in (None, ""):
        return None
    try:
        mapping = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        mapping = None
    if isinstance(mapping, dict) and isinstance(mapping.get("columns"), dict):
        mapping = mapping["columns"]  # the bank's remembered form {"version": 1, "columns": …}
    if not isinstance(mapping, dict):
        raise BadImportRequest(
            _('The mapping is a JSON object: {"their header": "our field"}.'), "mapping_invalid"
        )
    return mapping


def _choice(request, name: str, choices: tuple[str, ...]) -> str:
    value = request.data.get(name) or choices[0]
    if value not in choices:
        raise BadImportRequest(
            _("%(name)s is one of: %(choices)s.") % {"name": name, "choices": "、".join(choices)},
            "invalid",
        )
    return value


class BankImportView(APIView):
    """
    Import an .xlsx, .xls or .csv into a bank. With ``?dry_run=1``: what the import
    would do (the preview), nothing written. Without: the same after writing, all or
    nothing — 400 with the ``errors`` when any row is in error. A file that cannot be
    read is a 400 ``{detail, code}`` (``columns`` too when a mapping is required).
    """

    parser_classes = [MultiPartParser]
    throttle_classes = [BankImportThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "dry_run", OpenApiTypes.BOOL, description="preview only: nothing is written"
            )
        ],
        request={"multipart/form-data": IMPORT_SCHEMA},
        responses={
            200: ImportReportSerializer,
            400: PolymorphicProxySerializer(
                component_name="ImportFailure",
                serializers=[ImportReportSerializer, ImportRefusedSerializer],
                resource_type_field_name=None,
            ),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request, pk: int):
        bank = _manageable_bank(request, pk)
        dry_run = query_bool(request, "dry_run")
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Attach the question file as “file”.")]})
        if upload.size > MAX_BYTES:
            raise BadImportRequest(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
                "too_big",
            )
        mapping = _mapping(request)
        duplicates = _choice(request, "duplicates", plan.DUPLICATES)
        missing = _choice(request, "missing", plan.MISSING)
        try:
            report = plan.questions_import(
                bank=bank,
                data=upload.read(),
                filename=upload.name or "",
                mapping=mapping,
                duplicates=duplicates,
                missing=missing,
                dry_run=dry_run,
                user=request.user,
            )
        except ImportRefused as refused:
            body = {"detail": refused.message, "code": refused.code}
            if refused.columns:
                body["columns"] = refused.columns
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        failed = not dry_run and not report.committed
        return Response(
            report.as_dict(),
            status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_200_OK,
        )


class BankExportView(APIView):
    """The bank as .xlsx, in the import format, with each question's ID (edit it and
    import it back: those questions are updated)."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        bank = _manageable_bank(request, pk)
        return xlsx_response(excel.bank_export_xlsx(bank=bank), f"{bank.name}.xlsx")


class BankTemplateView(APIView):
    """The import template: the header, an example row per kind, notes on filling it."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        _require_manager(request)
        return xlsx_response(excel.template_xlsx(), "题库导入模板.xlsx")
