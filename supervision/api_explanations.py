"""
The explanations' API (说明, item 3 of issue 14):

- ``GET /api/v1/assessments/{YYYY-Qn}/explanations/``
  ``[?status=pending|late|submitted|returned|reviewed]``:
  ``{quarter, counts:{total, outstanding, late, submitted, returned, reviewed},
  results:[explanation]}``; the city admin sees every unit's, a unit admin the own
  unit's (none if the unit is not at the bottom); members and secretaries 403
  ``not_allowed``; a quarter not published (or no quarter at all) 404.
- ``POST`` the same path (multipart: ``text``, ``files``…, ``remove``: ids of files to
  take off): the bottom unit's admin files the explanation, edits it until reviewed,
  files it again after a return. 201 the first time, then 200. A unit not at the
  bottom 403 ``not_required``; anyone but a unit admin 403 ``not_allowed``; reviewed
  409 ``reviewed``; a refused file 400 ``file_refused`` (nothing written).
- ``GET /api/v1/assessments/{YYYY-Qn}/explanations/{id}/``: one of them (same scope).
- ``PUT`` it ``{action: review|return, note}``: the city admin only (others 403
  ``not_allowed``); ``return`` needs a note (400 ``note_required``); only a filed one
  (409 ``not_filed``), never a reviewed one again (409 ``reviewed``).
"""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Role
from backend.common.api import ErrorSerializer

from . import explanations as ex
from .models import Explanation, ExplanationStatus
from .views_explanations import file_url


class Refused(APIException):
    """An ``ExplanationError`` as an API error: ``{detail, code}`` with its status."""

    def __init__(self, error: ex.ExplanationError):
        self.status_code = error.status
        super().__init__(detail=error.message, code=error.code)


class NotAllowed(PermissionDenied):
    default_code = "not_allowed"


class ExplanationFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class ExplanationUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ExplanationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quarter = serializers.CharField()
    version = serializers.IntegerField(help_text="the published version that demanded it")
    unit = ExplanationUnitSerializer()
    rank = serializers.IntegerField(help_text="the unit's rank in that version")
    due_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=ExplanationStatus.choices)
    late = serializers.BooleanField(
        help_text="first filed after the deadline, or not filed and the deadline passed"
    )
    text = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="first filed")
    submitted_by = serializers.CharField(allow_null=True, help_text="last filed by")
    files = ExplanationFileSerializer(many=True)
    review_note = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)


class ExplanationCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    outstanding = serializers.IntegerField(help_text="not filed yet")
    late = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="waiting for the review")
    returned = serializers.IntegerField(help_text="waiting for the unit")
    reviewed = serializers.IntegerField()


class ExplanationListSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    counts = ExplanationCountsSerializer()
    results = ExplanationSerializer(many=True)


class ExplanationDecideSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["review", "return"])
    note = serializers.CharField(allow_blank=True, required=False, default="")


def explanation_body(e: Explanation, now=None) -> dict:
    return {
        "id": e.pk,
        "quarter": e.assessment.quarter,
        "version": e.assessment.version,
        "unit": {"id": e.unit_id, "name": e.unit.name},
        "rank": e.rank,
        "due_at": e.due_at,
        "status": e.status,
        "late": ex.is_late(e, now),
        "text": e.text,
        "submitted_at": e.submitted_at,
        "submitted_by": e.submitted_by.name if e.submitted_by_id else None,
        "files": [
            {"id": f.pk, "title": f.title, "kind": f.kind, "size": f.size, "url": file_url(f)}
            for f in e.files.all()
        ],
        "review_note": e.review_note,
        "reviewed_at": e.reviewed_at,
        "reviewed_by": e.reviewed_by.name if e.reviewed_by_id else None,
    }


def _published(quarter: str):
    assessment = ex.published_quarter(quarter)
    if assessment is None:
        raise NotFound(_("This quarter has not been published."), code="not_published")
    return assessment


def _may_see(request):
    if not ex.can_see_explanations(request.user):
        raise NotAllowed(_("Only unit admins and the city admin see the explanations."))


def _quarter_param():
    return OpenApiParameter(
        "quarter", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-Qn, e.g. 2026-Q3"
    )


class ExplanationListView(APIView):
    """The quarter's explanations in the caller's scope, with counts; the bottom
    unit's admin files the own one here."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[
            _quarter_param(),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=[str(f) for f in ex.FILTERS],
                description="only these (late: past the deadline)",
            ),
        ],
        responses={200: ExplanationListSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        operation_id="assessment_explanations_list",
    )
    def get(self, request, quarter: str):
        _may_see(request)
        _published(quarter)
        every = ex.explanations_of_quarter(request.user, quarter)
        now = timezone.now()
        wanted = request.query_params.get("status")
        results = [e for e in every if ex.matches(e, wanted, now)]
        body = {
            "quarter": quarter,
            "counts": ex.explanation_counts(every, now).as_dict(),
            "results": [explanation_body(e, now) for e in results],
        }
        return Response(ExplanationListSerializer(body).data)

    @extend_schema(
        parameters=[_quarter_param()],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "remove": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["text"],
            }
        },
        responses={
            200: ExplanationSerializer,
            201: ExplanationSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, quarter: str):
        user = request.user
        if not (user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN):
            raise NotAllowed(_("Only the admin of a unit ranked last files its explanation."))
        _published(quarter)
        explanation = ex.explanation_of_unit(quarter, user.unit_id)
        if explanation is None or not ex.can_file(user, explanation):
            raise PermissionDenied(
                _("Your unit is not among those that must explain this quarter's ranking."),
                code="not_required",
            )
        first = explanation.submitted_at is None
        text = request.data.get("text", "")
        remove = [int(v) for v in _list(request.data, "remove") if str(v).isdigit()]
        try:
            if not isinstance(text, str):
                raise ex.ExplanationError(_("Write the explanation."), "text_required")
            checked = ex.explanation_uploads_check(request.FILES.getlist("files"))
            ex.explanation_file(
                explanation=explanation, by=user, text=text, uploads=checked, remove=remove
            )
        except ex.ExplanationError as exc:
            raise Refused(exc) from None
        fresh = ex.explanation_of_unit(quarter, user.unit_id)
        return Response(
            ExplanationSerializer(explanation_body(fresh)).data,
            status=status.HTTP_201_CREATED if first else status.HTTP_200_OK,
        )


def _list(data, key: str) -> list:
    if hasattr(data, "getlist"):
        return data.getlist(key)
    value = data.get(key, [])
    return value if isinstance(value, list) else [value]


class ExplanationDetailView(APIView):
    """One explanation; the city admin reviews it or returns it with a note."""

    def _explanation(self, request, quarter: str, pk: int) -> Explanation:
        _may_see(request)
        _published(quarter)
        found = ex.explanation_visible(request.user, pk)
        if found is None or found.assessment.quarter != quarter:
            raise NotFound(_("No such explanation."))
        return found

    @extend_schema(
        parameters=[_quarter_param()],
        responses={200: ExplanationSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        operation_id="assessment_explanation_retrieve",
    )
    def get(self, request, quarter: str, pk: int):
        found = self._explanation(request, quarter, pk)
        return Response(ExplanationSerializer(explanation_body(found)).data)

    @extend_schema(
        parameters=[_quarter_param()],
        request=ExplanationDecideSerializer,
        responses={
            200: ExplanationSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def put(self, request, quarter: str, pk: int):
        found = self._explanation(request, quarter, pk)
        if not ex.can_review(request.user):
            raise NotAllowed(_("Only the city admin reviews or returns explanations."))
        body = ExplanationDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action, note = body.validated_data["action"], body.validated_data["note"]
        try:
            if action == "review":
                ex.explanation_review(explanation=found, by=request.user, note=note)
            else:
                ex.explanation_return(explanation=found, by=request.user, note=note)
        except ex.ExplanationError as exc:
            raise Refused(exc) from None
        fresh = ex.explanation_visible(request.user, pk)
        return Response(ExplanationSerializer(explanation_body(fresh)).data)


#: Spliced into ``backend.urls.api_v1``.
urlpatterns = [
    path(
        "assessments/<str:quarter>/explanations/",
        ExplanationListView.as_view(),
        name="assessment-explanations",
    ),
    path(
        "assessments/<str:quarter>/explanations/<int:pk>/",
        ExplanationDetailView.as_view(),
        name="assessment-explanation",
    ),
]
