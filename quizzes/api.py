"""The quiz and practice API (PROTOCOL.md: /api/v1/quizzes/…, /api/v1/attempts/…)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer, XlsxRenderer, query_bool
from backend.common.xlsx import xlsx_response

from . import presenters, scope, selectors, services, statistics
from .models import QuizStatus
from .serializers import (
    AnswerSerializer,
    AttemptSerializer,
    CategorySerializer,
    MistakeSerializer,
    QuizSerializer,
    SavedAnswerSerializer,
    SpecialPracticeSerializer,
    SubmitSerializer,
)

STATUS_FOR_CODE = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "not_open": status.HTTP_403_FORBIDDEN,
    "invalid": status.HTTP_400_BAD_REQUEST,
}


class QuizRefused(APIException):
    """A ``services.QuizError`` as an API error: ``{detail, code}``."""

    def __init__(self, error: services.QuizError):
        self.status_code = STATUS_FOR_CODE.get(error.code, status.HTTP_409_CONFLICT)
        super().__init__(detail=str(error), code=error.code)


def refuse(error: services.QuizError):
    raise QuizRefused(error) from None


def attempt_response(attempt, status_code=status.HTTP_200_OK) -> Response:
    attempt = selectors.attempt_for_member(member=attempt.member, pk=attempt.pk)
    return Response(
        AttemptSerializer(presenters.attempt_payload(attempt, attempt.loaded_items)).data,
        status=status_code,
    )


class QuizListView(generics.ListAPIView):
    """Published quizzes the caller may take now; with ``?host=1``, instead the
    quizzes the caller may hold a live contest with (``contests.scope``; the same
    list as the ``/contests/`` forms), newest first."""

    serializer_class = QuizSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "host",
                OpenApiTypes.BOOL,
                description="the quizzes the caller may host in a live contest",
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if query_bool(self.request, "host"):
            # The hosting rule belongs to contests, which builds on quizzes.
            from contests.scope import quizzes_hostable_by

            return selectors.with_attempts_used(quizzes_hostable_by(user), member=user)
        return selectors.quizzes_for_member(member=user)


class QuizAttemptView(APIView):
    """Start an attempt (or get back the one in progress): questions without answers,
    and ``ends_at`` in server time."""

    @extend_schema(
        request=None,
        responses={
            201: AttemptSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, pk: int):
        # A published quiz addressed to the caller is found even outside its window,
        # so that a closed or not yet open one is a 403 ``not_open`` (from the
        # service), not a 404 like a quiz that is not the caller's.
        addressed = scope.quizzes_to_take(request.user).filter(status=QuizStatus.PUBLISHED)
        quiz = get_object_or_404(addressed, pk=pk)
        try:
            attempt = services.attempt_start(member=request.user, quiz=quiz)
        except services.QuizError as error:
            refuse(error)
        return attempt_response(attempt, status.HTTP_201_CREATED)


class AttemptDetailView(APIView):
    """The attempt as it stands: questions, saved answers, and results where final."""

    @extend_schema(responses={200: AttemptSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        attempt = selectors.attempt_for_member(member=request.user, pk=pk)
        return Response(
            AttemptSerializer(presenters.attempt_payload(attempt, attempt.loaded_items)).data
        )


class AnswerView(APIView):
    """Save one answer (autosave, idempotent). 409 once the attempt is closed or the
    deadline has passed (``code``: ``closed``/``late``); in practice the reply
    carries the verdict."""

    @extend_schema(
        request=AnswerSerializer,
        responses={200: SavedAnswerSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def put(self, request, pk: int, question_id: int):
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = services.answer_save(
                attempt_id=pk,
                member=request.user,
                question_id=question_id,
                data=data.validated_data,
            )
        except services.QuizError as error:
            refuse(error)
        payload = {
            "question": item.question_id,
            "saved": True,
            "saved_at": item.saved_at,
            "attempt_status": item.attempt.status,
        }
        if item.attempt.is_practice:
            payload["result"] = presenters.result_payload(item)
        return Response(SavedAnswerSerializer(payload).data)


class SubmitView(APIView):
    """Submit and grade; 409 when already submitted (of two submits, one wins)."""

    @extend_schema(request=None, responses={200: SubmitSerializer, 409: ErrorSerializer})
    def post(self, request, pk: int):
        try:
            services.attempt_submit(attempt_id=pk, member=request.user)
        except services.QuizError as error:
            refuse(error)
        attempt = selectors.attempt_for_member(member=request.user, pk=pk)
        return Response(
            SubmitSerializer(presenters.submit_payload(attempt, attempt.loaded_items)).data
        )


class DailyPracticeView(APIView):
    """Today's practice (每日答题): five questions, the same all day."""

    @extend_schema(request=None, responses={200: AttemptSerializer, 409: ErrorSerializer})
    def post(self, request):
        try:
            attempt = services.daily_practice_start(member=request.user)
        except services.QuizError as error:
            refuse(error)
        return attempt_response(attempt)


class SpecialPracticeView(APIView):
    """Practice one category (专项练习)."""

    @extend_schema(
        request=SpecialPracticeSerializer,
        responses={201: AttemptSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        data = SpecialPracticeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attempt = services.special_practice_start(
                member=request.user, category=data.validated_data["category"]
            )
        except services.QuizError as error:
            refuse(error)
        return attempt_response(attempt, status.HTTP_201_CREATED)


class MistakesPracticeView(APIView):
    """Practise the open mistakes of the notebook (错题本)."""

    @extend_schema(request=None, responses={201: AttemptSerializer, 409: ErrorSerializer})
    def post(self, request):
        try:
            attempt = services.mistakes_practice_start(member=request.user)
        except services.QuizError as error:
            refuse(error)
        return attempt_response(attempt, status.HTTP_201_CREATED)


class CategoryListView(APIView):
    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        return Response(
            CategorySerializer(selectors.practice_categories(member=request.user), many=True).data
        )


@extend_schema(
    parameters=[OpenApiParameter("all", OpenApiTypes.BOOL, description="include resolved ones")]
)
class MistakeListView(generics.ListAPIView):
    """My mistakes notebook: open mistakes (with the answer and explanation)."""

    serializer_class = MistakeSerializer

    def get_queryset(self):
        return selectors.mistakes_for_member(
            member=self.request.user,
            include_resolved=query_bool(self.request, "all"),
        )


class OptionStatisticsSerializer(serializers.Serializer):
    """One option of a choice question in the quiz statistics."""

    key = serializers.CharField(help_text="the bank's letter (A…H), or true/false")
    text = serializers.CharField()
    correct = serializers.BooleanField()
    chosen = serializers.IntegerField(help_text="closed attempts that chose it")
    upper = serializers.IntegerField(help_text="of those, in the question's upper group")
    lower = serializers.IntegerField(help_text="of those, in the question's lower group")
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="unchosen: a wrong option nobody picks; upper_picks_wrong: a wrong option "
        "the upper group picks at least as often as the lower group; lower_picks_key: a "
        "correct option the lower group picks more often (upper and lower: the question's "
        "top and bottom 27 % by score, as for the discrimination index)",
    )


class QuestionStatisticsSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    stem = serializers.CharField()
    category = serializers.CharField()
    answered = serializers.IntegerField()
    facility = serializers.FloatField(allow_null=True)
    discrimination = serializers.FloatField(allow_null=True)
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="too_easy, too_hard, negative_discrimination",
    )
    group_size = serializers.IntegerField(
        help_text="attempts in each of the upper and lower groups (0 below 4 attempts)"
    )
    omitted = serializers.IntegerField(help_text="attempts that chose no option")
    options = OptionStatisticsSerializer(many=True, help_text="empty for fill-in questions")


class ScoreBandSerializer(serializers.Serializer):
    band = serializers.CharField()
    count = serializers.IntegerField()


class QuizStatisticsSerializer(serializers.Serializer):
    quiz = serializers.IntegerField()
    attempts = serializers.IntegerField()
    mean_percent = serializers.FloatField(allow_null=True)
    pass_rate = serializers.FloatField(allow_null=True)
    distribution = ScoreBandSerializer(many=True)
    questions = QuestionStatisticsSerializer(many=True)


class QuizStatisticsView(APIView):
    """Per question facility, discrimination and the options chosen (by the upper
    and lower groups, with flags), the score distribution (admins); also as .xlsx."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"])],
        responses={200: QuizStatisticsSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk: int):
        quiz = get_object_or_404(scope.quizzes_manageable_by(request.user), pk=pk)
        report = statistics.quiz_statistics(quiz=quiz)
        if request.accepted_renderer.format == XlsxRenderer.format:
            return xlsx_response(statistics.statistics_xlsx(report), f"{quiz.title}-统计.xlsx")
        return Response(QuizStatisticsSerializer(statistics.as_dict(report)).data)
