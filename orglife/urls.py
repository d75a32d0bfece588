"""Pages of organisational life (included by backend/urls.py)."""

from django.urls import path

from . import views, views_checkin, views_compliance, views_leave, views_record

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
    path("orglife/sessions/<int:pk>/record/", views_record.record_page, name="record"),
    path(
        "orglife/sessions/<int:pk>/record.xlsx",
        views_record.record_export,
        {"fmt": "xlsx"},
        name="record_xlsx",
    ),
    path(
        "orglife/sessions/<int:pk>/record.pdf",
        views_record.record_export,
        {"fmt": "pdf"},
        name="record_pdf",
    ),
    path(
        "orglife/records/files/<int:pk>/<str:name>",
        views_record.record_file,
        name="record_file",
    ),
    path(
        "orglife/branches/<int:pk>/record-book/<int:year>.xlsx",
        views_record.record_book_export,
        {"fmt": "xlsx"},
        name="record_book_xlsx",
    ),
    path(
        "orglife/branches/<int:pk>/record-book/<int:year>.pdf",
        views_record.record_book_export,
        {"fmt": "pdf"},
        name="record_book_pdf",
    ),
    path("orglife/compliance/", views_compliance.compliance_page, name="compliance"),
    path(
        "orglife/compliance/branches/<int:pk>/",
        views_compliance.compliance_branch,
        name="compliance_branch",
    ),
]
