"""
The paper API for the rule editor (组卷): check drawing rules against banks as the
admin types, what the banks offer for the rule selects, and publishing a paper
(refused with 409 ``unfillable`` when its banks cannot fill it). Unit and city
admins only; banks are those the caller may use for papers
(``scope.banks_usable_by``), quizzes those the caller manages.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer

from . import papers, scope
from .api import refuse
from .models import QuestionBank
from .rules import MAX_RULES

MAX_BANKS = 50


def _require_author(user) -> None:
    if not scope.can_manage_banks(user):
        raise PermissionDenied(_("Only unit and city admins build papers."))


def usable_banks(user, ids: list[int]) -> list[QuestionBank]:
    """The banks ``ids`` if the user may build papers from every one of them."""
    found = list(scope.banks_usable_by(user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"banks": [_("Choose banks you may use.")]})
    return found


class PaperCheckInput(serializers.Serializer):
    banks = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=MAX_BANKS)
    rules = serializers.JSONField(
        help_text="the drawing rules (Quiz.rules, version 1); each rule is checked on its own"
    )


class RuleResultSerializer(serializers.Serializer):
    available = serializers.IntegerField(help_text="active questions of the banks it matches")
    problem = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(child=serializers.CharField(), help_text="field → message")
    code = serializers.CharField(
        allow_blank=True,
        help_text="invalid, unknown_category, unknown_tag, none, too_few, shared, or empty",
    )


class PaperCheckSerializer(serializers.Serializer):
    rules = RuleResultSerializer(many=True)
    feasible = serializers.BooleanField()
    problem = serializers.CharField(allow_blank=True)
    total_questions = serializers.IntegerField()
    total_points = serializers.IntegerField()


class FacetSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    categories = FacetSerializer(many=True)
    tags = FacetSerializer(many=True)
    kinds = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="kind → difficulty (1–5) → active questions",
    )


class PaperStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    purpose = serializers.CharField()


class PaperCheckView(APIView):
    """Can these banks fill these rules? Per rule the questions it can draw from and
    its problem; overall ``feasible`` and the first ``problem``."""

    @extend_schema(
        request=PaperCheckInput,
        responses={200: PaperCheckSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request):
        _require_author(request.user)
        data = PaperCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        rules = data.validated_data["rules"]
        if isinstance(rules, list) and len(rules) > MAX_RULES:
            raise ValidationError(
                {"rules": [_("A paper has at most %(max)d rules.") % {"max": MAX_RULES}]}
            )
        banks = usable_banks(request.user, data.validated_data["banks"])
        check = papers.rules_check(banks=banks, rules=rules)
        return Response(PaperCheckSerializer(check).data)


class PaperFacetsView(APIView):
    """What the banks' active questions offer the rule editor: categories and tags
    with counts, and counts by kind and difficulty."""

    @extend_schema(
        parameters=[
            OpenApiParameter("banks", OpenApiTypes.STR, description="bank ids, comma-separated")
        ],
        responses={200: FacetsSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        _require_author(request.user)
        raw = [part.strip() for part in request.query_params.get("banks", "").split(",")]
        raw = [part for part in raw if part]
        if not all(part.isdigit() for part in raw) or len(raw) > MAX_BANKS:
            raise ValidationError({"banks": [_("Give bank ids separated by commas.")]})
        banks = usable_banks(request.user, [int(part) for part in raw])
        return Response(FacetsSerializer(papers.facets(banks=banks)).data)


class QuizPublishView(APIView):
    """Publish a paper; 409 ``unfillable`` (nothing changed) when its banks cannot
    fill it."""

    publish = True

    @extend_schema(
        request=None,
        responses={
            200: PaperStatusSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, pk: int):
        _require_author(request.user)
        quiz = get_object_or_404(scope.quizzes_manageable_by(request.user), pk=pk)
        action = papers.quiz_publish if self.publish else papers.quiz_unpublish
        try:
            quiz = action(quiz=quiz, user=request.user)
        except papers.PaperError as error:
            refuse(error)
        return Response(PaperStatusSerializer(quiz).data)


class QuizUnpublishView(QuizPublishView):
    """Take a paper back to a draft: members no longer see it."""

    publish = False
