"""
The leave and make-up API:

- ``POST /api/v1/sessions/{id}/leave/`` ``{reason}``: 201 ``{id, status}``; asking
  again answers 200 with the existing request (unchanged). 409 ``started`` /
  ``cancelled``, 403 ``not_expected``, 404 for a session the caller cannot see.
- ``DELETE /api/v1/sessions/{id}/leave/``: withdraw a pending request before the
  start (204); 409 ``decided`` / ``started``; 404 when there is none.
- ``GET /api/v1/leave/?status=pending``: requests in the sessions the caller manages.
- ``PUT /api/v1/leave/{id}/`` ``{approved}``: 200 ``{id, status}``; 404 unless the
  caller may see the request, 403 ``not_allowed`` for its own member.
- ``GET /api/v1/me/makeup/``: the caller's make-up tasks with their items.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer

from . import leave as leave_services
from . import makeup
from .errors import OrglifeError, Refused
from .models import LeaveRequest, LeaveStatus
from .scope import sessions_visible_to


class LeaveAskSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=leave_services.REASON_MAX)


class LeaveStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LeaveStatus.choices)


class LeaveDecideSerializer(serializers.Serializer):
    approved = serializers.BooleanField()


class LeaveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    member = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()

    def get_member(self, obj: LeaveRequest) -> dict:
        branch = obj.member.branch
        return {
            "id": obj.member_id,
            "name": obj.member.name,
            "branch": branch.name if branch else None,
        }

    def get_session(self, obj: LeaveRequest) -> dict:
        return {
            "id": obj.session_id,
            "title": obj.session.title,
            "starts_at": obj.session.starts_at,
        }


class MakeupItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["record", "lecture", "reading", "quiz"])
    title = serializers.CharField()
    done = serializers.BooleanField()
    url = serializers.CharField(help_text="where to do it")


class MakeupTaskSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="task.session_id")
    title = serializers.CharField(source="task.session.title")
    starts_at = serializers.DateTimeField(source="task.session.starts_at")
    status = serializers.CharField(source="task.status", help_text="open | done")
    on_leave = serializers.BooleanField(source="task.on_leave")
    done_at = serializers.DateTimeField(source="task.done_at", allow_null=True)
    items = MakeupItemSerializer(many=True)


def _visible_session(user, pk: int):
    session = sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise NotFound(_("No such session."))
    return session


class SessionLeaveView(APIView):
    @extend_schema(
        request=LeaveAskSerializer,
        responses={
            201: LeaveStateSerializer,
            200: LeaveStateSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, pk):
        session = _visible_session(request.user, pk)
        body = LeaveAskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            asked = leave_services.leave_request(
                member=request.user, session=session, reason=body.validated_data["reason"]
            )
        except OrglifeError as exc:
            raise Refused(exc) from None
        return Response(
            LeaveStateSerializer(asked.leave).data,
            status=status.HTTP_201_CREATED if asked.created else status.HTTP_200_OK,
        )

    @extend_schema(responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer})
    def delete(self, request, pk):
        session = _visible_session(request.user, pk)
        leave = LeaveRequest.objects.filter(session=session, member=request.user).first()
        if leave is None:
            raise NotFound(_("No such leave request."))
        try:
            leave_services.leave_withdraw(member=request.user, leave=leave)
        except OrglifeError as exc:
            raise Refused(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeaveListView(APIView):
    """Leave requests in the sessions the caller manages (the approval page's list)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=[s.value for s in LeaveStatus], required=False
            )
        ],
        responses={200: LeaveSerializer(many=True)},
    )
    def get(self, request):
        wanted = request.query_params.get("status")
        requests = leave_services.leave_requests_decidable_by(request.user)
        if wanted:
            if wanted not in LeaveStatus.values:
                raise ValidationError({"status": [_("Use pending, approved or declined.")]})
            requests = requests.filter(status=wanted)
        requests = requests.order_by("session__starts_at", "created_at", "id")[:500]
        return Response(LeaveSerializer(requests, many=True).data)


class LeaveDecideView(APIView):
    @extend_schema(
        request=LeaveDecideSerializer,
        responses={200: LeaveStateSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def put(self, request, pk):
        leave, may_decide = leave_services.leave_request_for(request.user, pk)
        if leave is None:
            raise NotFound(_("No such leave request."))
        if not may_decide:
            error = OrglifeError(_("Only the secretary decides on leave."), "not_allowed", 403)
            raise Refused(error)
        body = LeaveDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        leave = leave_services.leave_decide(
            by=request.user, leave=leave, approved=body.validated_data["approved"]
        )
        return Response(LeaveStateSerializer(leave).data)


class MyMakeupView(APIView):
    """My make-up tasks (补学), open ones first; an item is done when the system saw it."""

    @extend_schema(responses={200: MakeupTaskSerializer(many=True)})
    def get(self, request):
        makeup.makeup_create_due()
        return Response(MakeupTaskSerializer(makeup.makeup_tasks_for(request.user), many=True).data)
