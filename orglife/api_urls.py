"""/api/v1/ routes of organisational life (included by backend/urls.py)."""

from django.urls import path

from . import api, api_checkin, api_compliance, api_leave, api_me, api_record

urlpatterns = [
    path("sessions/", api.SessionListView.as_view(), name="session-list"),
    path("sessions/<int:pk>/", api.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<int:pk>/leave/", api_leave.SessionLeaveView.as_view(), name="session-leave"),
    path("leave/", api_leave.LeaveListView.as_view(), name="leave-list"),
    path("leave/<int:pk>/", api_leave.LeaveDecideView.as_view(), name="leave-decide"),
    path("me/makeup/", api_leave.MyMakeupView.as_view(), name="me-makeup"),
    path("me/orglife/", api_me.MyOrglifeView.as_view(), name="me-orglife"),
    path(
        "sessions/<int:pk>/checkin-code/",
        api_checkin.CheckinCodeView.as_view(),
        name="session-checkin-code",
    ),
    path(
        "sessions/<int:pk>/attendance/",
        api_checkin.AttendanceView.as_view(),
        name="session-attendance",
    ),
    path("checkin/", api_checkin.CheckinView.as_view(), name="checkin"),
    path("compliance/", api_compliance.ComplianceView.as_view(), name="compliance"),
    path("sessions/<int:pk>/record/", api_record.RecordView.as_view(), name="session-record"),
    path(
        "sessions/<int:pk>/record/sign/",
        api_record.RecordSignView.as_view(),
        name="session-record-sign",
    ),
    path(
        "sessions/<int:pk>/record/amendments/",
        api_record.RecordAmendmentsView.as_view(),
        name="session-record-amendments",
    ),
    path(
        "sessions/<int:pk>/record/files/",
        api_record.RecordFilesView.as_view(),
        name="session-record-files",
    ),
]
