"""
The record's API: read (JSON, or the page of the record book as ``?format=xlsx|pdf``),
write before the sign-off, sign, amend, add files.

A session the caller may not see is 404; the draft of a record not yet signed is
read by the session's managers only (others: 404 "not_signed"); writing is for the
managers (others who see the session: 403).
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer, XlsxRenderer

from . import records
from .errors import OrglifeError, Refused
from .models import Session
from .pdf import FontsMissing
from .scope import can_manage_session
from .views_record import book_download, file_url


class PdfRenderer(renderers.BaseRenderer):
    """Lets ``?format=pdf`` select the PDF; the view returns it itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("the view returns the PDF as an HttpResponse")


class FontsUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "fonts_missing"

    def __init__(self):
        super().__init__(
            _("The Chinese fonts for the PDF are not installed on the server (fonts-noto-cjk).")
        )


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    branch = serializers.CharField()
    manual = serializers.BooleanField(help_text="checked in by the host")


class AttendanceSummarySerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    present = PersonSerializer(many=True, help_text="on time")
    late = PersonSerializer(many=True)
    on_leave = PersonSerializer(many=True)
    absent = PersonSerializer(many=True)
    guests = PersonSerializer(many=True, help_text="not expected (a lecture in the hall)")
    manual = serializers.IntegerField(help_text="how many the host checked in by hand")


class RecordFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    url = serializers.CharField()
    size = serializers.IntegerField()
    amendment = serializers.IntegerField(allow_null=True, help_text="added by this amendment")


class AmendmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    by = serializers.CharField()
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    field = serializers.CharField(help_text="minutes, decisions or files")
    before = serializers.CharField()
    after = serializers.CharField()


class RecordSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    minutes = serializers.CharField(help_text="Markdown")
    minutes_html = serializers.CharField(help_text="rendered and sanitised")
    decisions = serializers.ListField(child=serializers.CharField())
    files = RecordFileSerializer(many=True)
    attendance = AttendanceSummarySerializer()
    signed_at = serializers.DateTimeField(allow_null=True)
    signed_by = serializers.CharField(allow_null=True)
    amendments = AmendmentSerializer(many=True)
    can_edit = serializers.BooleanField(help_text="the caller keeps this record")


def record_body(entry: records.RecordEntry, *, can_edit: bool) -> dict:
    record = entry.record
    signed = record is not None and record.is_signed
    return {
        "session": entry.session.pk,
        "minutes": record.minutes if record else "",
        "minutes_html": record.minutes_html if record else "",
        "decisions": records.decision_lines(record),
        "files": [
            {
                "id": f.pk,
                "title": f.title,
                "kind": f.kind,
                "url": file_url(f),
                "size": f.size,
                "amendment": f.amendment_id,
            }
            for f in (record.files.all() if record else [])
        ],
        "attendance": entry.attendance.as_dict(),
        "signed_at": record.signed_at if signed else None,
        "signed_by": record.signed_by.name if signed else None,
        "amendments": [
            {
                "id": a.pk,
                "by": a.author.name,
                "at": a.created_at,
                "reason": a.reason,
                "field": a.field,
                "before": a.before,
                "after": a.after,
            }
            for a in (record.amendments.all() if record else [])
        ],
        "can_edit": can_edit,
    }


def _session(request, pk: int) -> Session:
    session = records.session_for_record(request.user, pk)
    if session is None:
        raise NotFound(_("No such session."))
    return session


def _managed(request, pk: int) -> Session:
    session = _session(request, pk)
    if not can_manage_session(request.user, session):
        raise PermissionDenied(_("Only the session's host and secretary keep its record."))
    return session


def _answer(request, session: Session, status_code: int = status.HTTP_200_OK) -> Response:
    entry = records.record_entry(session)
    body = record_body(entry, can_edit=can_manage_session(request.user, session))
    return Response(RecordSerializer(body).data, status=status_code)


def _write(request, pk: int, action, body_class=None, status_code=status.HTTP_200_OK):
    """Runs ``action(session=, by=, **body)`` as a manager of the session; answers the
    record, or the refusal as ``{detail, code}``."""
    session = _managed(request, pk)
    data = {}
    if body_class is not None:
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
    try:
        action(session=session, by=request.user, **data)
    except OrglifeError as exc:
        raise Refused(exc) from None
    return _answer(request, session, status_code)


class TextField(serializers.CharField):
    """Text, and only text (DRF's CharField would take 0 or true as "0", "True")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RecordSaveSerializer(serializers.Serializer):
    minutes = TextField(allow_blank=True, trim_whitespace=False, default="")
    decisions = TextField(allow_blank=True, default="", help_text="one decision per line")


class AmendSerializer(serializers.Serializer):
    reason = TextField(max_length=300)
    minutes = TextField(allow_blank=True, required=False, trim_whitespace=False)
    decisions = TextField(allow_blank=True, required=False)


class RecordView(APIView):
    """The record of a session: the minutes, decisions, files, attendance,
    signature and amendments (``?format=xlsx|pdf``: the record book's page)."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer, PdfRenderer]

    def get_renderers(self):
        # Only a read downloads the book; a write answers JSON whatever it asked for.
        if self.request.method not in ("GET", "HEAD"):
            return [renderer() for renderer in api_settings.DEFAULT_RENDERER_CLASSES]
        return super().get_renderers()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"], description="a download"
            )
        ],
        responses={200: RecordSerializer, 404: ErrorSerializer, 503: ErrorSerializer},
    )
    def get(self, request, pk: int):
        session = _session(request, pk)
        entry = records.record_entry(session)
        manages = can_manage_session(request.user, session)
        if not manages and not (entry.record and entry.record.is_signed):
            raise NotFound(_("The record is not signed off yet."), code="not_signed")
        records.record_opened(member=request.user, session=session, record=entry.record)
        fmt = request.accepted_renderer.format
        if fmt in ("xlsx", "pdf"):
            try:
                return book_download([entry], fmt, session=session)
            except FontsMissing:
                raise FontsUnavailable() from None
        return Response(RecordSerializer(record_body(entry, can_edit=manages)).data)

    @extend_schema(
        request=RecordSaveSerializer,
        responses={200: RecordSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    def put(self, request, pk: int):
        return _write(request, pk, records.record_save, RecordSaveSerializer)


class RecordSignView(APIView):
    """Signs the record off (the session has started): from now on it is frozen."""

    @extend_schema(
        request=None, responses={200: RecordSerializer, 403: ErrorSerializer, 409: ErrorSerializer}
    )
    def post(self, request, pk: int):
        return _write(request, pk, records.record_sign)


class RecordAmendmentsView(APIView):
    """Amends a signed record: a reason, and the new minutes and/or decisions."""

    @extend_schema(
        request=AmendSerializer,
        responses={201: RecordSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, pk: int):
        return _write(request, pk, records.record_amend, AmendSerializer, status.HTTP_201_CREATED)


class RecordFilesView(APIView):
    """Adds photos and files (multipart ``files``); after the sign-off with a ``reason``
    (they belong to an amendment). One refused file: none is kept."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "reason": {"type": "string"},
                },
            }
        },
        responses={201: RecordSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, pk: int):
        def add(*, session, by):
            checked = records.record_uploads_check(request.FILES.getlist("files"))
            reason = request.data.get("reason", "")
            records.record_file_add(session=session, by=by, uploads=checked, reason=reason)

        return _write(request, pk, add, status_code=status.HTTP_201_CREATED)
