"""``GET /api/v1/quizzes/{id}/results/``: a quiz's results per person in the
caller's scope (``quizzes.results``); ``?format=xlsx`` the same as a workbook."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.accounts import scope
from backend.common.api import ErrorSerializer, XlsxRenderer
from backend.common.xlsx import XLSX_CONTENT_TYPE, xlsx_response

from . import results


def branch_param(request) -> int | None:
    value = request.query_params.get("branch") or request.GET.get("branch")
    if not value:
        return None
    if not str(value).isdigit():
        raise ValidationError({"branch": [_("A whole number is expected.")]})
    return int(value)


def reportable_quiz(user, pk: int):
    """The quiz if the user may read its results: 403 for a member, 404 for a quiz
    outside the user's scope."""
    if not scope.can_view_study_reports(user):
        raise PermissionDenied(_("Only secretaries and admins see the results of others."))
    return get_object_or_404(results.quizzes_reportable_to(user), pk=pk)


_PERSON = {
    "member": inline_serializer(
        "ResultMember",
        {
            "id": serializers.IntegerField(),
            "name": serializers.CharField(),
            "username": serializers.CharField(),
        },
    ),
    "branch": serializers.CharField(),
    "unit": serializers.CharField(),
}

QuizResultsSerializer = inline_serializer(
    "QuizResults",
    {
        "quiz": inline_serializer(
            "QuizResultsQuiz",
            {
                "id": serializers.IntegerField(),
                "title": serializers.CharField(),
                "purpose": serializers.CharField(),
                "pass_percent": serializers.IntegerField(),
                "max_attempts": serializers.IntegerField(allow_null=True),
                "opens_at": serializers.DateTimeField(allow_null=True),
                "closes_at": serializers.DateTimeField(allow_null=True),
            },
        ),
        "expected": serializers.IntegerField(),
        "taken": serializers.IntegerField(),
        "passed": serializers.IntegerField(),
        "results": inline_serializer(
            "QuizResultRow",
            {
                **_PERSON,
                "best_score": serializers.FloatField(),
                "max_score": serializers.FloatField(),
                "percent": serializers.FloatField(),
                "attempts": serializers.IntegerField(),
                "passed": serializers.BooleanField(),
                "seconds": serializers.IntegerField(allow_null=True),
                "finished_at": serializers.DateTimeField(allow_null=True),
            },
            many=True,
        ),
        "not_taken": inline_serializer(
            "QuizNotTakenRow",
            {**_PERSON, "in_progress": serializers.BooleanField()},
            many=True,
        ),
    },
)


class QuizResultsView(APIView):
    """Who in the caller's scope took the quiz (best score, attempts, seconds used on
    the best attempt, passed) and who has not; ``?branch=`` one branch of the scope;
    ``?format=xlsx`` the workbook. A member: 403; a quiz or branch outside the
    scope: 404."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"]),
            OpenApiParameter("branch", OpenApiTypes.INT, description="one branch of the scope"),
        ],
        responses={
            (200, "application/json"): QuizResultsSerializer,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request, pk: int):
        quiz = reportable_quiz(request.user, pk)
        report = results.quiz_results(user=request.user, quiz=quiz, branch_id=branch_param(request))
        if request.accepted_renderer.format == XlsxRenderer.format:
            return xlsx_response(results.results_xlsx(report), f"{quiz.title}-成绩单.xlsx")
        return Response(results.as_dict(report))
