from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer

from . import leaderboards, selectors
from .periods import RANKED_KINDS
from .serializers import PointEventSerializer


class MyPointEventsView(generics.ListAPIView):
    """The caller's points ledger, newest first."""

    serializer_class = PointEventSerializer

    def get_queryset(self):
        return selectors.point_events_for_member(member=self.request.user)


class LeaderboardRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: str, code: str):
        super().__init__(detail=detail, code=code)


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="ties share a rank (1, 1, 3)")
    id = serializers.IntegerField(required=False, help_text="a branch's or unit's id")
    name = serializers.CharField()
    branch = serializers.CharField(required=False, help_text="a member's branch")
    unit = serializers.CharField(required=False, help_text="a member's or branch's unit")
    points = serializers.FloatField(
        help_text="a member's points in the period; a group's average points per member"
    )
    members = serializers.IntegerField(required=False, help_text="a group's members")
    active_rate = serializers.FloatField(
        required=False, help_text="a group's share of members with points in the period, 0..1"
    )


class LeaderboardMeSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    points = serializers.FloatField()


class LeaderboardSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="the period's key: 2026-12, 2026-Q4, 2026 or all")
    results = LeaderboardRowSerializer(many=True)
    me = LeaderboardMeSerializer(
        required=False,
        help_text="the caller (of=members) or the caller's branch/unit, when ranked here",
    )


def _choice(request, name: str, choices, default: str) -> str:
    value = request.query_params.get(name, default)
    if value not in choices:
        raise LeaderboardRefused(
            _("Unknown value for %(name)s: choose one of %(choices)s.")
            % {"name": name, "choices": "、".join(choices)},
            "invalid_" + name,
        )
    return value


class LeaderboardView(APIView):
    """
    Members ranked in the caller's own branch, unit or the city by points in the
    running month, quarter, year or all time; or (``of``) branches of the caller's
    unit or the city, or the city's units, ranked by average points per member,
    then by the share of members active. Ties share a rank.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=["branch", "unit", "city"]),
            OpenApiParameter("period", str, enum=list(RANKED_KINDS)),
            OpenApiParameter("of", str, enum=["members", "branches", "units"]),
            OpenApiParameter("limit", int, description="rows returned, 1..200 (default 50)"),
        ],
        responses={200: LeaderboardSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        user = request.user
        scope = _choice(
            request, "scope", leaderboards.SCOPES, "branch" if user.branch_id else "city"
        )
        kind = _choice(request, "period", RANKED_KINDS, "month")
        of = _choice(request, "of", ("members", "branches", "units"), "members")
        try:
            limit = int(request.query_params.get("limit", 50))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 200:
            raise LeaderboardRefused(
                _("The limit must be a number from 1 to 200."), "invalid_limit"
            )
        if scope == "branch" and user.branch_id is None:
            raise LeaderboardRefused(_("You do not belong to a branch."), "no_branch")
        if scope == "unit" and user.unit_id is None:
            raise LeaderboardRefused(_("You do not belong to a unit."), "no_unit")
        if (of == "branches" and scope == "branch") or (of == "units" and scope != "city"):
            raise LeaderboardRefused(
                _("Branches are ranked in a unit or the city, units in the city."), "invalid_of"
            )
        key = leaderboards.period_key(kind, timezone.localdate())
        scope_id = {"branch": user.branch_id, "unit": user.unit_id, "city": None}[scope]
        data: dict = {"period": key}
        if of == "members":
            rows = leaderboards.member_ranking(scope, scope_id, key, limit=limit)
            data["results"] = [
                {
                    "rank": r.rank,
                    "name": r.name,
                    "branch": r.branch,
                    "unit": r.unit,
                    "points": r.points,
                }
                for r in rows
            ]
            if user.is_active and user.branch_id is not None:
                rank, points = leaderboards.member_rank(user, scope, scope_id, key)
                data["me"] = {"rank": rank, "points": points}
        else:
            within = user.unit_id if scope == "unit" else None
            rows = leaderboards.group_ranking(of, key, within_unit=within)
            data["results"] = [
                {
                    "rank": r.rank,
                    "id": r.id,
                    "name": r.name,
                    **({"unit": r.unit} if r.unit is not None else {}),
                    "points": r.points,
                    "members": r.members,
                    "active_rate": r.active_rate,
                }
                for r in rows[:limit]
            ]
            own = user.branch_id if of == "branches" else user.unit_id
            for r in rows:
                if r.id == own:
                    data["me"] = {"rank": r.rank, "points": r.points}
                    break
        return Response(data)
