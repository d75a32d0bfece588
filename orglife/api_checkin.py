"""
The check-in API: the rotating code for the host's screen, checking in with it,
and the attendance lists (with the host's manual check-in). The rules are in
``orglife.checkin``; these views parse, call and render.
"""

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import pgettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer

from . import checkin, scope
from .errors import OrglifeError, Refused
from .models import Session


def managed_session(user, pk: int) -> Session:
    """The session if ``user`` may manage it; 404 otherwise (they do not learn it exists)."""
    session = scope.sessions_manageable_by(user).filter(pk=pk).first()
    if session is None:
        raise NotFound(pgettext("check-in", "No such session."))
    return session


def checkin_url(request, code: str) -> str:
    return request.build_absolute_uri(f"/checkin/?c={code}")


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2)


class CheckinCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="the long code (in the QR's URL)")
    url = serializers.CharField(help_text="the address the QR code holds")
    short_code = serializers.CharField(help_text="six digits to type instead")
    expires_at = serializers.DateTimeField(help_text="refused from this moment")
    changes_at = serializers.DateTimeField(help_text="the next code is shown from here")
    server_now = serializers.DateTimeField(help_text="the server's clock: schedule by it")
    step_seconds = serializers.IntegerField()
    opens_at = serializers.DateTimeField(help_text="check-in opens")
    closes_at = serializers.DateTimeField(help_text="check-in closes (the session's end)")
    opens_time = serializers.CharField(help_text="when check-in opens, HH:MM local")
    present = serializers.IntegerField(help_text="expected people checked in")
    expected = serializers.IntegerField()
    qr_svg = serializers.CharField(required=False, help_text="with ?qr=svg: the QR as SVG")


class CheckinCodeView(APIView):
    """The code to show now (the host and whoever manages the session; others 404)."""

    @extend_schema(
        parameters=[OpenApiParameter("qr", OpenApiTypes.STR, description="svg")],
        responses={200: CheckinCodeSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk):
        session = managed_session(request.user, pk)
        now = timezone.now()
        code = checkin.checkin_code_for(session=session, now=now)
        counts = checkin.session_counts(session=session)
        url = checkin_url(request, code.code)
        body = {
            "code": code.code,
            "url": url,
            "short_code": code.short_code,
            "expires_at": code.expires_at,
            "changes_at": code.changes_at,
            "server_now": now,
            "step_seconds": settings.ORGLIFE_CODE_STEP_SECONDS,
            "opens_at": session.checkin_opens_at(),
            "closes_at": session.ends_at,
            "opens_time": f"{timezone.localtime(session.checkin_opens_at()):%H:%M}",
            **counts,
        }
        if request.query_params.get("qr") == "svg":
            body["qr_svg"] = qr_svg(url)
        return Response(CheckinCodeSerializer(body).data)


class CheckinInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=80, help_text="the long code or the six digits")


class CheckedInSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    title = serializers.CharField(source="session.title")
    checked_in_at = serializers.DateTimeField(source="attendance.checked_in_at")
    late = serializers.BooleanField()
    already = serializers.BooleanField(help_text="checked in before this call")
    guest = serializers.SerializerMethodField()

    def get_guest(self, obj) -> bool:
        return not obj.attendance.expected


class CheckinView(APIView):
    """
    Checks the caller in. 409 ``expired`` for an expired, forged or unknown
    code; 403 ``not_expected`` for someone not expected (at a lecture in the hall
    they are recorded as a guest instead); 429 ``throttled`` after too many wrong
    codes. Checking in twice answers the first check-in.
    """

    @extend_schema(
        request=CheckinInputSerializer,
        responses={
            200: CheckedInSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request):
        body = CheckinInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = checkin.checkin_by_code(member=request.user, code=body.validated_data["code"])
        except OrglifeError as exc:
            raise Refused(exc) from None
        return Response(CheckedInSerializer(result).data)


class AttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    branch = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    time = serializers.CharField(help_text="the check-in's time of day (HH:MM, local)")
    method = serializers.CharField(help_text="qr, code or manual; empty if not checked in")
    manual = serializers.BooleanField(help_text="checked in by the host")
    late = serializers.BooleanField()
    guest = serializers.BooleanField(help_text="not expected (a guest at a lecture in the hall)")


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    present = serializers.IntegerField(help_text="expected people checked in")
    guests = serializers.IntegerField()
    late = serializers.IntegerField()
    on_leave = serializers.IntegerField()
    absent = serializers.IntegerField()


class AttendanceSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="how many are expected")
    present = AttendeeSerializer(many=True, help_text="everyone checked in, late ones too")
    late = AttendeeSerializer(many=True)
    on_leave = AttendeeSerializer(many=True)
    absent = AttendeeSerializer(many=True)
    counts = CountsSerializer()


class ManualCheckinSerializer(serializers.Serializer):
    member = serializers.IntegerField()


class AttendanceView(APIView):
    """
    Who came (managers of the session; others 404). ``present`` is everyone
    checked in, the late ones included (they are in ``late`` as well);
    ``on_leave`` the expected who did not come with an approved leave request;
    ``absent`` the rest. POST ``{member}`` checks a member in by hand.
    """

    @extend_schema(responses={200: AttendanceSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        session = managed_session(request.user, pk)
        return Response(AttendanceSerializer(checkin.session_attendance(session=session)).data)

    @extend_schema(
        request=ManualCheckinSerializer,
        responses={200: AttendeeSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request, pk):
        session = managed_session(request.user, pk)
        body = ManualCheckinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = checkin.checkin_manually(
                session=session, member_id=body.validated_data["member"], by=request.user
            )
        except OrglifeError as exc:
            raise Refused(exc) from None
        return Response(AttendeeSerializer(checkin.attendee(result.attendance)).data)
