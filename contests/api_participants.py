"""``GET /api/v1/contests/{id}/participants/``: who in the caller's scope joined a
contest (rank, score, right answers) and who did not (``contests.participants``);
``?format=xlsx`` the same as a workbook."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.accounts import scope
from backend.common.api import ErrorSerializer, XlsxRenderer
from backend.common.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from quizzes.api_results import branch_param

from . import participants


def reportable_contest(user, pk: int):
    """403 for a member; 404 for a contest outside the user's scope."""
    if not scope.can_view_study_reports(user):
        raise PermissionDenied(_("Only secretaries and admins see the results of others."))
    return get_object_or_404(
        participants.contests_reportable_to(user)
        .select_related("host", "quiz")
        .defer("snapshot", "snapshot_players", "snapshot_board"),
        pk=pk,
    )


_PERSON = {
    "member": inline_serializer(
        "ParticipantMember",
        {
            "id": serializers.IntegerField(),
            "name": serializers.CharField(),
            "username": serializers.CharField(),
        },
    ),
    "branch": serializers.CharField(),
    "unit": serializers.CharField(),
}

ParticipantsSerializer = inline_serializer(
    "ContestParticipants",
    {
        "contest": inline_serializer(
            "ContestParticipantsContest",
            {
                "id": serializers.IntegerField(),
                "title": serializers.CharField(),
                "format": serializers.CharField(),
                "status": serializers.CharField(),
                "finished_at": serializers.DateTimeField(allow_null=True),
                "host": serializers.CharField(),
            },
        ),
        "expected": serializers.IntegerField(),
        "joined": serializers.IntegerField(),
        "results": inline_serializer(
            "ContestParticipantRow",
            {
                **_PERSON,
                "rank": serializers.IntegerField(),
                "score": serializers.IntegerField(),
                "correct": serializers.IntegerField(),
                "answered": serializers.IntegerField(),
                "asked": serializers.IntegerField(),
            },
            many=True,
        ),
        "not_joined": inline_serializer("ContestNotJoinedRow", _PERSON, many=True),
    },
)


class ContestParticipantsView(APIView):
    """Who of the people in the caller's scope the contest was meant for joined it
    (rank, score, right answers, answered, asked) and who did not; ``?branch=`` one
    branch of the scope; ``?format=xlsx`` the workbook. A member: 403; a contest or
    branch outside the scope: 404."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"]),
            OpenApiParameter("branch", OpenApiTypes.INT, description="one branch of the scope"),
        ],
        responses={
            (200, "application/json"): ParticipantsSerializer,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request, pk: int):
        contest = reportable_contest(request.user, pk)
        report = participants.contest_people(
            user=request.user, contest=contest, branch_id=branch_param(request)
        )
        if request.accepted_renderer.format == XlsxRenderer.format:
            return xlsx_response(participants.people_xlsx(report), f"{contest.title}-参赛名单.xlsx")
        return Response(participants.as_dict(report))


urlpatterns = [
    path(
        "contests/<int:pk>/participants/",
        ContestParticipantsView.as_view(),
        name="contest-participants",
    ),
]
