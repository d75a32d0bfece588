"""学完测一测 over the API: ``POST /api/v1/lectures/{id}/practice/`` starts a practice
of the questions citing the lecture (``services.lecture_practice_start``)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer
from courses.models import Lecture

from . import services
from .api import attempt_response, refuse
from .serializers import AttemptSerializer


class LecturePracticeView(APIView):
    """Practise the questions citing a lecture (up to ten; feedback after each
    answer). 409 ``no_questions`` when none the caller may practise cites it; 404 for
    an unknown or unpublished lecture. A practice of the lecture still open is
    returned again."""

    @extend_schema(
        request=None,
        responses={201: AttemptSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, pk: int):
        lecture = get_object_or_404(Lecture.objects.published().only("pk"), pk=pk)
        try:
            attempt = services.lecture_practice_start(member=request.user, lecture=lecture)
        except services.QuizError as error:
            refuse(error)
        return attempt_response(attempt, status.HTTP_201_CREATED)
