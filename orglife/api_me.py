"""``GET /api/v1/me/orglife/``: the member's sessions (我的组织生活) and calendar feed."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .views import feed_urls, my_sessions


class MySessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="session_id")
    kind = serializers.CharField(source="session.kind")
    kind_name = serializers.CharField(source="session.get_kind_display")
    title = serializers.CharField(source="session.title")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    ends_at = serializers.DateTimeField(source="session.ends_at")
    place = serializers.CharField(source="session.place")
    cancelled = serializers.BooleanField(source="session.is_cancelled")
    status = serializers.CharField(
        help_text="present, late, leave_pending, on_leave, leave_declined, absent or expected"
    )
    checked_in_at = serializers.DateTimeField(allow_null=True)
    leave = serializers.CharField(
        source="leave_status", allow_null=True, help_text="pending, approved, declined or null"
    )
    makeup = serializers.CharField(
        source="makeup_status", allow_null=True, help_text="open, done or null"
    )


class MyOrglifeSerializer(serializers.Serializer):
    upcoming = MySessionSerializer(many=True)
    past = MySessionSerializer(many=True, help_text="the last twelve months, latest first")
    calendar_url = serializers.CharField(help_text="the member's .ics feed (no cookie needed)")
    webcal_url = serializers.CharField()


class MyOrglifeView(APIView):
    @extend_schema(responses={200: MyOrglifeSerializer})
    def get(self, request):
        upcoming, past = my_sessions(request.user, now=timezone.now())
        feed = feed_urls(request)
        body = {
            "upcoming": upcoming,
            "past": past,
            "calendar_url": feed["https"],
            "webcal_url": feed["webcal"],
        }
        return Response(MyOrglifeSerializer(body).data)
