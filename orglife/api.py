"""
The organisational-life API: sessions (schedule, list, read). Check-in, leave and
make-up, the record and compliance have their own modules (``api_*.py``); all
of them are routed in ``orglife/api_urls.py``.
"""

from datetime import datetime, time

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer
from courses.models import Lecture

from . import scope, selectors, services
from .errors import Refused
from .models import PartyGroup, SessionKind


class SessionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    branch = serializers.IntegerField(required=False, help_text="for a branch's session")
    unit = serializers.IntegerField(
        required=False, help_text="for a lecture in the hall: the unit (empty: the city)"
    )
    group = serializers.IntegerField(required=False, help_text="for a 党小组会")
    title = serializers.CharField(max_length=120)
    topic = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, help_text="default: two hours later")
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    lecture = serializers.IntegerField(required=False, help_text="the lecture studied")


class SessionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    expected = serializers.IntegerField(help_text="how many people are expected")


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_name = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    topic = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    status = serializers.CharField()
    branch = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    host = serializers.CharField(source="host.name")
    lecture = serializers.IntegerField(source="lecture_id", allow_null=True)
    expected = serializers.IntegerField(source="expected_count")
    present = serializers.IntegerField(source="present_count")
    signed = serializers.BooleanField(help_text="the record is signed off")

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_branch(self, obj):
        return {"id": obj.branch_id, "name": obj.branch.name} if obj.branch_id else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_unit(self, obj):
        return {"id": obj.unit_id, "name": obj.unit.name} if obj.unit_id else None


def _bound(value: str, name: str, end: bool) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValidationError({name: [_("Use a date such as 2026-11-30.")]})
        parsed = datetime.combine(day, time.max if end else time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class SessionListView(APIView):
    """Sessions the caller may see (``from``/``to``: dates or times; ``branch``);
    secretaries and admins schedule them (a member gets 403, a branch or unit
    outside the caller's reach 404)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="2026-11-01"),
            OpenApiParameter("to", OpenApiTypes.STR, description="2026-11-30"),
            OpenApiParameter("branch", OpenApiTypes.INT),
        ],
        responses={200: SessionSerializer(many=True)},
    )
    def get(self, request):
        params = request.query_params
        start = _bound(params["from"], "from", end=False) if params.get("from") else None
        end = _bound(params["to"], "to", end=True) if params.get("to") else None
        branch = params.get("branch")
        if branch is not None and not branch.isdigit():
            raise ValidationError({"branch": [_("A branch is given by its number.")]})
        sessions = selectors.sessions_for(
            request.user, start=start, end=end, branch_id=int(branch) if branch else None
        )
        return Response(SessionSerializer(sessions, many=True).data)

    @extend_schema(
        request=SessionCreateSerializer,
        responses={201: SessionCreatedSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request):
        user = request.user
        if not scope.can_schedule(user):
            raise PermissionDenied(_("Only secretaries and admins schedule sessions."))
        body = SessionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kind = data["kind"]
        branch = unit = group = lecture = None
        if kind == SessionKind.HALL_LECTURE:
            if data.get("unit") is not None:
                unit = get_object_or_404(scope.units_schedulable_by(user), pk=data["unit"])
            elif not scope.can_hold_city_lecture(user):
                if not scope.units_schedulable_by(user).exists():
                    raise PermissionDenied(
                        _("Only unit and city admins hold lectures in the hall.")
                    )
                raise ValidationError({"unit": [_("Choose the unit the lecture is for.")]})
        else:
            branch_id = data.get("branch")
            if branch_id is None:
                if getattr(user, "branch_id", None) is None or user.role != "secretary":
                    raise ValidationError({"branch": [_("Choose the branch.")]})
                branch_id = user.branch_id
            branch = get_object_or_404(scope.branches_schedulable_by(user), pk=branch_id)
            if data.get("group") is not None:
                group = get_object_or_404(
                    PartyGroup.objects.filter(branch=branch), pk=data["group"]
                )
        if data.get("lecture") is not None:
            lecture = Lecture.objects.filter(pk=data["lecture"]).first()
            if lecture is None:
                raise ValidationError({"lecture": [_("No such lecture.")]})
        try:
            session = services.session_create(
                by=user,
                data=services.SessionInput(
                    kind=kind,
                    title=data["title"],
                    topic=data["topic"],
                    starts_at=data["starts_at"],
                    ends_at=data.get("ends_at"),
                    place=data["place"],
                    branch=branch,
                    unit=unit,
                    group=group,
                    lecture=lecture,
                ),
            )
        except services.SessionError as exc:
            raise Refused(exc) from None
        body = {
            "id": session.pk,
            "kind": session.kind,
            "title": session.title,
            "starts_at": session.starts_at,
            "expected": session.attendance.filter(expected=True).count(),
        }
        return Response(SessionCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    @extend_schema(responses={200: SessionSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        session = selectors.sessions_for(request.user).filter(pk=pk).first()
        if session is None:
            raise NotFound(_("No such session."))
        return Response(SessionSerializer(session).data)
