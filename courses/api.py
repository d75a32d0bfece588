"""The lectures API (PROTOCOL.md: /api/v1/lectures/…) and study-progress endpoints."""

from datetime import date

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.accounts import scope
from backend.common.api import ErrorSerializer, XlsxRenderer
from backend.common.xlsx import xlsx_response

from . import exports, selectors, services
from .models import Lecture
from .serializers import (
    HeartbeatSerializer,
    LectureDetailSerializer,
    LectureListSerializer,
    LectureReportSerializer,
    ProgressSerializer,
    ReadingItemSerializer,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def parse_month(value: str | None) -> date | None:
    """``YYYY-MM`` → the first day of that month; 400 on anything else."""
    if not value:
        return None
    month = selectors.month_from_text(value)
    if month is None:
        raise ValidationError({"month": [_("Use the form YYYY-MM, e.g. 2026-03.")]})
    return month


def parse_id(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValidationError({name: [_("A whole number is expected.")]})
    return int(value)


def progress_data(lecture, progress) -> dict:
    return ProgressSerializer(
        ProgressSerializer.build(lecture, progress, settings.LECTURE_HEARTBEAT_SECONDS)
    ).data


@extend_schema(
    parameters=[
        OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
        OpenApiParameter("q", OpenApiTypes.STR, description="Search titles and texts."),
    ]
)
class LectureListView(generics.ListAPIView):
    """Published lectures, newest month first; ``completed`` is the caller's own."""

    serializer_class = LectureListSerializer

    def get_queryset(self):
        return selectors.lecture_list_for_user(
            user=self.request.user,
            month=parse_month(self.request.query_params.get("month")),
            query=self.request.query_params.get("q", "").strip()[:100],
        )


class LectureDetailView(APIView):
    """One lecture with its sanitised text, attachments, reading list and the caller's progress."""

    @extend_schema(responses={200: LectureDetailSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        lecture = selectors.lecture_for_user(user=request.user, pk=pk)
        return Response(
            LectureDetailSerializer(
                lecture, context={"heartbeat_seconds": settings.LECTURE_HEARTBEAT_SECONDS}
            ).data
        )


def _published_lecture(pk: int) -> Lecture:
    return get_object_or_404(Lecture.objects.published(), pk=pk)


class HeartbeatView(APIView):
    """Sent by the lecture page while it is visible; the server counts the time."""

    @extend_schema(request=HeartbeatSerializer, responses=ProgressSerializer)
    def post(self, request, pk: int):
        data = HeartbeatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lecture = _published_lecture(pk)
        progress = services.lecture_heartbeat(
            member=request.user, lecture=lecture, reached_end=data.validated_data["reached_end"]
        )
        return Response(progress_data(lecture, progress))


class CompleteView(APIView):
    """Mark the lecture done; 409 with the minutes still to study before the minimum time."""

    @extend_schema(request=None, responses={200: ProgressSerializer, 409: ErrorSerializer})
    def post(self, request, pk: int):
        lecture = _published_lecture(pk)
        try:
            progress = services.lecture_mark_done(member=request.user, lecture=lecture)
        except services.StudyError as exc:
            raise Conflict(str(exc)) from None
        return Response(progress_data(lecture, progress))


class ReadingCheckView(APIView):
    """PUT checks a reading item off, DELETE undoes it."""

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def put(self, request, pk: int):
        item = selectors.reading_item_for_user(user=request.user, pk=pk)
        services.reading_item_check(member=request.user, item=item)
        return Response({"id": item.pk, "checked": True})

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def delete(self, request, pk: int):
        item = selectors.reading_item_for_user(user=request.user, pk=pk)
        services.reading_item_uncheck(member=request.user, item=item)
        return Response({"id": item.pk, "checked": False})


@extend_schema(
    parameters=[
        OpenApiParameter("branch", OpenApiTypes.INT, description="Only this branch."),
        OpenApiParameter("unit", OpenApiTypes.INT, description="Only this unit."),
        OpenApiParameter(
            "format", OpenApiTypes.STR, enum=["json", "xlsx"], description="xlsx: a spreadsheet"
        ),
    ],
    responses={
        200: LectureReportSerializer,
        403: ErrorSerializer,
        404: OpenApiResponse(ErrorSerializer, description="lecture, branch or unit not visible"),
    },
)
class LectureReportView(APIView):
    """Who in the caller's branch/unit/city has completed the lecture, who has not."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    def get(self, request, pk: int):
        if not scope.can_view_study_reports(request.user):
            raise PermissionDenied(_("Only secretaries and admins see study reports."))
        report = selectors.lecture_report(
            user=request.user,
            lecture=_published_lecture(pk),
            branch_id=parse_id(request, "branch"),
            unit_id=parse_id(request, "unit"),
        )
        if request.accepted_renderer.format == XlsxRenderer.format:
            return report_download(report)
        return Response(LectureReportSerializer(report).data)


def report_download(report):
    scope_name = report.branch.name if report.branch else report.unit.name if report.unit else ""
    name = f"学习情况-{report.lecture.month:%Y-%m}-{scope_name or '全部'}.xlsx"
    return xlsx_response(exports.lecture_report_xlsx(report), name)


class StudyOverviewSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    lectures = LectureListSerializer(many=True)
    lectures_done = serializers.IntegerField()
    required_items = serializers.IntegerField()
    required_done = serializers.IntegerField()
    reading_items = serializers.SerializerMethodField()

    def get_reading_items(self, overview) -> ReadingItemSerializer(many=True):
        items = [
            item
            for lecture in overview.lectures
            if getattr(lecture, "reading_list", None) is not None
            and lecture.reading_list.is_published
            for item in lecture.reading_list.items.all()
        ] + [item for rl in overview.standing_lists for item in rl.items.all()]
        return ReadingItemSerializer(items, many=True).data


class MyStudyView(APIView):
    """My study for a month (default: this one): its lectures and reading, what is done."""

    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM")],
        responses=StudyOverviewSerializer,
    )
    def get(self, request):
        month = parse_month(request.query_params.get("month")) or timezone.localdate().replace(
            day=1
        )
        overview = selectors.study_overview(user=request.user, month=month)
        return Response(StudyOverviewSerializer(overview).data)
