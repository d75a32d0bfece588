"""Pages of organisational life (included by backend/urls.py)."""

from django.urls import path

from . import views, views_checkin, views_compliance, views_leave

app_name = "orglife"

urlpatterns = [
    path("orglife/", views.sessions_index, name="index"),
    path("orglife/new/", views.session_new, name="new"),
    path("orglife/sessions/<int:pk>/", views.session_detail, name="session"),
    path("orglife/sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("orglife/sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("orglife/calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("me/orglife/", views.my_orglife, name="mine"),
    path("orglife/sessions/<int:pk>/leave/", views_leave.leave_page, name="leave"),
    path(
        "orglife/sessions/<int:pk>/leave/withdraw/",
        views_leave.leave_withdraw,
        name="leave_withdraw",
    ),
    path("orglife/leave/", views_leave.leave_approvals, name="leave_list"),
    path("orglife/leave/<int:pk>/decide/", views_leave.leave_decide, name="leave_decide"),
    path("me/makeup/", views_leave.my_makeup, name="makeup"),
    path("orglife/sessions/<int:pk>/checkin/", views_checkin.host_screen, name="checkin_screen"),
    path(
        "orglife/sessions/<int:pk>/checkin/manual/",
        views_checkin.manual_checkin,
        name="checkin_manual",
    ),
    path("checkin/", views_checkin.checkin_landing, name="checkin"),
    path("orglife/compliance/", views_compliance.compliance_page, name="compliance"),
    path(
        "orglife/compliance/branches/<int:pk>/",
        views_compliance.compliance_branch,
        name="compliance_branch",
    ),
]
