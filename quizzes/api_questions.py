"""
The question API of the authoring pages (admins only): the question list the
quiz builder's fixed-paper picker reads, over the banks the caller may use for
papers, and a lecture's paragraphs for citing one in the question editor.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer, Pagination, query_bool
from courses.models import Lecture

from . import questions, scope
from .models import Question, QuestionKind


def _admins_only(request) -> None:
    if not scope.can_manage_banks(request.user):
        raise PermissionDenied(_("Only admins manage question banks."))


class QuestionRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "bank",
            "kind",
            "stem",
            "options",
            "difficulty",
            "category",
            "tags",
            "source",
            "lecture",
            "passage",
            "is_active",
        ]
        read_only_fields = fields


class QuestionPagination(Pagination):
    """20 a page; ``page_size`` up to 100 for pickers."""

    page_size_query_param = "page_size"
    max_page_size = 100


def _ids(text: str, name: str) -> list[int]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise ValidationError({name: [_("Give bank ids separated by commas, e.g. 1,2.")]})
    return [int(part) for part in parts]


class QuestionListView(generics.ListAPIView):
    """Questions of the banks the caller may use for papers (``banks_usable_by``),
    filtered like the question list page; no answer keys. Admins only."""

    serializer_class = QuestionRowSerializer
    pagination_class = QuestionPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("banks", str, description="bank ids, e.g. 1,2 (default: all usable)"),
            OpenApiParameter("q", str, description="in the stem, explanation or source"),
            OpenApiParameter("category", str),
            OpenApiParameter("kind", str, enum=QuestionKind.values),
            OpenApiParameter("difficulty", int, description="1 to 5"),
            OpenApiParameter("tag", str),
            OpenApiParameter("active", OpenApiTypes.BOOL),
            OpenApiParameter("cited", OpenApiTypes.BOOL, description="cites a lecture"),
            OpenApiParameter("page_size", int, description="up to 100"),
        ],
        responses={
            200: QuestionRowSerializer(many=True),
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _admins_only(self.request)
        params = self.request.query_params
        banks = usable = scope.banks_usable_by(self.request.user)
        if params.get("banks"):
            banks = usable.filter(pk__in=_ids(params["banks"], "banks"))
        kind = params.get("kind", "")
        if kind and kind not in QuestionKind.values:
            raise ValidationError({"kind": [_("Unknown kind of question.")]})
        difficulty = params.get("difficulty", "")
        if difficulty and difficulty not in {"1", "2", "3", "4", "5"}:
            raise ValidationError({"difficulty": [_("Difficulty is a whole number from 1 to 5.")]})
        active = query_bool(self.request, "active") if "active" in params else None
        cited = query_bool(self.request, "cited") if "cited" in params else None
        return questions.questions_filtered(
            Question.objects.filter(bank__in=banks).order_by("bank_id", "id"),
            q=params.get("q", "").strip()[:100],
            category=params.get("category", "")[:50],
            kind=kind,
            difficulty=int(difficulty) if difficulty else None,
            tag=params.get("tag", "").strip()[:30],
            active=active,
            cited=cited,
        )


class PassageSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    text = serializers.CharField()


class LecturePassagesView(APIView):
    """A lecture's paragraphs ``[{n, text}]`` (n from 1, the n-th ``<p>`` of its
    text), for citing one in the question editor. Admins only."""

    @extend_schema(
        responses={200: PassageSerializer(many=True), 403: ErrorSerializer, 404: ErrorSerializer}
    )
    def get(self, request, pk: int):
        _admins_only(request)
        lecture = get_object_or_404(Lecture.objects.only("id", "body_html"), pk=pk)
        return Response(questions.lecture_passages(lecture.body_html))
