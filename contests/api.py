"""The contests API (PROTOCOL.md: POST /api/v1/contests/, GET /api/v1/contests/{id}/results/)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.accounts import scope
from backend.common.api import ErrorSerializer, XlsxRenderer
from backend.common.xlsx import xlsx_response
from quizzes.models import Quiz

from . import exports, selectors, services
from .models import Contest, ContestFormat
from .scope import HostingRefused


class StageTeamSerializer(serializers.Serializer):
    branch = serializers.IntegerField(required=False, help_text="a branch the host may see")
    name = serializers.CharField(
        max_length=100, required=False, help_text="an ad-hoc team; a branch team's default"
    )
    mode = serializers.ChoiceField(choices=["captain", "members"], default="captain")


class StageRoundSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(services.STAGE_ROUND_TITLES))
    count = serializers.IntegerField(min_value=1, max_value=50)
    title = serializers.CharField(max_length=40, required=False)
    rules = serializers.DictField(required=False, help_text="over the defaults of the format")


class ContestCreateSerializer(serializers.Serializer):
    quiz = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=ContestFormat.choices, default=ContestFormat.CLASSIC)
    allow_guests = serializers.BooleanField(default=False)
    question_on_screen_only = serializers.BooleanField(default=False)
    seconds_per_question = serializers.IntegerField(default=20, min_value=5, max_value=300)
    points_per_question = serializers.IntegerField(default=1000, min_value=1, max_value=10000)
    # on stage (mode "stage") only
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    teams = StageTeamSerializer(many=True, required=False)
    rounds = StageRoundSerializer(many=True, required=False)
    base = serializers.IntegerField(default=100, min_value=0, max_value=10000)
    reserve = serializers.IntegerField(default=3, min_value=0, max_value=20)

    def validate(self, attrs):
        if attrs["mode"] == ContestFormat.STAGE and not (
            attrs.get("teams") and attrs.get("rounds")
        ):
            raise serializers.ValidationError(_("An on-stage contest needs teams and rounds."))
        return attrs


class ContestCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pin = serializers.CharField()
    join_url = serializers.CharField()
    ws_url = serializers.CharField()


class RankingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField(allow_blank=True)
    score = serializers.IntegerField()
    correct = serializers.IntegerField(help_text="right answers")
    answered = serializers.IntegerField(help_text="questions answered")
    asked = serializers.IntegerField(help_text="questions asked (voided ones not counted)")
    guest = serializers.BooleanField(help_text="a guest's nickname, not a member's name")


class QuestionStatSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    question = serializers.IntegerField()
    answered = serializers.IntegerField()


class TeamRankSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.IntegerField()
    members = serializers.IntegerField(required=False, help_text="team format: the players")


class DecisionSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    at = serializers.IntegerField(help_text="server epoch ms")
    round = serializers.IntegerField()
    seq = serializers.IntegerField()
    team = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    result = serializers.CharField()
    delta = serializers.IntegerField()
    by = serializers.CharField()
    corrects = serializers.IntegerField(allow_null=True)


class ResultsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    format = serializers.CharField()
    asked = serializers.IntegerField(help_text="questions asked (voided ones not counted)")
    ranking = RankingSerializer(many=True)
    questions = QuestionStatSerializer(many=True)
    teams = TeamRankSerializer(
        many=True,
        required=False,
        help_text="team format: the branches as the live scoreboard ranks them; "
        "on stage: the teams' order",
    )
    decisions = DecisionSerializer(
        many=True, required=False, help_text="on stage: the judges' audit log"
    )


def visible_contests(user):
    """The host's own contests; admins see those of their scope."""
    if scope.is_city_admin(user):
        return Contest.objects.all()
    return Contest.objects.filter(Q(host=user) | Q(host__in=scope.members_manageable_by(user)))


def hosting_refused(exc: HostingRefused) -> Response:
    return Response({"detail": str(exc), "code": exc.code}, status=status.HTTP_403_FORBIDDEN)


class ContestCreateView(APIView):
    """Open a contest room from a quiz: only a secretary or an admin, and only with a
    quiz the host may use (``contests.scope``: ``GET /api/v1/quizzes/?host=1`` lists
    them); otherwise 403 ``{detail, code}``, ``code`` ``quiz_out_of_scope`` or
    ``quiz_open_as_exam``, and nothing is created."""

    @extend_schema(
        request=ContestCreateSerializer,
        responses={201: ContestCreatedSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request):
        if not services.can_host(request.user):
            raise PermissionDenied(_("Only secretaries and admins hold contests."))
        data = ContestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quiz = Quiz.objects.filter(pk=data.validated_data["quiz"], status="published").first()
        if quiz is None:
            raise ValidationError({"quiz": [_("There is no such published quiz.")]})
        options = data.validated_data
        try:  # the services refuse a quiz the host may not use (HostingRefused)
            if options["mode"] == ContestFormat.STAGE:
                contest = services.contest_create_stage(
                    host=request.user,
                    quiz=quiz,
                    title=options.get("title", ""),
                    teams=options["teams"],
                    rounds=options["rounds"],
                    base=options["base"],
                    reserve=options["reserve"],
                    allow_guests=options["allow_guests"],
                )
            else:
                contest = services.contest_create(
                    host=request.user,
                    quiz=quiz,
                    format=options["mode"],
                    allow_guests=options["allow_guests"],
                    question_on_screen_only=options["question_on_screen_only"],
                    seconds_per_question=options["seconds_per_question"],
                    points_per_question=options["points_per_question"],
                )
        except HostingRefused as exc:
            return hosting_refused(exc)
        except services.ContestError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        scheme = "wss" if request.is_secure() else "ws"
        body = {
            "id": contest.pk,
            "pin": contest.pin,
            "join_url": request.build_absolute_uri(f"/join/{contest.pin}/"),
            "ws_url": f"{scheme}://{request.get_host()}/ws/contests/{contest.pin}/",
        }
        return Response(ContestCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ContestResultsView(APIView):
    """The final ranking (score, right answers, answered, asked: voids and
    rescores applied, as the game's last scoreboard), the teams (team format,
    on stage) and, per question, how many answered; ``?format=xlsx``: players,
    questions and teams as a workbook with the same numbers."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"])],
        responses={200: ResultsSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk: int):
        contest = get_object_or_404(visible_contests(request.user), pk=pk)
        if request.accepted_renderer.format == XlsxRenderer.format:
            return xlsx_response(
                exports.contest_results_xlsx(contest), f"{contest.title}-成绩.xlsx"
            )
        questions = (
            contest.answers.values("seq", "question_id")
            .annotate(answered=Count("pk"))
            .order_by("seq")
        )
        results = selectors.contest_results(contest)
        body = {
            "id": contest.pk,
            "title": contest.title,
            "status": contest.status,
            "format": contest.format,
            "asked": results.asked,
            "ranking": [dict(vars(row), guest=row.guest) for row in results.ranking],
            "questions": [
                {"seq": q["seq"], "question": q["question_id"], "answered": q["answered"]}
                for q in questions
            ],
        }
        if contest.format == ContestFormat.TEAM:
            body["teams"] = [
                {"rank": t.rank, "name": t.name, "score": t.score, "members": t.members}
                for t in results.teams
            ]
        elif contest.format == ContestFormat.STAGE:
            body["teams"] = results.teams
            body["decisions"] = list(contest.decisions.values())
        return Response(ResultsSerializer(body).data)


class MyContestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    finished_at = serializers.DateTimeField()
    rank = serializers.IntegerField()
    score = serializers.IntegerField()
    correct = serializers.IntegerField(help_text="right answers")
    asked = serializers.IntegerField(help_text="questions asked (voided ones not counted)")
    answered = serializers.IntegerField(help_text="questions answered")


class MyContestsView(APIView):
    """The finished contests the caller played (as a member: guests have no
    account), newest first, with the own rank, score and right answers — the
    same numbers as the contest's results."""

    @extend_schema(responses={200: MyContestSerializer(many=True)})
    def get(self, request):
        played = selectors.contests_played_by(request.user)
        return Response(MyContestSerializer(played, many=True).data)
